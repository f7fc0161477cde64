//! "My day": a manager's and a team's figures for today, and the deals that need a step. Every
//! query reads an index by owner (`tasks_assignee_open`, `deals_owner_next_step`,
//! `deals_owner_stage_entered`, `deals_owner_status`), so a head of sales' team costs a range per
//! person, not a pass over the deals.

use std::collections::BTreeMap;

use orbita_domain::deal::Deal;
use orbita_domain::{Timestamp, UserId};
use sea_query::{Expr, ExprTrait, Func, Order, Query, SelectStatement};

use crate::db::Db;
use crate::error::Result;

/// One person's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerFigures {
    pub owner_id: UserId,
    /// Open tasks due before now.
    pub overdue_tasks: i64,
    /// Open tasks due from now to the end of the day.
    pub today_tasks: i64,
    /// Open deals with no open task and no planned call or meeting.
    pub without_next_step: i64,
    /// Open deals in their stage since before the "stuck" moment.
    pub stuck: i64,
}

impl OwnerFigures {
    /// Someone with nothing to count.
    pub fn nothing(owner_id: UserId) -> OwnerFigures {
        OwnerFigures { owner_id, overdue_tasks: 0, today_tasks: 0, without_next_step: 0, stuck: 0 }
    }
}

/// The moments the figures are counted at: now, the end of today and the "stuck" line, all in
/// the organisation's time zone already.
#[derive(Debug, Clone, Copy)]
pub struct Moments {
    pub now: Timestamp,
    pub day_end: Timestamp,
    pub stuck_before: Timestamp,
}

/// The figures of these owners (`None`: everyone), one entry per owner who has any.
pub async fn figures(db: &Db, owners: Option<&[UserId]>, at: Moments) -> Result<Vec<OwnerFigures>> {
    let mut tasks = Query::select();
    tasks
        .column("assignee_id")
        .expr(count_where(Expr::col("due_at").lt(at.now)))
        .expr(count_where(Expr::col("due_at").gte(at.now)))
        .from("tasks")
        .and_where(Expr::col("done_at").is_null())
        .and_where(Expr::col("due_at").lt(at.day_end))
        .group_by_col("assignee_id");
    of_owners(&mut tasks, "assignee_id", owners);
    let task_counts: Vec<(i64, i64, i64)> = db.fetch_all(&tasks).await?;

    let mut deals = Query::select();
    deals
        .column("owner_id")
        .expr(count_where(Expr::col("open_steps").eq(0)))
        .expr(count_where(Expr::col("stage_entered_at").lt(at.stuck_before)))
        .from("deals")
        .and_where(Expr::col("status").eq("open"))
        .group_by_col("owner_id");
    of_owners(&mut deals, "owner_id", owners);
    let deal_counts: Vec<(i64, i64, i64)> = db.fetch_all(&deals).await?;

    let mut figures: BTreeMap<i64, OwnerFigures> = BTreeMap::new();
    for (owner, overdue, today) in task_counts {
        let f = figures.entry(owner).or_insert_with(|| OwnerFigures::nothing(UserId(owner)));
        (f.overdue_tasks, f.today_tasks) = (overdue, today);
    }
    for (owner, without, stuck) in deal_counts {
        let f = figures.entry(owner).or_insert_with(|| OwnerFigures::nothing(UserId(owner)));
        (f.without_next_step, f.stuck) = (without, stuck);
    }
    Ok(figures.into_values().collect())
}

/// These owners' open deals without a next step, the longest waiting in their stage first.
pub async fn without_next_step(db: &Db, owners: Option<&[UserId]>, limit: u64) -> Result<Vec<Deal>> {
    let mut stmt = open_deals(owners);
    stmt.and_where(Expr::col(("deals", "open_steps")).eq(0));
    longest_waiting_first(&mut stmt, limit);
    crate::deals::select(db, stmt).await
}

/// These owners' open deals in their stage since before `before`, the longest first.
pub async fn stuck(db: &Db, owners: Option<&[UserId]>, before: Timestamp, limit: u64) -> Result<Vec<Deal>> {
    let mut stmt = open_deals(owners);
    stmt.and_where(Expr::col(("deals", "stage_entered_at")).lt(before));
    longest_waiting_first(&mut stmt, limit);
    crate::deals::select(db, stmt).await
}

/// These owners' deals won since `from`, the latest first.
pub async fn won_since(db: &Db, owners: Option<&[UserId]>, from: Timestamp, limit: u64) -> Result<Vec<Deal>> {
    let mut stmt = Query::select();
    stmt.from("deals")
        .and_where(Expr::col(("deals", "status")).eq("won"))
        .and_where(Expr::col(("deals", "closed_at")).gte(from))
        .order_by(("deals", "closed_at"), Order::Desc)
        .order_by(("deals", "id"), Order::Desc)
        .limit(limit);
    of_owners(&mut stmt, "owner_id", owners);
    crate::deals::select(db, stmt).await
}

/// Count and sum per currency of these owners' deals won since `from`.
pub async fn won_totals(
    db: &Db,
    owners: Option<&[UserId]>,
    from: Timestamp,
) -> Result<Vec<(String, i64, i64)>> {
    let mut stmt = Query::select();
    stmt.column("currency")
        .expr(Expr::col("id").count())
        .expr(Expr::cust("CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT)"))
        .from("deals")
        .and_where(Expr::col("status").eq("won"))
        .and_where(Expr::col("closed_at").gte(from))
        .group_by_col("currency");
    of_owners(&mut stmt, "owner_id", owners);
    db.fetch_all(&stmt).await
}

/// How many rows of a group meet `condition`, as a 64-bit integer on both databases.
fn count_where(condition: Expr) -> Expr {
    Func::cast_as(Func::sum(Expr::case(condition, 1).finally(0)), "BIGINT").into()
}

fn open_deals(owners: Option<&[UserId]>) -> SelectStatement {
    let mut stmt = Query::select();
    stmt.from("deals").and_where(Expr::col(("deals", "status")).eq("open"));
    of_owners(&mut stmt, "owner_id", owners);
    stmt
}

fn longest_waiting_first(stmt: &mut SelectStatement, limit: u64) {
    stmt.order_by(("deals", "stage_entered_at"), Order::Asc)
        .order_by(("deals", "id"), Order::Asc)
        .limit(limit);
}

fn of_owners(stmt: &mut SelectStatement, column: &'static str, owners: Option<&[UserId]>) {
    if let Some(owners) = owners {
        stmt.and_where(Expr::col(column).is_in(owners.iter().map(|o| o.0)));
    }
}
