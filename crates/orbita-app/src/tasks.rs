//! Task use cases: a task's "owner" for rights is its assignee.

use orbita_domain::TaskId;
use orbita_domain::access::{Action, Area};
use orbita_domain::audit::AuditAction;
use orbita_domain::task::{Task, TaskFields, TaskInput};
use orbita_storage::tasks::{self, TaskFilter};
use orbita_storage::{Cursor, Db, Page, Tx};

use orbita_domain::kind::RecordKind;
use serde_json::{Map, Value};

use crate::audit_trail::{self};
use crate::records;
use crate::{Access, AppError, custom_fields, notifications};
use orbita_domain::notification::NotificationKind;

pub async fn list(
    db: &Db,
    access: &Access,
    filter: &TaskFilter,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Task>, AppError> {
    let filter = TaskFilter { visible: access.visibility(Area::Tasks, Action::View)?, ..filter.clone() };
    Ok(tasks::list(db, &filter, after, limit).await?)
}

pub async fn get(db: &Db, access: &Access, id: TaskId) -> Result<Task, AppError> {
    records::get(db, access, id.0).await
}

/// Creates a task inside a caller's transaction (a logged call's follow-up uses this).
pub(crate) async fn create_in(
    tx: &mut Tx,
    access: &Access,
    fields: &TaskFields,
    custom: &custom_fields::CustomChanges,
    now: orbita_domain::Timestamp,
) -> Result<TaskId, AppError> {
    records::check_new_owner::<Task>(access, "assignee_id", fields.assignee_id)?;
    let id = tasks::insert(tx, fields, Some(access.user_id()), now).await?;
    let ctx = access.context();
    records::created_in::<Task>(tx, &ctx, id.0, fields, Vec::new(), custom, now).await?;
    let assigned = NotificationKind::TaskAssigned;
    notifications::assigned_in(tx, &ctx, fields.assignee_id, assigned, "task", id.0, &fields.title, now)
        .await?;
    Ok(id)
}

pub async fn create(db: &Db, access: &Access, input: &TaskInput) -> Result<Task, AppError> {
    create_with_custom(db, access, input, None).await
}

/// `create` with the new task's custom values.
pub async fn create_with_custom(
    db: &Db,
    access: &Access,
    input: &TaskInput,
    custom: Option<&Map<String, Value>>,
) -> Result<Task, AppError> {
    let fields = input.validate()?;
    let custom = custom_fields::read_changes(db, access, RecordKind::Task, custom).await?;
    crate::links::check(db, access, fields.company_id, fields.contact_id, fields.deal_id).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = create_in(&mut tx, access, &fields, &custom, now).await?;
    tx.commit().await?;
    Ok(tasks::get(db, id).await?)
}

/// One edit of a task, as a form or a PATCH sends it: new field values (the assignee among
/// them) and done or open again, either or both.
#[derive(Debug, Clone, Default)]
pub struct TaskChange {
    pub fields: Option<TaskInput>,
    pub done: Option<bool>,
    /// Custom values to set (`null` or `""` clears one); the others stay.
    pub custom: Option<Map<String, Value>>,
}

/// Saves a field edit alone (the task form).
pub async fn update(
    db: &Db,
    access: &Access,
    id: TaskId,
    input: &TaskInput,
    expected_version: Option<i64>,
) -> Result<Task, AppError> {
    let change = TaskChange { fields: Some(input.clone()), ..TaskChange::default() };
    self::change(db, access, id, &change, expected_version).await
}

/// Marks a task done (`true`) or open again (`false`): one click in "My tasks".
pub async fn set_done(db: &Db, access: &Access, id: TaskId, done: bool) -> Result<Task, AppError> {
    self::change(db, access, id, &TaskChange { done: Some(done), ..TaskChange::default() }, None).await
}

/// Saves an edit and done/open in one transaction, after every check has passed (the
/// assignee is the task's owner: a refused one leaves everything unsaved).
pub async fn change(
    db: &Db,
    access: &Access,
    id: TaskId,
    change: &TaskChange,
    expected_version: Option<i64>,
) -> Result<Task, AppError> {
    let fields = change.fields.as_ref().map(TaskInput::validate).transpose()?;
    if let Some(f) = &fields {
        crate::links::check(db, access, f.company_id, f.contact_id, f.deal_id).await?;
    }
    let custom = custom_fields::read_changes(db, access, RecordKind::Task, change.custom.as_ref()).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before: Task = records::edited_in(&mut tx, db, access, id.0, expected_version).await?;
    let (assignee, asked) = (before.fields.assignee_id, fields.as_ref().map(|f| f.assignee_id));
    crate::ownership::new_owner(db, access, Area::Tasks, "assignee_id", assignee, asked).await?;
    let ctx = access.context();
    // The assignee is one of the task's fields: it is saved (and audited) with them.
    let edit = records::Edit { fields, custom: &custom, owner: None };
    edit.save_in(&mut tx, &ctx, &before, expected_version, now).await?;
    if let Some(done) = change.done.filter(|d| *d != before.done_at.is_some()) {
        let done_at = done.then_some(now);
        tasks::set_done(&mut tx, id, done_at, now).await?;
        let changes = audit_trail::one(
            "done_at",
            before.done_at.map(|d| d.to_rfc3339()),
            done_at.map(|d| d.to_rfc3339()),
        );
        audit_trail::record(&mut tx, &ctx, "task", id.0, AuditAction::Update, changes, now).await?;
    }
    tx.commit().await?;
    Ok(tasks::get(db, id).await?)
}

pub async fn delete(db: &Db, access: &Access, id: TaskId) -> Result<(), AppError> {
    records::delete::<Task>(db, access, id.0).await
}
