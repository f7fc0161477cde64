//! Writing audit events for record changes: one helper so every use case records the same
//! shape (entity, id, action, field-level before/after) in its own transaction.

use orbita_domain::audit::{self, AuditAction, FieldChange, NewAuditEvent};
use orbita_domain::fields::FieldValues;
use orbita_domain::{Timestamp, UserId};
use orbita_storage::Tx;

use crate::{AppError, RequestContext};

/// A record as the audit log shows it: (field, display text) pairs.
pub type AuditView = Vec<(&'static str, Option<String>)>;

pub async fn record(
    tx: &mut Tx,
    ctx: &RequestContext,
    entity: &'static str,
    entity_id: i64,
    action: AuditAction,
    changes: Vec<FieldChange>,
    now: Timestamp,
) -> Result<(), AppError> {
    let event = NewAuditEvent {
        actor_id: ctx.actor,
        ip: ctx.ip.clone(),
        via: ctx.via.clone(),
        entity,
        entity_id: Some(entity_id),
        action,
        changes,
    };
    orbita_storage::audit::insert(tx, &event, now).await?;
    crate::webhooks::emit_in(tx, entity, entity_id, event.action, &event.changes, now).await
}

/// A kind's fields as the audit log shows them.
pub fn view(fields: &impl FieldValues) -> AuditView {
    fields.values().iter().map(|(key, value)| (*key, value.text())).collect()
}

/// A creation: every field that has a value.
pub fn created(view: &AuditView) -> Vec<FieldChange> {
    audit::diff(&[], view)
}

/// A deletion: every field that had a value.
pub fn deleted(view: &AuditView) -> Vec<FieldChange> {
    view.iter()
        .filter(|(_, v)| v.is_some())
        .map(|(field, v)| FieldChange { field: (*field).to_owned(), before: v.clone(), after: None })
        .collect()
}

/// The event of an administrator's change to a configured thing (an automation rule, a
/// webhook): made (`before` none), changed, or deleted (`after` none), from its views.
pub(crate) async fn configured(
    tx: &mut Tx,
    ctx: &RequestContext,
    entity: &'static str,
    id: i64,
    before: Option<&AuditView>,
    after: Option<&AuditView>,
    now: Timestamp,
) -> Result<(), AppError> {
    let (action, changes) = match (before, after) {
        (None, Some(after)) => (AuditAction::Create, created(after)),
        (Some(before), Some(after)) => (AuditAction::Update, audit::diff(before, after)),
        (Some(before), None) => (AuditAction::Delete, deleted(before)),
        (None, None) => return Ok(()),
    };
    record(tx, ctx, entity, id, action, changes, now).await
}

/// A record handed to another owner (a task: another assignee), as its own `owner_change`
/// event, whether it came alone or with an edit.
#[expect(clippy::too_many_arguments, reason = "the event's parts, each named by its caller")]
pub async fn owner_changed(
    tx: &mut Tx,
    ctx: &RequestContext,
    entity: &'static str,
    entity_id: i64,
    field: &str,
    before: UserId,
    after: UserId,
    now: Timestamp,
) -> Result<(), AppError> {
    let changes = one(field, Some(before.to_string()), Some(after.to_string()));
    record(tx, ctx, entity, entity_id, AuditAction::OwnerChange, changes, now).await
}

pub fn one(field: &str, before: Option<String>, after: Option<String>) -> Vec<FieldChange> {
    vec![FieldChange { field: field.to_owned(), before, after }]
}

/// Joins a list field for display ("+7…, +7…"), or nothing when empty.
pub fn list<'a>(items: impl Iterator<Item = &'a str>) -> Option<String> {
    let joined = items.collect::<Vec<_>>().join(", ");
    (!joined.is_empty()).then_some(joined)
}
