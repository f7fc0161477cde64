//! Contact use cases, checked against the user's rights and audited.

use std::collections::HashMap;

use orbita_domain::access::{Action, Area};
use orbita_domain::audit::{self as audit_rules, AuditAction};
use orbita_domain::contact::{Contact, ContactFields, ContactInput};
use orbita_domain::kind::{RecordKind, RecordRef};
use orbita_domain::{ContactId, FieldError, Timestamp, UserId};
use orbita_storage::contacts::{self, ContactFilter, ContactSort};
use orbita_storage::{Cursor, Db, Page, Tx};
use serde_json::{Map, Value};

use crate::audit_trail::{self, AuditView};
use crate::{Access, AppError, custom_fields};

fn audit_view(f: &ContactFields) -> AuditView {
    vec![
        ("last_name", Some(f.last_name.clone())),
        ("first_name", f.first_name.clone()),
        ("middle_name", f.middle_name.clone()),
        ("position", f.position.clone()),
        ("company_id", f.company_id.map(|c| c.to_string())),
        ("phones", audit_trail::list(f.phones.iter().map(|p| p.as_str()))),
        ("emails", audit_trail::list(f.emails.iter().map(|e| e.as_str()))),
        ("notes", f.notes.clone()),
    ]
}

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
    let contact = contacts::get(db, id).await?;
    access.check_record(Area::Contacts, Action::View, contact.owner_id)?;
    Ok(contact)
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
    access.require(Area::Contacts, Action::Create)?;
    let owner = owner.unwrap_or(access.user_id());
    if !access.covers_owner(Area::Contacts, Action::Create, owner) {
        return Err(FieldError::new(
            "owner_id",
            "owner-out-of-scope",
            "You cannot create contacts for this user",
        )
        .into());
    }
    let fields = input.validate()?;
    let custom = custom_fields::read_changes(db, access, RecordKind::Contact, custom).await?;
    crate::links::check(db, access, fields.company_id, None, None).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = contacts::insert(&mut tx, &fields, owner, Some(access.user_id()), now).await?;
    let mut changes = audit_trail::created(&audit_view(&fields));
    changes.extend(audit_trail::one("owner_id", None, Some(owner.to_string())));
    changes.extend(custom_fields::save_new(&mut tx, RecordKind::Contact, id.0, &custom).await?);
    audit_trail::record(&mut tx, &access.context(), "contact", id.0, AuditAction::Create, changes, now)
        .await?;
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
    let before = contacts::get_in(&mut tx, id).await?;
    access.check_record(Area::Contacts, Action::Edit, before.owner_id)?;
    crate::ownership::check_version(expected_version, before.version)?;
    let owner =
        crate::ownership::new_owner(db, access, Area::Contacts, "owner_id", before.owner_id, change.owner)
            .await?;
    let ctx = access.context();
    let mut changes = Vec::new();
    if let Some(fields) = &fields {
        contacts::update(&mut tx, id, fields, expected_version, now).await?;
        changes = audit_rules::diff(&audit_view(&before.fields), &audit_view(fields));
    }
    let record = RecordRef { kind: RecordKind::Contact, id: id.0 };
    let edit = custom_fields::Edit {
        record,
        before: &before.custom,
        custom: &custom,
        fields_saved: fields.is_some(),
    };
    edit.record(&mut tx, &ctx, changes, now).await?;
    if let Some(owner) = owner {
        contacts::set_owner(&mut tx, id, owner, now).await?;
        audit_trail::owner_changed(&mut tx, &ctx, "contact", id.0, "owner_id", before.owner_id, owner, now)
            .await?;
    }
    tx.commit().await?;
    Ok(contacts::get(db, id).await?)
}

pub async fn delete(db: &Db, access: &Access, id: ContactId) -> Result<(), AppError> {
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = contacts::get_in(&mut tx, id).await?;
    access.check_record(Area::Contacts, Action::Delete, before.owner_id)?;
    contacts::delete(&mut tx, id).await?;
    let mut changes = audit_trail::deleted(&audit_view(&before.fields));
    changes.extend(custom_fields::deleted(&mut tx, RecordKind::Contact, &before.custom).await?);
    audit_trail::record(&mut tx, &access.context(), "contact", id.0, AuditAction::Delete, changes, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The transfer inside a caller's transaction; returns how many contacts changed hands.
pub(crate) async fn transfer_in(
    tx: &mut Tx,
    access: &Access,
    ids: &[ContactId],
    new_owner: UserId,
    now: Timestamp,
) -> Result<u64, AppError> {
    let mut moved = 0;
    for id in ids {
        let before = contacts::get_in(tx, *id).await?;
        access.check_record(Area::Contacts, Action::Edit, before.owner_id)?;
        if !access.covers_owner(Area::Contacts, Action::Edit, new_owner) {
            return Err(AppError::Forbidden);
        }
        if before.owner_id == new_owner {
            continue;
        }
        contacts::set_owner(tx, *id, new_owner, now).await?;
        let ctx = access.context();
        audit_trail::owner_changed(tx, &ctx, "contact", id.0, "owner_id", before.owner_id, new_owner, now)
            .await?;
        moved += 1;
    }
    Ok(moved)
}
