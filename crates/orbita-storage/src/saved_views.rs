//! Saved list views: a user's named query strings for a list ("My open deals").

use orbita_domain::{Timestamp, UserId};
use sea_query::{Expr, ExprTrait, Order, Query};

use crate::db::{Db, Tx};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SavedView {
    pub id: i64,
    pub list: String,
    pub name: String,
    /// The list's URL query string, e.g. `status=open&owner=me&sort=-amount`.
    pub query: String,
}

pub async fn insert(
    tx: &mut Tx,
    user: UserId,
    list: &str,
    name: &str,
    query: &str,
    now: Timestamp,
) -> Result<i64> {
    let stmt = Query::insert()
        .into_table("saved_views")
        .columns(["user_id", "list", "name", "query", "created_at"])
        .values_panic([user.0.into(), list.into(), name.into(), query.into(), now.into()])
        .to_owned();
    tx.insert(stmt).await
}

pub async fn list(db: &Db, user: UserId, list: &str) -> Result<Vec<SavedView>> {
    let stmt = Query::select()
        .columns(["id", "list", "name", "query"])
        .from("saved_views")
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(Expr::col("list").eq(list))
        .order_by("name", Order::Asc)
        .to_owned();
    db.fetch_all(&stmt).await
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
