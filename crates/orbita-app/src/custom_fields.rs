//! Custom fields at the application layer: administrators define them (audited, as
//! `custom_field` events), and every kind's writes check their values here, in the
//! transaction that saves the record, and audit them as `custom.<key>` changes beside the
//! built-in fields.

use std::collections::BTreeMap;

use orbita_domain::access::{Action, Area};
use orbita_domain::audit::{AuditAction, FieldChange};
use orbita_domain::custom::{
    self, CustomField, CustomFieldInput, CustomFieldSpec, CustomType, CustomValues, MAX_FIELDS_PER_KIND,
};
use orbita_domain::kind::{RecordKind, RecordRef};
use orbita_domain::{FieldError, UserId, ValidationErrors};
use orbita_storage::{Db, Tx, custom_fields};
use serde_json::{Map, Value};

use crate::audit_trail::{self, AuditView};
use crate::{Access, AppError};

/// The active fields of a kind, in the order shown: what forms, cards, lists, filters and
/// the API offer. Anyone who may see the kind's records may see its fields.
pub async fn fields(db: &Db, access: &Access, kind: RecordKind) -> Result<Vec<CustomField>, AppError> {
    access.require(kind.area(), Action::View)?;
    active(db, kind).await
}

/// The same without a rights check, for the services that already made theirs.
pub async fn active(db: &Db, kind: RecordKind) -> Result<Vec<CustomField>, AppError> {
    Ok(custom_fields::list(db, kind).await?.into_iter().filter(CustomField::is_active).collect())
}

/// Every field of a kind, removed ones included: the administrator's page.
pub async fn all(db: &Db, access: &Access, kind: RecordKind) -> Result<Vec<CustomField>, AppError> {
    require_admin(access)?;
    Ok(custom_fields::list(db, kind).await?)
}

fn require_admin(access: &Access) -> Result<(), AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)
}

fn audit_view(spec: &CustomFieldSpec) -> AuditView {
    vec![
        ("key", Some(spec.key.clone())),
        ("type", Some(spec.ty.as_str().to_owned())),
        ("label_ru", Some(spec.label_ru.clone())),
        ("label_en", Some(spec.label_en.clone())),
        ("options", (!spec.options.is_empty()).then(|| spec.options.join(", "))),
        ("link_kind", spec.link_kind.map(|k| k.list_key().to_owned())),
        ("required", Some(spec.required.to_string())),
        ("indexed", Some(spec.indexed.to_string())),
        ("group", spec.group.clone()),
        ("position", Some(spec.position.to_string())),
    ]
}

fn spec_of(field: &CustomField) -> CustomFieldSpec {
    CustomFieldSpec {
        key: field.key.clone(),
        ty: field.ty,
        label_ru: field.label_ru.clone(),
        label_en: field.label_en.clone(),
        options: field.options.clone(),
        link_kind: field.link_kind,
        required: field.required,
        indexed: field.indexed,
        group: field.group.clone(),
        position: field.position,
    }
}

async fn find_in(tx: &mut Tx, kind: RecordKind, key: &str) -> Result<CustomField, AppError> {
    custom_fields::list_in(tx, kind).await?.into_iter().find(|f| f.key == key).ok_or(AppError::NotFound)
}

/// Adds a field to a kind; an indexed one gets its indexes in the same transaction.
pub async fn add(
    db: &Db,
    access: &Access,
    kind: RecordKind,
    input: &CustomFieldInput,
) -> Result<CustomField, AppError> {
    require_admin(access)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let existing = custom_fields::list_in(&mut tx, kind).await?;
    let taken: Vec<&str> = existing.iter().map(|f| f.key.as_str()).collect();
    let mut spec = input.validate(kind, &taken)?;
    if existing.len() >= MAX_FIELDS_PER_KIND {
        let message = format!("A kind of record has at most {MAX_FIELDS_PER_KIND} custom fields");
        return Err(FieldError::new("key", "custom-too-many", message).into());
    }
    if input.position.is_none() {
        spec.position = existing.iter().map(|f| f.position).max().map_or(0, |p| p.saturating_add(1));
    }
    let id = custom_fields::insert(&mut tx, kind, &spec, now).await?;
    let field = find_in(&mut tx, kind, &spec.key).await?;
    if field.indexed {
        // Built by a job: on a large table that takes a while, and writes go on meanwhile.
        crate::jobs::enqueue_in(&mut tx, &crate::jobs::Work::CustomFieldIndexes { field_id: id }, now)
            .await?;
    }
    let changes = audit_trail::created(&audit_view(&spec));
    audit_trail::record(&mut tx, &access.context(), "custom_field", id, AuditAction::Create, changes, now)
        .await?;
    tx.commit().await?;
    Ok(field)
}

/// Changes a field's labels, options, group, order, "required" and "indexed" (its key and
/// type stay: the records' values are of that type).
pub async fn change(
    db: &Db,
    access: &Access,
    kind: RecordKind,
    key: &str,
    input: &CustomFieldInput,
) -> Result<CustomField, AppError> {
    require_admin(access)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = find_in(&mut tx, kind, key).await?;
    let spec = input.validate_change(&before)?;
    let changes = orbita_domain::audit::diff(&audit_view(&spec_of(&before)), &audit_view(&spec));
    if !changes.is_empty() {
        custom_fields::update(&mut tx, before.id, &spec, now).await?;
        let after = find_in(&mut tx, kind, key).await?;
        match (before.indexed, after.indexed) {
            (false, true) => {
                let work = crate::jobs::Work::CustomFieldIndexes { field_id: after.id };
                crate::jobs::enqueue_in(&mut tx, &work, now).await?;
            }
            (true, false) => custom_fields::drop_indexes(&mut tx, &after).await?,
            _ => {}
        }
        let ctx = access.context();
        audit_trail::record(&mut tx, &ctx, "custom_field", before.id, AuditAction::Update, changes, now)
            .await?;
    }
    let after = find_in(&mut tx, kind, key).await?;
    tx.commit().await?;
    Ok(after)
}

/// Removes a field from forms, cards, lists and the API; its values stay in the records
/// until `purge`, and `restore` brings it back with them.
pub async fn remove(db: &Db, access: &Access, kind: RecordKind, key: &str) -> Result<(), AppError> {
    set_removed(db, access, kind, key, true).await
}

pub async fn restore(db: &Db, access: &Access, kind: RecordKind, key: &str) -> Result<(), AppError> {
    set_removed(db, access, kind, key, false).await
}

async fn set_removed(
    db: &Db,
    access: &Access,
    kind: RecordKind,
    key: &str,
    removed: bool,
) -> Result<(), AppError> {
    require_admin(access)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let field = find_in(&mut tx, kind, key).await?;
    if field.is_active() == removed {
        custom_fields::set_removed(&mut tx, field.id, removed.then_some(now), now).await?;
        let changes = audit_trail::one("removed", Some((!removed).to_string()), Some(removed.to_string()));
        let ctx = access.context();
        audit_trail::record(&mut tx, &ctx, "custom_field", field.id, AuditAction::Update, changes, now)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes a removed field and its values for good. A field still in use must be removed
/// first, so no one loses data with one click.
pub async fn purge(db: &Db, access: &Access, kind: RecordKind, key: &str) -> Result<u64, AppError> {
    require_admin(access)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let field = find_in(&mut tx, kind, key).await?;
    if field.is_active() {
        return Err(FieldError::new(
            "key",
            "custom-not-removed",
            "Remove the field before deleting its data",
        )
        .into());
    }
    let cleared = custom_fields::purge(&mut tx, &field).await?;
    let changes = audit_trail::deleted(&audit_view(&spec_of(&field)));
    audit_trail::record(
        &mut tx,
        &access.context(),
        "custom_field",
        field.id,
        AuditAction::Delete,
        changes,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(cleared)
}

/// What a write sends for custom fields, read and checked before the write's transaction:
/// each value of its field's type (`custom.<key>` errors), users that exist, records the
/// writer may see.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomChanges(BTreeMap<String, Option<Value>>);

impl CustomChanges {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A rule's value for one custom field, checked as a form's would be; an empty one clears
/// it. (A rule sets no link to a record: whom it may see is a person's question.)
pub(crate) async fn one_change(
    db: &Db,
    kind: RecordKind,
    key: &str,
    raw: &str,
) -> Result<CustomChanges, AppError> {
    let fields = active(db, kind).await?;
    let sent = Map::from_iter([(key.to_owned(), Value::String(raw.to_owned()))]);
    Ok(CustomChanges(orbita_domain::custom::parse_changes(&fields, &sent)?))
}

pub async fn read_changes(
    db: &Db,
    access: &Access,
    kind: RecordKind,
    sent: Option<&Map<String, Value>>,
) -> Result<CustomChanges, AppError> {
    let Some(sent) = sent.filter(|s| !s.is_empty()) else {
        return Ok(CustomChanges::default());
    };
    let fields = active(db, kind).await?;
    let changes = custom::parse_changes(&fields, sent)?;
    let mut errors = ValidationErrors::default();
    for (key, value) in &changes {
        let (Some(field), Some(id)) =
            (fields.iter().find(|f| &f.key == key), value.as_ref().and_then(Value::as_i64))
        else {
            continue;
        };
        let known = match (field.ty, field.link_kind) {
            (CustomType::User, _) => orbita_storage::users::get(db, UserId(id)).await.is_ok(),
            (CustomType::Link, Some(target)) => {
                crate::links::may_see(db, access, RecordRef { kind: target, id }).await?
            }
            _ => true,
        };
        if !known {
            errors.push(FieldError::new(field.path(), "custom-value", "Choose a record you can see"));
        }
    }
    errors.into_result()?;
    Ok(CustomChanges(changes))
}

/// Custom values typed by someone outside the CRM (a web form's buyer), checked by type; a
/// link to a record or a user is refused, as no one's rights stand behind it.
pub async fn typed_changes(
    db: &Db,
    kind: RecordKind,
    sent: &Map<String, Value>,
) -> Result<CustomChanges, AppError> {
    if sent.is_empty() {
        return Ok(CustomChanges::default());
    }
    let fields = active(db, kind).await?;
    let typed: Vec<_> =
        fields.into_iter().filter(|f| !matches!(f.ty, CustomType::Link | CustomType::User)).collect();
    Ok(CustomChanges(custom::parse_changes(&typed, sent)?))
}

/// A record's values after `changes`, with the required fields checked against the fields
/// as they are inside the write's transaction; `None` when nothing changes.
pub async fn apply(
    tx: &mut Tx,
    kind: RecordKind,
    before: &CustomValues,
    changes: &CustomChanges,
    creating: bool,
) -> Result<Option<CustomValues>, AppError> {
    // A new record must fill the required fields; an edit is held to them only when it
    // touches custom values (a field made required later does not block a stage move).
    if changes.is_empty() && !creating {
        return Ok(None);
    }
    let fields: Vec<CustomField> =
        custom_fields::list_in(tx, kind).await?.into_iter().filter(CustomField::is_active).collect();
    let after = custom::apply_changes(&fields, before, &changes.0)?;
    Ok((after != *before).then_some(after))
}

/// The audit entries of a change of custom values: `custom.<key>` with each side as text.
pub async fn audit_changes(
    tx: &mut Tx,
    kind: RecordKind,
    before: &CustomValues,
    after: &CustomValues,
) -> Result<Vec<FieldChange>, AppError> {
    let fields = custom_fields::list_in(tx, kind).await?;
    let text = |field: &CustomField, values: &CustomValues| {
        values.get(&field.key).map(|v| custom::input_text(field, v)).filter(|t| !t.is_empty())
    };
    Ok(fields
        .iter()
        .filter_map(|field| {
            let (was, now) = (text(field, before), text(field, after));
            (was != now).then(|| FieldChange { field: field.path(), before: was, after: now })
        })
        .collect())
}

/// A new record's values, saved and audited in its creating transaction.
pub async fn save_new(
    tx: &mut Tx,
    kind: RecordKind,
    id: i64,
    changes: &CustomChanges,
) -> Result<Vec<FieldChange>, AppError> {
    let empty = CustomValues::new();
    let Some(after) = apply(tx, kind, &empty, changes, true).await? else {
        return Ok(Vec::new());
    };
    custom_fields::write_values(tx, kind, id, &after, None).await?;
    audit_changes(tx, kind, &empty, &after).await
}

/// An edit's values, saved and audited in its transaction; `touched` when nothing else of
/// the record changed (its version moves on here).
pub async fn save_edit(
    tx: &mut Tx,
    kind: RecordKind,
    id: i64,
    before: &CustomValues,
    changes: &CustomChanges,
    touched: Option<orbita_domain::Timestamp>,
) -> Result<Vec<FieldChange>, AppError> {
    let Some(after) = apply(tx, kind, before, changes, false).await? else {
        return Ok(Vec::new());
    };
    custom_fields::write_values(tx, kind, id, &after, touched).await?;
    audit_changes(tx, kind, before, &after).await
}

/// A record's edit as its custom values see it: which record, its values before, what the
/// edit sends, and whether its built-in fields were written (so its version moved already).
pub struct Edit<'a> {
    pub record: RecordRef,
    pub before: &'a CustomValues,
    pub custom: &'a CustomChanges,
    pub fields_saved: bool,
}

impl Edit<'_> {
    /// The one `update` event of the edit: the built-in fields' `changes` and the custom
    /// values' (saved here), recorded together when anything changed. Returns the changed
    /// fields' keys (`amount`, `custom.window_type`), for the rules they set off.
    pub async fn record(
        &self,
        tx: &mut Tx,
        ctx: &crate::RequestContext,
        mut changes: Vec<FieldChange>,
        now: orbita_domain::Timestamp,
    ) -> Result<Vec<String>, AppError> {
        let (kind, id) = (self.record.kind, self.record.id);
        let touched = (!self.fields_saved).then_some(now);
        changes.extend(save_edit(tx, kind, id, self.before, self.custom, touched).await?);
        let keys = changes.iter().map(|c| c.field.clone()).collect();
        if !changes.is_empty() {
            let entity = kind.audit_entity().as_str();
            audit_trail::record(tx, ctx, entity, id, AuditAction::Update, changes, now).await?;
        }
        Ok(keys)
    }
}

/// The custom values of a deleted record, for its `delete` event.
pub async fn deleted(
    tx: &mut Tx,
    kind: RecordKind,
    before: &CustomValues,
) -> Result<Vec<FieldChange>, AppError> {
    audit_changes(tx, kind, before, &CustomValues::new()).await
}
