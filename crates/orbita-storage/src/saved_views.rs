//! Saved list views: a user's named query strings for a list ("My open deals"), private or
//! shared with one of the user's groups.

use orbita_domain::{GroupId, Timestamp, UserId};
use sea_query::{Cond, Expr, ExprTrait, Order, Query};

use crate::db::{Db, Tx};
use crate::error::Result;

pub use orbita_domain::list::SavedView;

#[derive(sqlx::FromRow)]
struct ViewRow {
    id: i64,
    list: String,
    name: String,
    query: String,
    user_id: i64,
    group_id: Option<i64>,
}

pub async fn insert(
    tx: &mut Tx,
    user: UserId,
    list: &str,
    name: &str,
    query: &str,
    group: Option<GroupId>,
    now: Timestamp,
) -> Result<i64> {
    let stmt = Query::insert()
        .into_table("saved_views")
        .columns(["user_id", "list", "name", "query", "group_id", "created_at"])
        .values_panic([
            user.0.into(),
            list.into(),
            name.into(),
            query.into(),
            group.map(|g| g.0).into(),
            now.into(),
        ])
        .to_owned();
    tx.insert(stmt).await
}

/// The user's own views of a list and those shared with any of `groups`, by name.
pub async fn list(db: &Db, user: UserId, groups: &[GroupId], list: &str) -> Result<Vec<SavedView>> {
    let mine_or_shared = Cond::any()
        .add(Expr::col("user_id").eq(user.0))
        .add(Expr::col("group_id").is_in(groups.iter().map(|g| g.0)));
    let stmt = Query::select()
        .columns(["id", "list", "name", "query", "user_id", "group_id"])
        .from("saved_views")
        .cond_where(mine_or_shared)
        .and_where(Expr::col("list").eq(list))
        .order_by("name", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    let rows: Vec<ViewRow> = db.fetch_all(&stmt).await?;
    Ok(rows
        .into_iter()
        .map(|r| SavedView {
            id: r.id,
            list: r.list,
            name: r.name,
            query: r.query,
            user_id: r.user_id,
            group_id: r.group_id,
        })
        .collect())
}

/// Deletes one of the user's own views; another user's id deletes nothing.
pub async fn delete(tx: &mut Tx, user: UserId, id: i64) -> Result<bool> {
    let stmt = Query::delete()
        .from_table("saved_views")
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("user_id").eq(user.0))
        .to_owned();
    Ok(tx.execute(&stmt).await? == 1)
}
