//! Activity use cases: the register of calls, meetings, e-mails and notes. Logging a call can
//! create its follow-up task in the same transaction ("call back on Friday").

use orbita_domain::access::{Action, Area};
use orbita_domain::activity::{Activity, ActivityFields, ActivityInput};
use orbita_domain::audit::{self as audit_rules, AuditAction};
use orbita_domain::task::{TaskFields, TaskInput};
use orbita_domain::{ActivityId, FieldError, TaskId};
use orbita_storage::activities::{self, ActivityFilter};
use orbita_storage::{Cursor, Db, Page};

use orbita_domain::kind::{RecordKind, RecordRef};
use serde_json::{Map, Value};

use crate::audit_trail::{self, AuditView};
use crate::{Access, AppError, custom_fields, tasks};

fn audit_view(f: &ActivityFields) -> AuditView {
    vec![
        ("kind", Some(f.kind.to_string())),
        ("direction", f.direction.map(|d| d.to_string())),
        ("status", Some(f.status.to_string())),
        ("occurred_at", Some(f.occurred_at.to_rfc3339())),
        ("duration_minutes", f.duration_minutes.map(|m| m.to_string())),
        ("subject", Some(f.subject.clone())),
        ("responsible_id", Some(f.responsible_id.to_string())),
        ("company_id", f.company_id.map(|c| c.to_string())),
        ("contact_id", f.contact_id.map(|c| c.to_string())),
        ("deal_id", f.deal_id.map(|d| d.to_string())),
    ]
}

pub async fn list(
    db: &Db,
    access: &Access,
    filter: &ActivityFilter,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Activity>, AppError> {
    let filter =
        ActivityFilter { visible: access.visibility(Area::Activities, Action::View)?, ..filter.clone() };
    Ok(activities::list(db, &filter, after, limit).await?)
}

pub async fn get(db: &Db, access: &Access, id: ActivityId) -> Result<Activity, AppError> {
    let activity = activities::get(db, id).await?;
    access.check_record(Area::Activities, Action::View, activity.fields.responsible_id)?;
    Ok(activity)
}

/// Logs an activity, and with `follow_up` also creates that task, both or neither.
pub async fn log(
    db: &Db,
    access: &Access,
    input: &ActivityInput,
    follow_up: Option<&TaskInput>,
) -> Result<(Activity, Option<TaskId>), AppError> {
    log_with_custom(db, access, input, follow_up, None).await
}

/// `log` with the activity's custom values.
pub async fn log_with_custom(
    db: &Db,
    access: &Access,
    input: &ActivityInput,
    follow_up: Option<&TaskInput>,
    custom: Option<&Map<String, Value>>,
) -> Result<(Activity, Option<TaskId>), AppError> {
    access.require(Area::Activities, Action::Create)?;
    let mut errors = orbita_domain::ValidationErrors::default();
    let fields = match input.validate() {
        Ok(fields) => Some(fields),
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    let task_fields = match follow_up.map(TaskInput::validate).transpose() {
        Ok(fields) => fields,
        Err(e) => {
            // The follow-up's fields are reported under `task_…` next to the activity's own.
            errors.0.extend(e.0.into_iter().map(|err| {
                let field = format!("task_{}", err.field);
                err.for_field(field)
            }));
            None
        }
    };
    let Some(fields) = fields.filter(|_| errors.is_empty()) else { return Err(errors.into()) };
    let custom = custom_fields::read_changes(db, access, RecordKind::Activity, custom).await?;
    crate::links::check(db, access, fields.company_id, fields.contact_id, fields.deal_id).await?;
    if !access.covers_owner(Area::Activities, Action::Create, fields.responsible_id) {
        return Err(
            FieldError::new("responsible_id", "owner-out-of-scope", "You cannot log for this user").into()
        );
    }
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = activities::insert(&mut tx, &fields, Some(access.user_id()), now).await?;
    let mut changes = audit_trail::created(&audit_view(&fields));
    changes.extend(custom_fields::save_new(&mut tx, RecordKind::Activity, id.0, &custom).await?);
    audit_trail::record(&mut tx, &access.context(), "activity", id.0, AuditAction::Create, changes, now)
        .await?;
    let task = match task_fields {
        Some(task) => {
            let none = custom_fields::CustomChanges::default();
            Some(tasks::create_in(&mut tx, access, &linked_like(task, &fields), &none, now).await?)
        }
        None => None,
    };
    tx.commit().await?;
    Ok((activities::get(db, id).await?, task))
}

/// A follow-up task points at what the activity points at, unless it says otherwise.
fn linked_like(mut task: TaskFields, activity: &ActivityFields) -> TaskFields {
    task.company_id = task.company_id.or(activity.company_id);
    task.contact_id = task.contact_id.or(activity.contact_id);
    task.deal_id = task.deal_id.or(activity.deal_id);
    task
}

pub async fn update(
    db: &Db,
    access: &Access,
    id: ActivityId,
    input: &ActivityInput,
    expected_version: Option<i64>,
) -> Result<Activity, AppError> {
    update_with_custom(db, access, id, input, None, expected_version).await
}

/// `update` with custom values to set (`null` or `""` clears one; the others stay).
pub async fn update_with_custom(
    db: &Db,
    access: &Access,
    id: ActivityId,
    input: &ActivityInput,
    custom: Option<&Map<String, Value>>,
    expected_version: Option<i64>,
) -> Result<Activity, AppError> {
    let fields = input.validate()?;
    let custom = custom_fields::read_changes(db, access, RecordKind::Activity, custom).await?;
    crate::links::check(db, access, fields.company_id, fields.contact_id, fields.deal_id).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = activities::get_in(&mut tx, id).await?;
    access.check_record(Area::Activities, Action::Edit, before.fields.responsible_id)?;
    activities::update(&mut tx, id, &fields, expected_version, now).await?;
    let changes = audit_rules::diff(&audit_view(&before.fields), &audit_view(&fields));
    let ctx = access.context();
    let record = RecordRef { kind: RecordKind::Activity, id: id.0 };
    let edit = custom_fields::Edit { record, before: &before.custom, custom: &custom, fields_saved: true };
    edit.record(&mut tx, &ctx, changes, now).await?;
    tx.commit().await?;
    Ok(activities::get(db, id).await?)
}

pub async fn delete(db: &Db, access: &Access, id: ActivityId) -> Result<(), AppError> {
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = activities::get_in(&mut tx, id).await?;
    access.check_record(Area::Activities, Action::Delete, before.fields.responsible_id)?;
    activities::delete(&mut tx, id).await?;
    let mut changes = audit_trail::deleted(&audit_view(&before.fields));
    changes.extend(custom_fields::deleted(&mut tx, RecordKind::Activity, &before.custom).await?);
    audit_trail::record(&mut tx, &access.context(), "activity", id.0, AuditAction::Delete, changes, now)
        .await?;
    tx.commit().await?;
    Ok(())
}
