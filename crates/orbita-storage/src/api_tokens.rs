//! Personal API tokens (only their SHA-256 is stored) and the per-token request counter behind
//! the API's rate limit. The counter lives here, not in a process, so that several instances
//! behind a load balancer count one token's requests together.

use orbita_domain::{Timestamp, UserId};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};

use crate::db::{Db, Tx};
use crate::error::Result;

const TABLE: &str = "api_tokens";
const COLUMNS: [&str; 6] = ["id", "user_id", "name", "created_at", "last_used_at", "revoked_at"];

/// A token as its owner sees it in a list: never its secret or hash.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

pub async fn insert(tx: &mut Tx, user: UserId, name: &str, token_hash: &str, now: Timestamp) -> Result<i64> {
    let stmt = Query::insert()
        .into_table(TABLE)
        .columns(["user_id", "name", "token_hash", "created_at"])
        .values_panic([user.0.into(), name.into(), token_hash.into(), now.into()])
        .to_owned();
    tx.insert(stmt).await
}

fn select() -> SelectStatement {
    Query::select().columns(COLUMNS).from(TABLE).to_owned()
}

/// A user's tokens, newest first.
pub async fn list_for_user(db: &Db, user: UserId) -> Result<Vec<ApiToken>> {
    let stmt = select().and_where(Expr::col("user_id").eq(user.0)).order_by("id", Order::Desc).to_owned();
    db.fetch_all(&stmt).await
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<ApiToken> {
    tx.fetch_one(&select().and_where(Expr::col("id").eq(id)).to_owned()).await
}

/// The live (not revoked) token with this hash.
pub async fn find_live(db: &Db, token_hash: &str) -> Result<Option<ApiToken>> {
    let stmt = select()
        .and_where(Expr::col("token_hash").eq(token_hash))
        .and_where(Expr::col("revoked_at").is_null())
        .to_owned();
    db.fetch_optional(&stmt).await
}

/// Marks a token revoked; false if it already was.
pub async fn revoke(tx: &mut Tx, id: i64, now: Timestamp) -> Result<bool> {
    let stmt = Query::update()
        .table(TABLE)
        .value("revoked_at", now)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("revoked_at").is_null())
        .to_owned();
    Ok(tx.execute(&stmt).await? == 1)
}

/// Counts one request of a token in the window starting at `window_start` and returns the
/// window's count so far. Also drops the token's older windows and notes when it was last
/// used (at most once per window, so the row is not rewritten on every request).
pub async fn count_request(tx: &mut Tx, token: i64, window_start: Timestamp, now: Timestamp) -> Result<i64> {
    let upsert = Query::insert()
        .into_table("api_rate_windows")
        .columns(["token_id", "window_start", "requests"])
        .values_panic([token.into(), window_start.into(), 1i64.into()])
        .on_conflict(
            OnConflict::columns(["token_id", "window_start"])
                .value("requests", Expr::col(("api_rate_windows", "requests")).add(1))
                .to_owned(),
        )
        .returning_col("requests")
        .to_owned();
    let (requests,): (i64,) = tx.fetch_one(&upsert).await?;
    if requests == 1 {
        let old = Query::delete()
            .from_table("api_rate_windows")
            .and_where(Expr::col("token_id").eq(token))
            .and_where(Expr::col("window_start").lt(window_start))
            .to_owned();
        tx.execute(&old).await?;
        let used = Query::update()
            .table(TABLE)
            .value("last_used_at", now)
            .and_where(Expr::col("id").eq(token))
            .to_owned();
        tx.execute(&used).await?;
    }
    Ok(requests)
}
