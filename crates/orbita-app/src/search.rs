//! The header's global search: companies, contacts and deals the user may see, by name, INN,
//! KPP, e-mail or phone, a few of each, as the user types.

use orbita_domain::company::Company;
use orbita_domain::contact::Contact;
use orbita_domain::deal::Deal;
use orbita_storage::Db;
use orbita_storage::companies::{CompanyFilter, CompanySort};
use orbita_storage::contacts::{ContactFilter, ContactSort};
use orbita_storage::deals::{DealFilter, DealSort};

use crate::{Access, AppError, companies, contacts, deals};

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub companies: Vec<Company>,
    pub contacts: Vec<Contact>,
    pub deals: Vec<Deal>,
}

/// Up to `per_kind` of each kind; areas the user may not view are skipped, not refused.
pub async fn global(db: &Db, access: &Access, query: &str, per_kind: u64) -> Result<SearchResults, AppError> {
    let q = query.trim();
    if q.is_empty() {
        return Ok(SearchResults::default());
    }
    let mut results = SearchResults::default();
    let company_filter = CompanyFilter { q: Some(q.to_owned()), ..Default::default() };
    match companies::list(db, access, &company_filter, CompanySort::Name, false, None, per_kind).await {
        Ok(page) => results.companies = page.items,
        Err(AppError::Forbidden) => {}
        Err(other) => return Err(other),
    }
    let contact_filter = ContactFilter { q: Some(q.to_owned()), ..Default::default() };
    match contacts::list(db, access, &contact_filter, ContactSort::Name, false, None, per_kind).await {
        Ok(page) => results.contacts = page.items,
        Err(AppError::Forbidden) => {}
        Err(other) => return Err(other),
    }
    let deal_filter = DealFilter { q: Some(q.to_owned()), ..Default::default() };
    match deals::list(db, access, &deal_filter, DealSort::UpdatedAt, true, None, per_kind).await {
        Ok(page) => results.deals = page.items,
        Err(AppError::Forbidden) => {}
        Err(other) => return Err(other),
    }
    Ok(results)
}
