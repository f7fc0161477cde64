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
    let company_filter = CompanyFilter { q: Some(q.to_owned()), ..Default::default() };
    let contact_filter = ContactFilter { q: Some(q.to_owned()), ..Default::default() };
    let deal_filter = DealFilter { q: Some(q.to_owned()), ..Default::default() };
    // The three searches are independent reads: run together, the answer comes as soon as the
    // slowest is done rather than after all three in turn (each takes its own pooled connection).
    let (companies, contacts, deals) = tokio::join!(
        companies::list(db, access, &company_filter, CompanySort::Name, false, None, per_kind),
        contacts::list(db, access, &contact_filter, ContactSort::Name, false, None, per_kind),
        deals::list(db, access, &deal_filter, DealSort::UpdatedAt, true, None, per_kind),
    );
    Ok(SearchResults {
        companies: found(companies)?.map(|page| page.items).unwrap_or_default(),
        contacts: found(contacts)?.map(|page| page.items).unwrap_or_default(),
        deals: found(deals)?.map(|page| page.items).unwrap_or_default(),
    })
}

/// A kind the user may not view is left out of the answer, not refused.
fn found<T>(result: Result<T, AppError>) -> Result<Option<T>, AppError> {
    match result {
        Ok(found) => Ok(Some(found)),
        Err(AppError::Forbidden) => Ok(None),
        Err(other) => Err(other),
    }
}
