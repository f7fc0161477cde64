//! Notifications: a task or a deal given to someone tells them so, in the same transaction as
//! the change (never when they did it themselves); a task that falls overdue tells its
//! assignee once, found by the workers' scan. Each user reads and marks only their own, and
//! chooses per kind whether it shows in the bell, comes by e-mail (batched), or neither.

mod mail;
mod preferences;

pub use mail::{DIGEST_STUCK_AFTER, MAIL_BATCH, scan_digests, sweep_mail};
pub(crate) use mail::{send_batch, send_digest};
pub use preferences::{preferences, save_preferences};

use chrono::Duration;
use orbita_domain::notification::{self, Notification, NotificationKind, Preference};
use orbita_domain::{DealId, RoleId, TaskId, Timestamp, UserId};
use std::collections::HashMap;

use orbita_domain::access::{Action, Area};
use orbita_domain::user::BuiltinRole;
use orbita_storage::notification_preferences as pref_store;
use orbita_storage::notifications::{self as store, NewNotification, OverdueNotice, OverdueTask};
use orbita_storage::{Db, Tx, users};

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
    tell_in(tx, recipient, kind, (entity, entity_id), subject, None, now).await
}

/// Writes a notification as its recipient chose for its kind: in the bell, waiting for their
/// next e-mail batch (queued with it), both, or not at all.
pub(crate) async fn tell_in(
    tx: &mut Tx,
    recipient: UserId,
    kind: NotificationKind,
    (entity, entity_id): (&str, i64),
    subject: &str,
    unique_key: Option<&str>,
    now: Timestamp,
) -> Result<(), AppError> {
    let choice = pref_store::get_in(tx, recipient, kind).await?.unwrap_or(Preference::default_for(kind));
    if !choice.in_app && !choice.email {
        return Ok(());
    }
    let subject = notification::subject(subject);
    let new = NewNotification {
        user_id: recipient,
        kind,
        entity,
        entity_id,
        subject: &subject,
        unique_key,
        in_app: choice.in_app,
        email: choice.email,
    };
    if let (Some(id), true) = (store::insert(tx, &new, now).await?, choice.email) {
        mail::queue_batch_in(tx, recipient, id, now).await?;
    }
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
/// still open, then the heads of sales of those overdue for the organisation's delay. Every
/// instance's worker runs it; one at a time takes the batch, and the mark written with the
/// notices makes each go out once.
pub async fn scan_overdue(db: &Db, at: Timestamp) -> Result<Scanned, AppError> {
    let delay = crate::setup::settings(db).await?.overdue_escalation_minutes;
    let mut tx = db.begin().await?;
    tx.take_turns("overdue-scan").await?;
    let due =
        store::overdue_without(&mut tx, OverdueNotice::Assignee, at - OVERDUE_WINDOW, at, SCAN_BATCH).await?;
    for task in &due {
        let to = UserId(task.assignee_id);
        tell_overdue(&mut tx, task, to, NotificationKind::TaskOverdue, &task.title, at).await?;
        // A deal's task falling overdue sets off its pipeline's `task_overdue` rules, once, as
        // the notice is sent once.
        if let Some(deal) = task.deal_id {
            let pipeline = match orbita_storage::deals::get_in(&mut tx, DealId(deal)).await {
                Ok(deal) => deal.pipeline_id,
                // A deleted deal has no rules to set off.
                Err(orbita_storage::StorageError::NotFound) => continue,
                Err(other) => return Err(other.into()),
            };
            let event = crate::automation::DealEvent::TaskOverdue(task.id);
            crate::automation::deal_event_in(&mut tx, DealId(deal), pipeline, event, 0, at).await?;
        }
    }
    let mut scanned = Scanned { assignees: due.len(), escalated: 0 };
    let ids: Vec<TaskId> = due.iter().map(|t| TaskId(t.id)).collect();
    store::mark_overdue(&mut tx, OverdueNotice::Assignee, &ids, at).await?;
    if delay > 0 {
        let until = at - Duration::minutes(delay);
        let late =
            store::overdue_without(&mut tx, OverdueNotice::Heads, until - OVERDUE_WINDOW, until, SCAN_BATCH)
                .await?;
        let mut heads: HashMap<UserId, Vec<UserId>> = HashMap::new();
        // Read once per scan, and only when some task is late enough.
        let (people, head_role) = if late.is_empty() {
            (Vec::new(), None)
        } else {
            let role = users::role_by_key(db, BuiltinRole::HeadOfSales.as_str()).await?.id;
            (users::list(db).await?, Some(role))
        };
        for task in &late {
            let assignee = UserId(task.assignee_id);
            if let std::collections::hash_map::Entry::Vacant(entry) = heads.entry(assignee) {
                entry.insert(heads_of(db, assignee, head_role).await?);
            }
            let name = people.iter().find(|u| u.id == assignee).map_or("", |u| u.name.as_str());
            let subject = format!("{} — {name}", task.title);
            for head in heads.get(&assignee).into_iter().flatten() {
                tell_overdue(&mut tx, task, *head, NotificationKind::TeamTaskOverdue, &subject, at).await?;
            }
        }
        scanned.escalated = late.len();
        let ids: Vec<TaskId> = late.iter().map(|t| TaskId(t.id)).collect();
        store::mark_overdue(&mut tx, OverdueNotice::Heads, &ids, at).await?;
    }
    tx.commit().await?;
    Ok(scanned)
}

/// What one scan did: how many overdue tasks' assignees were told, and how many tasks were
/// reported to heads of sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scanned {
    pub assignees: usize,
    pub escalated: usize,
}

async fn tell_overdue(
    tx: &mut Tx,
    task: &OverdueTask,
    to: UserId,
    kind: NotificationKind,
    subject: &str,
    at: Timestamp,
) -> Result<(), AppError> {
    let key = format!("{}:{}:{}:{}", kind.as_str(), task.id, to, task.due_at.timestamp_micros());
    tell_in(tx, to, kind, ("task", task.id), subject, Some(&key), at).await
}

/// The heads of sales of the assignee's groups who may see the assignee's tasks: a notice
/// never names a task its reader could not open.
async fn heads_of(db: &Db, assignee: UserId, head_role: Option<RoleId>) -> Result<Vec<UserId>, AppError> {
    heads_seeing(db, assignee, head_role, Area::Tasks).await
}

/// The heads of sales (`head_role`) of `user`'s groups who may see `user`'s records of `area`.
pub(crate) async fn heads_seeing(
    db: &Db,
    user: UserId,
    head_role: Option<RoleId>,
    area: Area,
) -> Result<Vec<UserId>, AppError> {
    let mut heads = Vec::new();
    for group in users::groups_of(db, user).await? {
        for member in users::group_members(db, group).await? {
            if member == user || heads.contains(&member) {
                continue;
            }
            let Ok(access) = Access::load(db, member, None).await else { continue };
            if Some(access.user.role_id) == head_role && access.check_record(area, Action::View, user).is_ok()
            {
                heads.push(member);
            }
        }
    }
    Ok(heads)
}
