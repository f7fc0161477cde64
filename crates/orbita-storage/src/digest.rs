//! What a user's daily digest lists: their open tasks due by the end of the day (overdue ones
//! first) and their open deals that have stayed in one stage too long.

use orbita_domain::{Timestamp, UserId};
use sea_query::{Expr, ExprTrait, Order, Query};

use crate::db::Db;
use crate::error::Result;

/// A line of the digest: a record's id, its title and its time (a task's due time, the moment
/// a deal entered its stage).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Line {
    pub id: i64,
    pub title: String,
    pub at: Timestamp,
}

/// Up to `limit` of the user's open tasks due before `until`, earliest first (over
/// `tasks_assignee_open`).
pub async fn tasks_due(db: &Db, user: UserId, until: Timestamp, limit: u64) -> Result<Vec<Line>> {
    let stmt = Query::select()
        .column("id")
        .column("title")
        .expr_as(Expr::col("due_at"), "at")
        .from("tasks")
        .and_where(Expr::col("assignee_id").eq(user.0))
        .and_where(Expr::col("done_at").is_null())
        .and_where(Expr::col("due_at").lt(until))
        .order_by("due_at", Order::Asc)
        .limit(limit)
        .to_owned();
    db.fetch_all(&stmt).await
}

/// Up to `limit` of the user's open deals that entered their stage before `before` (or, never
/// moved, were made before it), longest waiting first.
pub async fn stuck_deals(db: &Db, owner: UserId, before: Timestamp, limit: u64) -> Result<Vec<Line>> {
    let entered = "COALESCE(MAX(deal_stage_changes.changed_at), deals.created_at)";
    let stmt = Query::select()
        .column(("deals", "id"))
        .column(("deals", "title"))
        .expr_as(Expr::cust(entered), "at")
        .from("deals")
        .left_join(
            "deal_stage_changes",
            Expr::col(("deal_stage_changes", "deal_id"))
                .equals(("deals", "id"))
                .and(Expr::col(("deal_stage_changes", "to_stage_id")).equals(("deals", "stage_id"))),
        )
        .and_where(Expr::col(("deals", "owner_id")).eq(owner.0))
        .and_where(Expr::col(("deals", "status")).eq("open"))
        .group_by_columns([("deals", "id"), ("deals", "title"), ("deals", "created_at")])
        .and_having(Expr::cust(entered).lt(before))
        .order_by_expr(Expr::cust(entered), Order::Asc)
        .limit(limit)
        .to_owned();
    db.fetch_all(&stmt).await
}
