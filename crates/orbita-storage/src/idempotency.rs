//! `Idempotency-Key`s of API requests: a row per (token, key) holding the request's hash and,
//! once the first request finished, its response. The row is inserted before the request runs
//! (`ON CONFLICT DO NOTHING`), so of two simultaneous requests with one key only one runs.

use orbita_domain::Timestamp;
use sea_query::{Expr, ExprTrait, OnConflict, Query};

use crate::db::{Db, Tx};
use crate::error::Result;

const TABLE: &str = "idempotency_keys";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IdempotencyRecord {
    pub request_hash: String,
    /// `None` while the first request is still running.
    pub status: Option<i32>,
    /// The replayed headers, as a JSON object of name → value.
    pub response_headers: Option<String>,
    pub response_body: Option<String>,
    pub created_at: Timestamp,
}

/// Inserts a pending row; true if this call inserted it (the caller runs the request).
pub async fn insert_pending(
    tx: &mut Tx,
    token: i64,
    key: &str,
    request_hash: &str,
    now: Timestamp,
) -> Result<bool> {
    let stmt = Query::insert()
        .into_table(TABLE)
        .columns(["token_id", "key", "request_hash", "created_at"])
        .values_panic([token.into(), key.into(), request_hash.into(), now.into()])
        .on_conflict(OnConflict::columns(["token_id", "key"]).do_nothing().to_owned())
        .to_owned();
    Ok(tx.execute(&stmt).await? == 1)
}

pub async fn get(db: &Db, token: i64, key: &str) -> Result<Option<IdempotencyRecord>> {
    let stmt = Query::select()
        .columns(["request_hash", "status", "response_headers", "response_body", "created_at"])
        .from(TABLE)
        .and_where(Expr::col("token_id").eq(token))
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    db.fetch_optional(&stmt).await
}

/// Takes over a row still pending since before `stale_before` (its request died without an
/// answer); true if this call took it.
pub async fn take_over_stale(
    tx: &mut Tx,
    token: i64,
    key: &str,
    stale_before: Timestamp,
    now: Timestamp,
) -> Result<bool> {
    let stmt = Query::update()
        .table(TABLE)
        .value("created_at", now)
        .and_where(Expr::col("token_id").eq(token))
        .and_where(Expr::col("key").eq(key))
        .and_where(Expr::col("status").is_null())
        .and_where(Expr::col("created_at").lt(stale_before))
        .to_owned();
    Ok(tx.execute(&stmt).await? == 1)
}

pub struct StoredResponse<'a> {
    pub status: i32,
    pub headers: &'a str,
    pub body: &'a str,
}

pub async fn complete(
    tx: &mut Tx,
    token: i64,
    key: &str,
    response: &StoredResponse<'_>,
    now: Timestamp,
) -> Result<()> {
    let stmt = Query::update()
        .table(TABLE)
        .value("status", response.status)
        .value("response_headers", response.headers)
        .value("response_body", response.body)
        .value("completed_at", now)
        .and_where(Expr::col("token_id").eq(token))
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}

/// Forgets a pending key (its request failed on our side), so a retry runs again.
pub async fn release(tx: &mut Tx, token: i64, key: &str) -> Result<()> {
    let stmt = Query::delete()
        .from_table(TABLE)
        .and_where(Expr::col("token_id").eq(token))
        .and_where(Expr::col("key").eq(key))
        .and_where(Expr::col("status").is_null())
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}

/// Drops keys created before `before` (they are kept for a day).
pub async fn purge(tx: &mut Tx, before: Timestamp) -> Result<u64> {
    tx.execute(&Query::delete().from_table(TABLE).and_where(Expr::col("created_at").lt(before)).to_owned())
        .await
}
