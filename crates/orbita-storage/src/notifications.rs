//! Notifications: written inside the change they tell of (or by the overdue scan), read by
//! their user only, newest first.

use orbita_domain::notification::{MailState, Notification, NotificationKind};
use orbita_domain::{TaskId, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::values::{corrupt, table_row};

const TABLE: &str = "notifications";

/// A notification to write.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    pub user_id: UserId,
    pub kind: NotificationKind,
    pub entity: &'a str,
    pub entity_id: i64,
    pub subject: &'a str,
    /// At most one notification ever holds a key.
    pub unique_key: Option<&'a str>,
    /// Shown in the bell; false when the user wants only the e-mail.
    pub in_app: bool,
    /// Waits for the user's next e-mail batch.
    pub email: bool,
}

/// Only the notifications shown in the bell; written as SQL, not a bound value, so that the
/// partial index `notifications_unread` applies.
fn in_app() -> Expr {
    Expr::cust("in_app")
}

/// Writes a notification; its id, or `None` when its key was taken.
pub async fn insert(tx: &mut Tx, n: &NewNotification<'_>, now: Timestamp) -> Result<Option<i64>> {
    let stmt = Query::insert()
        .into_table(TABLE)
        .columns([
            "user_id",
            "kind",
            "entity",
            "entity_id",
            "subject",
            "unique_key",
            "in_app",
            "mail_state",
            "created_at",
        ])
        .values_panic([
            n.user_id.0.into(),
            n.kind.as_str().into(),
            n.entity.into(),
            n.entity_id.into(),
            n.subject.into(),
            n.unique_key.map(str::to_owned).into(),
            n.in_app.into(),
            n.email.then_some(MailState::Pending.as_str()).into(),
            now.into(),
        ])
        .on_conflict(OnConflict::column("unique_key").do_nothing().to_owned())
        .returning_col("id")
        .to_owned();
    let id: Option<(i64,)> = tx.fetch_optional(&stmt).await?;
    Ok(id.map(|(id,)| id))
}

table_row! {
    struct Row {
        id: i64,
        user_id: i64,
        kind: String,
        entity: String,
        entity_id: i64,
        subject: String,
        read_at: Option<Timestamp>,
        created_at: Timestamp,
    }
}

/// A user's notifications, newest first, before `before` (an id: the next page), only unread
/// ones when asked.
pub async fn list(
    db: &Db,
    user: UserId,
    unread_only: bool,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Notification>> {
    let mut stmt = Query::select();
    stmt.columns(COLUMNS)
        .from(TABLE)
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(in_app())
        .order_by("id", Order::Desc)
        .limit(limit);
    if unread_only {
        stmt.and_where(Expr::col("read_at").is_null());
    }
    if let Some(before) = before {
        stmt.and_where(Expr::col("id").lt(before));
    }
    let rows: Vec<Row> = db.fetch_all(&stmt).await?;
    rows.into_iter().map(notification).collect()
}

fn notification(r: Row) -> Result<Notification> {
    Ok(Notification {
        kind: NotificationKind::parse(&r.kind)
            .ok_or_else(|| corrupt(format!("notification {:?}", r.kind)))?,
        id: r.id,
        user_id: UserId(r.user_id),
        entity: r.entity,
        entity_id: r.entity_id,
        subject: r.subject,
        read_at: r.read_at,
        created_at: r.created_at,
    })
}

/// One of a user's notifications by id.
pub async fn get(db: &Db, user: UserId, id: i64) -> Result<Option<Notification>> {
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(TABLE)
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(Expr::col("id").eq(id))
        .and_where(in_app())
        .to_owned();
    let row: Option<Row> = db.fetch_optional(&stmt).await?;
    row.map(notification).transpose()
}

/// How many unread notifications a user has: the bell's number.
pub async fn unread_count(db: &Db, user: UserId) -> Result<i64> {
    let stmt = Query::select()
        .expr(Expr::col("id").count())
        .from(TABLE)
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(Expr::col("read_at").is_null())
        .and_where(in_app())
        .to_owned();
    let (count,): (i64,) = db.fetch_one(&stmt).await?;
    Ok(count)
}

/// Marks one of the user's notifications read (`Some(id)`) or all of them; how many changed.
pub async fn mark_read(tx: &mut Tx, user: UserId, id: Option<i64>, now: Timestamp) -> Result<u64> {
    let mut stmt = Query::update();
    stmt.table(TABLE)
        .value("read_at", now)
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(Expr::col("read_at").is_null())
        .and_where(in_app());
    if let Some(id) = id {
        stmt.and_where(Expr::col("id").eq(id));
    }
    tx.execute(&stmt).await
}

/// A user's notifications waiting for an e-mail, made at `until` or before, oldest first (read
/// ones too: the batch skips them).
pub async fn mail_pending(
    tx: &mut Tx,
    user: UserId,
    until: Timestamp,
    limit: u64,
) -> Result<Vec<Notification>> {
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(TABLE)
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(Expr::cust("mail_state = 'pending'"))
        .and_where(Expr::col("created_at").lte(until))
        .order_by("id", Order::Asc)
        .limit(limit)
        .to_owned();
    let rows: Vec<Row> = tx.fetch_all(&stmt).await?;
    rows.into_iter().map(notification).collect()
}

/// Whether any of the user's notifications made at `until` or before waits for an e-mail: one
/// indexed read outside a transaction, so a batch with nothing left to send (taken by an
/// earlier one: the common case) costs one round trip.
pub async fn mail_waiting(db: &Db, user: UserId, until: Timestamp) -> Result<bool> {
    let stmt = Query::select()
        .column("id")
        .from(TABLE)
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(Expr::cust("mail_state = 'pending'"))
        .and_where(Expr::col("created_at").lte(until))
        .limit(1)
        .to_owned();
    let found: Option<(i64,)> = db.fetch_optional(&stmt).await?;
    Ok(found.is_some())
}

/// Whether another of the user's notifications than `id` waits for an e-mail: its batch is
/// queued already and will take this one too.
pub async fn mail_waiting_besides(tx: &mut Tx, user: UserId, id: i64) -> Result<bool> {
    let stmt = Query::select()
        .column("id")
        .from(TABLE)
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(Expr::cust("mail_state = 'pending'"))
        .and_where(Expr::col("id").ne(id))
        .limit(1)
        .to_owned();
    let found: Option<(i64,)> = tx.fetch_optional(&stmt).await?;
    Ok(found.is_some())
}

/// Users with a notification waiting for an e-mail since before `before` (a batch that raced
/// with it and missed it), and the id of their oldest such: up to `limit`.
pub async fn mail_stragglers(db: &Db, before: Timestamp, limit: u64) -> Result<Vec<(i64, i64)>> {
    let stmt = Query::select()
        .column("user_id")
        .expr(Expr::col("id").min())
        .from(TABLE)
        .and_where(Expr::cust("mail_state = 'pending'"))
        .and_where(Expr::col("created_at").lt(before))
        .group_by_col("user_id")
        .limit(limit)
        .to_owned();
    db.fetch_all(&stmt).await
}

/// Records where the e-mail of the notifications `ids` is.
pub async fn set_mail_state(tx: &mut Tx, ids: &[i64], state: MailState) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let stmt = Query::update()
        .table(TABLE)
        .value("mail_state", state.as_str())
        .and_where(Expr::col("id").is_in(ids.iter().copied()))
        .to_owned();
    tx.execute(&stmt).await?;
    Ok(())
}

/// Which overdue notice a task has had: its assignee told, or their heads of sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverdueNotice {
    Assignee,
    Heads,
}

impl OverdueNotice {
    fn column(self) -> &'static str {
        match self {
            OverdueNotice::Assignee => "overdue_notified_at",
            OverdueNotice::Heads => "overdue_escalated_at",
        }
    }
}

/// An open task that fell due in the scanned window and has not had the notice.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OverdueTask {
    pub id: i64,
    pub title: String,
    pub assignee_id: i64,
    pub due_at: Timestamp,
    /// The deal the task is about, whose rules its falling overdue sets off.
    pub deal_id: Option<i64>,
}

/// Up to `limit` open tasks due in `from..to` that have not had `notice`, earliest first: a
/// range over the partial index of that notice (`tasks_overdue_untold`,
/// `tasks_overdue_unescalated`).
pub async fn overdue_without(
    tx: &mut Tx,
    notice: OverdueNotice,
    from: Timestamp,
    to: Timestamp,
    limit: u64,
) -> Result<Vec<OverdueTask>> {
    let stmt = Query::select()
        .columns(["id", "title", "assignee_id", "due_at", "deal_id"])
        .from("tasks")
        .and_where(Expr::col("done_at").is_null())
        .and_where(Expr::col(notice.column()).is_null())
        .and_where(Expr::col("due_at").gte(from))
        .and_where(Expr::col("due_at").lt(to))
        .order_by("due_at", Order::Asc)
        .limit(limit)
        .to_owned();
    tx.fetch_all(&stmt).await
}

/// Marks tasks as having had `notice`.
pub async fn mark_overdue(tx: &mut Tx, notice: OverdueNotice, ids: &[TaskId], now: Timestamp) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let stmt = Query::update()
        .table("tasks")
        .value(notice.column(), now)
        .and_where(Expr::col("id").is_in(ids.iter().map(|t| t.0)))
        .to_owned();
    tx.execute(&stmt).await?;
    Ok(())
}
