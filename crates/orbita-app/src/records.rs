//! What every kind's use cases do alike, written once: read a record within the user's rights,
//! delete it, hand it to another owner, and record a creation or an edit in the audit log
//! together with its custom values, each inside the caller's one transaction. A kind
//! describes itself once (`Kept`); its own module keeps only what is really its own (a
//! deal's stage move, a task's done mark, a company's shares).

use std::future::Future;

use orbita_domain::access::{Action, Area};
use orbita_domain::activity::{Activity, ActivityFields};
use orbita_domain::audit::{self as audit_rules, AuditAction, FieldChange};
use orbita_domain::company::{Company, CompanyFields};
use orbita_domain::contact::{Contact, ContactFields};
use orbita_domain::custom::CustomValues;
use orbita_domain::deal::{Deal, DealFields};
use orbita_domain::fields::FieldValues;
use orbita_domain::kind::{RecordKind, RecordRef};
use orbita_domain::notification::NotificationKind;
use orbita_domain::task::{Task, TaskFields};
use orbita_domain::{ActivityId, CompanyId, ContactId, DealId, FieldError, TaskId, Timestamp, UserId};
use orbita_storage::{Db, StorageError, Tx, activities, companies, contacts, deals, ownership, tasks};

use crate::audit_trail::{self, AuditView};
use crate::custom_fields::{self, CustomChanges};
use crate::{Access, AppError, RequestContext};

type Stored<T> = Result<T, StorageError>;

/// One kind of record as the generic use cases see it: how to read and update it, whose it
/// is, and how the audit log shows its fields.
pub trait Kept: Sized + Send {
    const KIND: RecordKind;
    type Fields: Sync + FieldValues;

    fn id(&self) -> i64;
    fn owner(&self) -> UserId;
    fn version(&self) -> i64;
    fn fields(&self) -> &Self::Fields;
    fn custom(&self) -> &CustomValues;

    /// Its fields as the audit log shows them.
    fn audit_view(fields: &Self::Fields) -> AuditView {
        audit_trail::view(fields)
    }

    fn get(db: &Db, id: i64) -> impl Future<Output = Stored<Self>> + Send;
    fn get_in(tx: &mut Tx, id: i64) -> impl Future<Output = Stored<Self>> + Send;
    fn update(
        tx: &mut Tx,
        id: i64,
        fields: &Self::Fields,
        expected_version: Option<i64>,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), AppError>> + Send;

    /// May the user do `action` to this record? "Not found" when they may not see it.
    fn check(
        access: &Access,
        _db: &Db,
        action: Action,
        record: &Self,
    ) -> impl Future<Output = Result<(), AppError>> + Send {
        let checked = access.check_record(Self::area(), action, record.owner());
        async move { checked }
    }

    fn area() -> Area {
        Self::KIND.area()
    }

    fn entity() -> &'static str {
        Self::KIND.audit_entity().as_str()
    }
}

/// A record the user may see; one they may not is "not found", as if it did not exist.
pub async fn get<R: Kept>(db: &Db, access: &Access, id: i64) -> Result<R, AppError> {
    let record = R::get(db, id).await?;
    R::check(access, db, Action::View, &record).await?;
    Ok(record)
}

/// Refuses a new record for an owner outside the user's scope (a field error on `field`).
pub(crate) fn check_new_owner<R: Kept>(
    access: &Access,
    field: &'static str,
    owner: UserId,
) -> Result<(), AppError> {
    access.require(R::area(), Action::Create)?;
    if access.covers_owner(R::area(), Action::Create, owner) {
        return Ok(());
    }
    Err(FieldError::new(field, "owner-out-of-scope", "You cannot create records for this user").into())
}

/// The `create` event of a new record: its fields, `extra` (its owner, a deal's stage) and
/// its custom values, saved here.
pub(crate) async fn created_in<R: Kept>(
    tx: &mut Tx,
    ctx: &RequestContext,
    id: i64,
    fields: &R::Fields,
    extra: Vec<FieldChange>,
    custom: &CustomChanges,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut changes = audit_trail::created(&R::audit_view(fields));
    changes.extend(extra);
    changes.extend(custom_fields::save_new(tx, R::KIND, id, custom).await?);
    audit_trail::record(tx, ctx, R::entity(), id, AuditAction::Create, changes, now).await
}

/// The audit line of a new record's owner.
pub(crate) fn owner_line<R: Kept>(owner: UserId) -> Vec<FieldChange> {
    audit_trail::one(R::KIND.owner_column(), None, Some(owner.to_string()))
}

/// An edit asked of a record, checked: its new fields (validated), custom values and owner.
pub(crate) struct Edit<'a, R: Kept> {
    pub fields: Option<R::Fields>,
    pub custom: &'a CustomChanges,
    pub owner: Option<UserId>,
}

impl<R: Kept> Edit<'_, R> {
    /// Saves the edit over `before` inside the caller's transaction: the fields and custom
    /// values as one `update` event, then the new owner as an `owner_change` event. Every
    /// check ran before, so a refusal writes nothing. Returns the keys of the fields that
    /// changed (the owner's column among them), for the rules they set off.
    pub(crate) async fn save_in(
        &self,
        tx: &mut Tx,
        ctx: &RequestContext,
        before: &R,
        expected_version: Option<i64>,
        now: Timestamp,
    ) -> Result<Vec<String>, AppError> {
        let id = before.id();
        let mut changes = Vec::new();
        if let Some(fields) = &self.fields {
            R::update(tx, id, fields, expected_version, now).await?;
            changes = audit_rules::diff(&R::audit_view(before.fields()), &R::audit_view(fields));
        }
        // Where the owner is one of the fields (a task's assignee, an activity's responsible),
        // a new one is a hand-over as on every other kind: an `owner_change` event of its own.
        let column = R::KIND.owner_column();
        let handed_over = changes.iter().position(|c| c.field == column).map(|i| changes.remove(i));
        let edit = custom_fields::Edit {
            record: RecordRef { kind: R::KIND, id },
            before: before.custom(),
            custom: self.custom,
            fields_saved: self.fields.is_some(),
        };
        let mut changed = edit.record(tx, ctx, changes, now).await?;
        let new_owner = if let Some(owner) = self.owner {
            ownership::set_owner(tx, R::KIND, id, owner, now).await?;
            audit_trail::owner_changed(tx, ctx, R::entity(), id, column, before.owner(), owner, now).await?;
            Some(owner)
        } else if let Some(change) = handed_over {
            let owner = change.after.as_deref().and_then(|a| a.parse().ok()).map(UserId);
            audit_trail::record(tx, ctx, R::entity(), id, AuditAction::OwnerChange, vec![change], now)
                .await?;
            owner
        } else {
            None
        };
        if let Some(owner) = new_owner.filter(|o| *o != before.owner()) {
            self.tell_new_owner(tx, ctx, before, owner, now).await?;
            changed.push(column.to_owned());
        }
        Ok(changed)
    }

    /// A task or a deal handed to someone tells them so.
    async fn tell_new_owner(
        &self,
        tx: &mut Tx,
        ctx: &RequestContext,
        before: &R,
        owner: UserId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let kind = match R::KIND {
            RecordKind::Task => NotificationKind::TaskAssigned,
            RecordKind::Deal => NotificationKind::DealAssigned,
            _ => return Ok(()),
        };
        let view = R::audit_view(self.fields.as_ref().unwrap_or(before.fields()));
        let title =
            view.iter().find(|(key, _)| *key == "title").and_then(|(_, v)| v.clone()).unwrap_or_default();
        crate::notifications::assigned_in(tx, ctx, owner, kind, R::entity(), before.id(), &title, now).await
    }
}

/// Reads a record for an edit inside its transaction: the user may edit it, and nobody has
/// saved it since `expected_version`.
pub(crate) async fn edited_in<R: Kept>(
    tx: &mut Tx,
    db: &Db,
    access: &Access,
    id: i64,
    expected_version: Option<i64>,
) -> Result<R, AppError> {
    let before = R::get_in(tx, id).await?;
    R::check(access, db, Action::Edit, &before).await?;
    crate::ownership::check_version(expected_version, before.version())?;
    Ok(before)
}

/// Deletes a record the user may delete, with its fields and custom values in the `delete`
/// event.
pub async fn delete<R: Kept>(db: &Db, access: &Access, id: i64) -> Result<(), AppError> {
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = R::get_in(&mut tx, id).await?;
    access.check_record(R::area(), Action::Delete, before.owner())?;
    ownership::delete(&mut tx, R::KIND, id).await?;
    let mut changes = audit_trail::deleted(&R::audit_view(before.fields()));
    changes.extend(custom_fields::deleted(&mut tx, R::KIND, before.custom()).await?);
    audit_trail::record(&mut tx, &access.context(), R::entity(), id, AuditAction::Delete, changes, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Hands records of one kind to `new_owner` inside a caller's transaction (a bulk hand-over
/// moves several kinds in one); one `owner_change` event per record that changes hands.
/// Returns how many did.
pub(crate) async fn transfer_in(
    tx: &mut Tx,
    access: &Access,
    kind: RecordKind,
    ids: &[i64],
    new_owner: UserId,
    now: Timestamp,
) -> Result<u64, AppError> {
    let (area, column, entity) = (kind.area(), kind.owner_column(), kind.audit_entity().as_str());
    let ctx = access.context();
    let mut moved = 0;
    for &id in ids {
        let before = ownership::owner_in(tx, kind, id).await?;
        access.check_record(area, Action::Edit, before)?;
        if !access.covers_owner(area, Action::Edit, new_owner) {
            return Err(AppError::Forbidden);
        }
        if before == new_owner {
            continue;
        }
        ownership::set_owner(tx, kind, id, new_owner, now).await?;
        audit_trail::owner_changed(tx, &ctx, entity, id, column, before, new_owner, now).await?;
        moved += 1;
    }
    Ok(moved)
}

/// The `Kept` description of each kind: its storage calls under their typed ids.
macro_rules! kept {
    ($record:ty, $fields:ty, $kind:expr, $id:ident, $store:ident, owner = |$r:ident| $owner:expr,
     update = |$e:ident| $refusal:expr $(, $extra:item)*) => {
        impl Kept for $record {
            $($extra)*

            const KIND: RecordKind = $kind;
            type Fields = $fields;

            fn id(&self) -> i64 {
                self.id.0
            }
            fn owner(&self) -> UserId {
                let $r = self;
                $owner
            }
            fn version(&self) -> i64 {
                self.version
            }
            fn fields(&self) -> &$fields {
                &self.fields
            }
            fn custom(&self) -> &CustomValues {
                &self.custom
            }
            fn get(db: &Db, id: i64) -> impl Future<Output = Stored<Self>> + Send {
                $store::get(db, $id(id))
            }
            fn get_in(tx: &mut Tx, id: i64) -> impl Future<Output = Stored<Self>> + Send {
                $store::get_in(tx, $id(id))
            }
            async fn update(
                tx: &mut Tx,
                id: i64,
                fields: &$fields,
                expected_version: Option<i64>,
                now: Timestamp,
            ) -> Result<(), AppError> {
                $store::update(tx, $id(id), fields, expected_version, now).await.map_err(|$e| $refusal)
            }
        }
    };
}

kept!(
    Company,
    CompanyFields,
    RecordKind::Company,
    CompanyId,
    companies,
    owner = |c| c.owner_id,
    update = |e| crate::companies::refusal(e),
    // A company shared with the user may be seen and edited by them too.
    fn check(
        access: &Access,
        db: &Db,
        action: Action,
        company: &Company,
    ) -> impl Future<Output = Result<(), AppError>> + Send {
        access.check_company(db, action, company.owner_id, company.id)
    }
);
kept!(
    Contact,
    ContactFields,
    RecordKind::Contact,
    ContactId,
    contacts,
    owner = |c| c.owner_id,
    update = |e| AppError::from(e)
);
kept!(
    Deal,
    DealFields,
    RecordKind::Deal,
    DealId,
    deals,
    owner = |d| d.owner_id,
    update = |e| AppError::from(e)
);
kept!(
    Task,
    TaskFields,
    RecordKind::Task,
    TaskId,
    tasks,
    owner = |t| t.fields.assignee_id,
    update = |e| AppError::from(e)
);
kept!(
    Activity,
    ActivityFields,
    RecordKind::Activity,
    ActivityId,
    activities,
    owner = |a| a.fields.responsible_id,
    update = |e| AppError::from(e)
);
