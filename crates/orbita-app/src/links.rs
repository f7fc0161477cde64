//! A record may only point at records its author can see: a hand-made request must not link a
//! contact, deal, task or activity to another manager's company (and so learn it exists).

use orbita_domain::access::Action;
use orbita_domain::kind::{RecordKind, RecordRef};
use orbita_domain::{CompanyId, ContactId, DealId, FieldError};
use orbita_storage::Db;

use crate::{Access, AppError, companies, contacts, deals};

/// Checks every given link; an invisible target is a field error, like a mistyped one.
pub async fn check(
    db: &Db,
    access: &Access,
    company: Option<CompanyId>,
    contact: Option<ContactId>,
    deal: Option<DealId>,
) -> Result<(), AppError> {
    let mut errors = orbita_domain::ValidationErrors::default();
    if let Some(id) = company
        && invisible(companies::get(db, access, id).await)?
    {
        errors.push(FieldError::new("company_id", "company-unknown", "Choose a company you can see"));
    }
    if let Some(id) = contact
        && invisible(contacts::get(db, access, id).await)?
    {
        errors.push(FieldError::new("contact_id", "contact-unknown", "Choose a contact you can see"));
    }
    if let Some(id) = deal
        && invisible(deals::get(db, access, id).await)?
    {
        errors.push(FieldError::new("deal_id", "deal-unknown", "Choose a deal you can see"));
    }
    Ok(errors.into_result()?)
}

/// Whether the user may see a record of any kind (the one check behind links to any record:
/// custom link fields now; attachments, notes and events next). A record that is not there
/// is one they may not see.
pub async fn may_see(db: &Db, access: &Access, record: RecordRef) -> Result<bool, AppError> {
    let Some(owner) = orbita_storage::ownership::owner_of(db, record.kind, record.id).await? else {
        return Ok(false);
    };
    let checked = match record.kind {
        RecordKind::Company => access.check_company(db, Action::View, owner, CompanyId(record.id)).await,
        RecordKind::Contact | RecordKind::Deal | RecordKind::Task | RecordKind::Activity => {
            access.check_record(record.kind.area(), Action::View, owner)
        }
    };
    invisible(checked).map(|hidden| !hidden)
}

fn invisible<T>(result: Result<T, AppError>) -> Result<bool, AppError> {
    match result {
        Ok(_) => Ok(false),
        Err(AppError::NotFound | AppError::Forbidden) => Ok(true),
        Err(other) => Err(other),
    }
}
