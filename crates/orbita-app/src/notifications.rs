//! Notifications: a task or a deal given to someone tells them so, in the same transaction as
//! the change (never when they did it themselves); a task that falls overdue tells its
//! assignee once, found by the workers' scan. Each user reads and marks only their own.

use chrono::Duration;
use orbita_domain::notification::{self, Notification, NotificationKind};
use orbita_domain::{TaskId, Timestamp, UserId};
use orbita_storage::notifications::{self as store, NewNotification};
use orbita_storage::{Db, Tx};

use crate::{Access, AppError, RequestContext};

/// Notifications shown at a time.
pub const PAGE: u64 = 50;
/// How far back the overdue scan looks: a task overdue for longer when it is first scanned
/// (an upgrade, a worker stopped for days) is old news, and a flood of them would bury the rest.
pub const OVERDUE_WINDOW: Duration = Duration::hours(24);
/// Tasks told per scan; the next scan takes the rest.
const SCAN_BATCH: u64 = 500;

/// Tells `recipient` that a record was given to them, unless they gave it themselves.
#[expect(clippy::too_many_arguments, reason = "the notice's parts, each named by its caller")]
pub(crate) async fn assigned_in(
    tx: &mut Tx,
    ctx: &RequestContext,
    recipient: UserId,
    kind: NotificationKind,
    entity: &str,
    entity_id: i64,
    subject: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    if ctx.actor == Some(recipient) {
        return Ok(());
    }
    let subject = notification::subject(subject);
    let new =
        NewNotification { user_id: recipient, kind, entity, entity_id, subject: &subject, unique_key: None };
    store::insert(tx, &new, now).await?;
    Ok(())
}

/// The user's notifications, newest first, before the id `before` (the next page).
pub async fn list(
    db: &Db,
    access: &Access,
    unread_only: bool,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Notification>, AppError> {
    Ok(store::list(db, access.user_id(), unread_only, before, limit).await?)
}

/// One of the user's notifications; another user's is "not found".
pub async fn get(db: &Db, access: &Access, id: i64) -> Result<Notification, AppError> {
    store::get(db, access.user_id(), id).await?.ok_or(AppError::NotFound)
}

pub async fn unread_count(db: &Db, access: &Access) -> Result<i64, AppError> {
    Ok(store::unread_count(db, access.user_id()).await?)
}

/// Marks one of the user's notifications read, or all of them (`None`); how many were unread.
pub async fn mark_read(db: &Db, access: &Access, id: Option<i64>) -> Result<u64, AppError> {
    let mut tx = db.begin().await?;
    let changed = store::mark_read(&mut tx, access.user_id(), id, orbita_domain::now()).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Tells the assignees of tasks that fell due in the last [`OVERDUE_WINDOW`] before `at` and are
/// still open; returns how many were told. Every instance's worker runs it; one at a time
/// takes the batch, and the mark written with the notices makes each go out once.
pub async fn scan_overdue(db: &Db, at: Timestamp) -> Result<usize, AppError> {
    let mut tx = db.begin().await?;
    tx.take_turns("overdue-scan").await?;
    let due = store::overdue_untold_in(&mut tx, at - OVERDUE_WINDOW, at, SCAN_BATCH).await?;
    for task in &due {
        let subject = notification::subject(&task.title);
        let key = format!("task_overdue:{}:{}", task.id, task.due_at.timestamp_micros());
        let new = NewNotification {
            user_id: UserId(task.assignee_id),
            kind: NotificationKind::TaskOverdue,
            entity: "task",
            entity_id: task.id,
            subject: &subject,
            unique_key: Some(&key),
        };
        store::insert(&mut tx, &new, at).await?;
    }
    let ids: Vec<TaskId> = due.iter().map(|t| TaskId(t.id)).collect();
    store::mark_overdue_told(&mut tx, &ids, at).await?;
    tx.commit().await?;
    Ok(due.len())
}
