//! Activity use cases: the register of calls, meetings, e-mails and notes. Logging a call can
//! create its follow-up task in the same transaction ("call back on Friday").

use orbita_domain::access::{Action, Area};
use orbita_domain::activity::{Activity, ActivityFields, ActivityInput};
use orbita_domain::task::{TaskFields, TaskInput};
use orbita_domain::{ActivityId, TaskId};
use orbita_storage::activities::{self, ActivityFilter};
use orbita_storage::{Cursor, Db, Page};

use orbita_domain::kind::RecordKind;
use serde_json::{Map, Value};

use crate::records;
use crate::{Access, AppError, custom_fields, tasks};

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
    records::get(db, access, id.0).await
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
    records::check_new_owner::<Activity>(access, "responsible_id", fields.responsible_id)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = activities::insert(&mut tx, &fields, Some(access.user_id()), now).await?;
    records::created_in::<Activity>(&mut tx, &access.context(), id.0, &fields, Vec::new(), &custom, now)
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
    let before: Activity = records::edited_in(&mut tx, db, access, id.0, expected_version).await?;
    let edit = records::Edit { fields: Some(fields), custom: &custom, owner: None };
    edit.save_in(&mut tx, &access.context(), &before, expected_version, now).await?;
    tx.commit().await?;
    Ok(activities::get(db, id).await?)
}

pub async fn delete(db: &Db, access: &Access, id: ActivityId) -> Result<(), AppError> {
    records::delete::<Activity>(db, access, id.0).await
}
