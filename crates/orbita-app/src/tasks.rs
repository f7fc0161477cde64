//! Task use cases: a task's "owner" for rights is its assignee.

use orbita_domain::access::{Action, Area};
use orbita_domain::audit::{self as audit_rules, AuditAction};
use orbita_domain::task::{Task, TaskFields, TaskInput};
use orbita_domain::{FieldError, TaskId, UserId};
use orbita_storage::tasks::{self, TaskFilter};
use orbita_storage::{Cursor, Db, Page, Tx};

use orbita_domain::kind::{RecordKind, RecordRef};
use serde_json::{Map, Value};

use crate::audit_trail::{self, AuditView};
use crate::{Access, AppError, custom_fields};

fn audit_view(f: &TaskFields) -> AuditView {
    vec![
        ("title", Some(f.title.clone())),
        ("description", f.description.clone()),
        ("due_at", f.due_at.map(|d| d.to_rfc3339())),
        ("assignee_id", Some(f.assignee_id.to_string())),
        ("priority", Some(f.priority.to_string())),
        ("company_id", f.company_id.map(|c| c.to_string())),
        ("contact_id", f.contact_id.map(|c| c.to_string())),
        ("deal_id", f.deal_id.map(|d| d.to_string())),
    ]
}

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
    let task = tasks::get(db, id).await?;
    access.check_record(Area::Tasks, Action::View, task.fields.assignee_id)?;
    Ok(task)
}

/// Creates a task inside a caller's transaction (a logged call's follow-up uses this).
pub(crate) async fn create_in(
    tx: &mut Tx,
    access: &Access,
    fields: &TaskFields,
    custom: &custom_fields::CustomChanges,
    now: orbita_domain::Timestamp,
) -> Result<TaskId, AppError> {
    access.require(Area::Tasks, Action::Create)?;
    if !access.covers_owner(Area::Tasks, Action::Create, fields.assignee_id) {
        return Err(FieldError::new(
            "assignee_id",
            "owner-out-of-scope",
            "You cannot give tasks to this user",
        )
        .into());
    }
    let id = tasks::insert(tx, fields, Some(access.user_id()), now).await?;
    let mut changes = audit_trail::created(&audit_view(fields));
    changes.extend(custom_fields::save_new(tx, RecordKind::Task, id.0, custom).await?);
    audit_trail::record(tx, &access.context(), "task", id.0, AuditAction::Create, changes, now).await?;
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
    let before = tasks::get_in(&mut tx, id).await?;
    let assignee = before.fields.assignee_id;
    access.check_record(Area::Tasks, Action::Edit, assignee)?;
    crate::ownership::check_version(expected_version, before.version)?;
    let asked = fields.as_ref().map(|f| f.assignee_id);
    crate::ownership::new_owner(db, access, Area::Tasks, "assignee_id", assignee, asked).await?;
    let ctx = access.context();
    let mut changes = Vec::new();
    if let Some(fields) = &fields {
        tasks::update(&mut tx, id, fields, expected_version, now).await?;
        changes = audit_rules::diff(&audit_view(&before.fields), &audit_view(fields));
    }
    let record = RecordRef { kind: RecordKind::Task, id: id.0 };
    let edit = custom_fields::Edit {
        record,
        before: &before.custom,
        custom: &custom,
        fields_saved: fields.is_some(),
    };
    edit.record(&mut tx, &ctx, changes, now).await?;
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
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = tasks::get_in(&mut tx, id).await?;
    access.check_record(Area::Tasks, Action::Delete, before.fields.assignee_id)?;
    tasks::delete(&mut tx, id).await?;
    let mut changes = audit_trail::deleted(&audit_view(&before.fields));
    changes.extend(custom_fields::deleted(&mut tx, RecordKind::Task, &before.custom).await?);
    audit_trail::record(&mut tx, &access.context(), "task", id.0, AuditAction::Delete, changes, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The transfer inside a caller's transaction; returns how many tasks changed hands.
pub(crate) async fn transfer_in(
    tx: &mut Tx,
    access: &Access,
    ids: &[TaskId],
    new_assignee: UserId,
    now: orbita_domain::Timestamp,
) -> Result<u64, AppError> {
    let mut moved = 0;
    for id in ids {
        let before = tasks::get_in(tx, *id).await?;
        access.check_record(Area::Tasks, Action::Edit, before.fields.assignee_id)?;
        if !access.covers_owner(Area::Tasks, Action::Edit, new_assignee) {
            return Err(AppError::Forbidden);
        }
        if before.fields.assignee_id == new_assignee {
            continue;
        }
        orbita_storage::ownership::set_task_assignee(tx, *id, new_assignee, now).await?;
        let (ctx, before) = (access.context(), before.fields.assignee_id);
        audit_trail::owner_changed(tx, &ctx, "task", id.0, "assignee_id", before, new_assignee, now).await?;
        moved += 1;
    }
    Ok(moved)
}
