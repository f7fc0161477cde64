//! Personal API tokens (only their SHA-256 is stored) and the per-token request counter behind
//! the API's rate limit. The counter lives here, not in a process, so that several instances
//! behind a load balancer count one token's requests together.

use orbita_domain::api_token::{TokenFields, TokenScope, is_expired};
use orbita_domain::{Timestamp, UserId};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::values::corrupt;

pub use orbita_domain::api_token::ApiToken;

const TABLE: &str = "api_tokens";
const COLUMNS: [&str; 8] =
    ["id", "user_id", "name", "scope", "created_at", "last_used_at", "expires_at", "revoked_at"];

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: i64,
    owner_name: String,
    name: String,
    scope: String,
    created_at: Timestamp,
    last_used_at: Option<Timestamp>,
    expires_at: Option<Timestamp>,
    revoked_at: Option<Timestamp>,
}

impl TokenRow {
    /// `now` decides `expired`: storage does not read the clock, its callers pass it in.
    fn into_token(self, now: Timestamp) -> Result<ApiToken> {
        let scope =
            TokenScope::parse(&self.scope).ok_or_else(|| corrupt(format!("token scope {:?}", self.scope)))?;
        Ok(ApiToken {
            id: self.id,
            user_id: self.user_id,
            owner_name: self.owner_name,
            name: self.name,
            scope,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            expired: is_expired(self.expires_at, now),
        })
    }
}

fn into_tokens(rows: Vec<TokenRow>, now: Timestamp) -> Result<Vec<ApiToken>> {
    rows.into_iter().map(|row| row.into_token(now)).collect()
}

pub async fn insert(
    tx: &mut Tx,
    user: UserId,
    token: &TokenFields,
    token_hash: &str,
    now: Timestamp,
) -> Result<i64> {
    let stmt = Query::insert()
        .into_table(TABLE)
        .columns(["user_id", "name", "scope", "expires_at", "token_hash", "created_at"])
        .values_panic([
            user.0.into(),
            token.name.clone().into(),
            token.scope.as_str().into(),
            token.expires_at.into(),
            token_hash.into(),
            now.into(),
        ])
        .to_owned();
    tx.insert(stmt).await
}

/// Tokens with their owner's name, joined once here so that no list reads users one by one.
fn select() -> SelectStatement {
    Query::select()
        .columns(COLUMNS.map(|c| (TABLE, c)))
        .expr_as(Expr::col(("users", "name")), "owner_name")
        .from(TABLE)
        .inner_join("users", Expr::col(("users", "id")).equals((TABLE, "user_id")))
        .to_owned()
}

/// A user's tokens, newest first.
pub async fn list_for_user(db: &Db, user: UserId, now: Timestamp) -> Result<Vec<ApiToken>> {
    let stmt = select()
        .and_where(Expr::col((TABLE, "user_id")).eq(user.0))
        .order_by((TABLE, "id"), Order::Desc)
        .to_owned();
    into_tokens(db.fetch_all(&stmt).await?, now)
}

/// Every user's tokens, newest first: for administrators. An organisation has tens of
/// tokens, not thousands, so the list is not paged.
pub async fn list_all(db: &Db, now: Timestamp) -> Result<Vec<ApiToken>> {
    let stmt = select().order_by((TABLE, "id"), Order::Desc).to_owned();
    into_tokens(db.fetch_all(&stmt).await?, now)
}

pub async fn get_in(tx: &mut Tx, id: i64, now: Timestamp) -> Result<ApiToken> {
    let row: TokenRow = tx.fetch_one(&select().and_where(Expr::col((TABLE, "id")).eq(id)).to_owned()).await?;
    row.into_token(now)
}

/// The not revoked token with this hash, expired or not: the caller tells an expired token
/// apart from an unknown one, to say why it is refused.
pub async fn find_unrevoked(db: &Db, token_hash: &str, now: Timestamp) -> Result<Option<ApiToken>> {
    let stmt = select()
        .and_where(Expr::col((TABLE, "token_hash")).eq(token_hash))
        .and_where(Expr::col((TABLE, "revoked_at")).is_null())
        .to_owned();
    let row: Option<TokenRow> = db.fetch_optional(&stmt).await?;
    row.map(|row| row.into_token(now)).transpose()
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
