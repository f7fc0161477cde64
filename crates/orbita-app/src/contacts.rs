//! Contact use cases, checked against the user's rights and audited.

use std::collections::HashMap;

use orbita_domain::access::{Action, Area};
use orbita_domain::contact::{Contact, ContactInput};
use orbita_domain::kind::RecordKind;
use orbita_domain::{ContactId, UserId};
use orbita_storage::contacts::{self, ContactFilter, ContactSort};
use orbita_storage::{Cursor, Db, Page};
use serde_json::{Map, Value};

use crate::records;
use crate::{Access, AppError, custom_fields};

pub async fn list(
    db: &Db,
    access: &Access,
    filter: &ContactFilter,
    sort: ContactSort,
    descending: bool,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Contact>, AppError> {
    let filter =
        ContactFilter { visible: access.visibility(Area::Contacts, Action::View)?, ..filter.clone() };
    Ok(contacts::list(db, &filter, sort, descending, after, limit).await?)
}

pub async fn get(db: &Db, access: &Access, id: ContactId) -> Result<Contact, AppError> {
    records::get(db, access, id.0).await
}

/// The full names of those of these contacts the user may see, in one query (a page of deals,
/// tasks or activities); one the user may not see is left out and shown by number.
pub async fn names(
    db: &Db,
    access: &Access,
    ids: &[ContactId],
) -> Result<HashMap<ContactId, String>, AppError> {
    crate::access::visible_names(access, Area::Contacts, |visible| async move {
        contacts::names(db, ids, visible.as_ref()).await
    })
    .await
}

/// Contacts the user may see with the same phone or e-mail: the duplicate warning.
pub async fn duplicates(db: &Db, access: &Access, input: &ContactInput) -> Result<Vec<Contact>, AppError> {
    let Ok(fields) = input.validate() else { return Ok(Vec::new()) };
    let found = contacts::find_by_phone_or_email(db, fields.phones.first(), fields.emails.first()).await?;
    Ok(found.into_iter().filter(|c| access.covers_owner(Area::Contacts, Action::View, c.owner_id)).collect())
}

pub async fn create(
    db: &Db,
    access: &Access,
    input: &ContactInput,
    owner: Option<UserId>,
) -> Result<Contact, AppError> {
    create_with_custom(db, access, input, owner, None).await
}

/// `create` with the new contact's custom values.
pub async fn create_with_custom(
    db: &Db,
    access: &Access,
    input: &ContactInput,
    owner: Option<UserId>,
    custom: Option<&Map<String, Value>>,
) -> Result<Contact, AppError> {
    let owner = owner.unwrap_or(access.user_id());
    records::check_new_owner::<Contact>(access, "owner_id", owner)?;
    let fields = input.validate()?;
    let custom = custom_fields::read_changes(db, access, RecordKind::Contact, custom).await?;
    crate::links::check(db, access, fields.company_id, None, None).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = contacts::insert(&mut tx, &fields, owner, Some(access.user_id()), now).await?;
    let owner = records::owner_line::<Contact>(owner);
    records::created_in::<Contact>(&mut tx, &access.context(), id.0, &fields, owner, &custom, now).await?;
    tx.commit().await?;
    Ok(contacts::get(db, id).await?)
}

/// One edit of a contact, as a form or a PATCH sends it: new field values and a new owner,
/// either or both.
#[derive(Debug, Clone, Default)]
pub struct ContactChange {
    pub fields: Option<ContactInput>,
    pub owner: Option<UserId>,
    /// Custom values to set (`null` or `""` clears one); the others stay.
    pub custom: Option<Map<String, Value>>,
}

/// Saves a field edit alone (the contact form: its owner changes on the card).
pub async fn update(
    db: &Db,
    access: &Access,
    id: ContactId,
    input: &ContactInput,
    expected_version: Option<i64>,
) -> Result<Contact, AppError> {
    let change = ContactChange { fields: Some(input.clone()), ..ContactChange::default() };
    self::change(db, access, id, &change, expected_version).await
}

/// Saves an edit and a new owner in one transaction, after every check has passed, as
/// `companies::change` does.
pub async fn change(
    db: &Db,
    access: &Access,
    id: ContactId,
    change: &ContactChange,
    expected_version: Option<i64>,
) -> Result<Contact, AppError> {
    let fields = change.fields.as_ref().map(ContactInput::validate).transpose()?;
    if let Some(fields) = &fields {
        crate::links::check(db, access, fields.company_id, None, None).await?;
    }
    let custom = custom_fields::read_changes(db, access, RecordKind::Contact, change.custom.as_ref()).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before: Contact = records::edited_in(&mut tx, db, access, id.0, expected_version).await?;
    let owner =
        crate::ownership::new_owner(db, access, Area::Contacts, "owner_id", before.owner_id, change.owner)
            .await?;
    let edit = records::Edit { fields, custom: &custom, owner };
    edit.save_in(&mut tx, &access.context(), &before, expected_version, now).await?;
    tx.commit().await?;
    Ok(contacts::get(db, id).await?)
}

pub async fn delete(db: &Db, access: &Access, id: ContactId) -> Result<(), AppError> {
    records::delete::<Contact>(db, access, id.0).await
}
