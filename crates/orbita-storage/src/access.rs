//! Rights, sessions, sign-in failure counters, one-time tokens and company shares.

use orbita_domain::access::{Action, Area, Permissions, Scope};
use orbita_domain::{CompanyId, RoleId, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, OnConflict, Query};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::values::corrupt;

#[derive(sqlx::FromRow)]
struct GrantRow {
    area: String,
    action: String,
    scope: String,
}

/// A role's grants. Unknown areas or actions (from a newer version) are skipped.
pub async fn permissions(db: &Db, role: RoleId) -> Result<Permissions> {
    let stmt = Query::select()
        .columns(["area", "action", "scope"])
        .from("role_permissions")
        .and_where(Expr::col("role_id").eq(role.0))
        .to_owned();
    let mut permissions = Permissions::default();
    for row in db.fetch_all::<GrantRow>(&stmt).await? {
        if let (Some(area), Some(action)) = (Area::parse(&row.area), Action::parse(&row.action)) {
            let scope = Scope::parse(&row.scope).ok_or_else(|| corrupt(format!("scope {:?}", row.scope)))?;
            permissions.grant(area, action, Some(scope));
        }
    }
    Ok(permissions)
}

/// Replaces a role's grants.
pub async fn set_permissions(
    tx: &mut Tx,
    role: RoleId,
    permissions: &Permissions,
    now: Timestamp,
) -> Result<()> {
    tx.execute(
        &Query::delete().from_table("role_permissions").and_where(Expr::col("role_id").eq(role.0)).to_owned(),
    )
    .await?;
    let mut stmt = Query::insert();
    stmt.into_table("role_permissions").columns(["role_id", "area", "action", "scope", "created_at"]);
    let mut any = false;
    for (area, action, scope) in permissions.grants() {
        stmt.values_panic([
            role.0.into(),
            area.as_str().into(),
            action.as_str().into(),
            scope.as_str().into(),
            now.into(),
        ]);
        any = true;
    }
    if any {
        tx.execute(&stmt).await?;
    }
    Ok(())
}

/// Whether a role has any grants stored (a new built-in role gets its defaults once).
pub async fn has_permissions(tx: &mut Tx, role: RoleId) -> Result<bool> {
    let stmt = Query::select()
        .column("role_id")
        .from("role_permissions")
        .and_where(Expr::col("role_id").eq(role.0))
        .limit(1)
        .to_owned();
    Ok(tx.fetch_optional::<(i64,)>(&stmt).await?.is_some())
}

/// A stored session: whose, its CSRF token and its expiry times.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRecord {
    pub user_id: i64,
    pub csrf_token: String,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: UserId,
    pub csrf_token: &'a str,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub expires_at: Timestamp,
}

pub async fn insert_session(tx: &mut Tx, session: &NewSession<'_>, now: Timestamp) -> Result<()> {
    let stmt = Query::insert()
        .into_table("sessions")
        .columns([
            "id",
            "user_id",
            "csrf_token",
            "ip",
            "user_agent",
            "created_at",
            "last_seen_at",
            "expires_at",
        ])
        .values_panic([
            session.id_hash.into(),
            session.user_id.0.into(),
            session.csrf_token.into(),
            session.ip.map(str::to_owned).into(),
            session.user_agent.map(|a| a.chars().take(300).collect::<String>()).into(),
            now.into(),
            now.into(),
            session.expires_at.into(),
        ])
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}

pub async fn find_session(db: &Db, id_hash: &str) -> Result<Option<SessionRecord>> {
    let stmt = Query::select()
        .columns(["user_id", "csrf_token", "last_seen_at", "expires_at"])
        .from("sessions")
        .and_where(Expr::col("id").eq(id_hash))
        .to_owned();
    db.fetch_optional(&stmt).await
}

pub async fn touch_session(tx: &mut Tx, id_hash: &str, now: Timestamp) -> Result<()> {
    let stmt = Query::update()
        .table("sessions")
        .value("last_seen_at", now)
        .and_where(Expr::col("id").eq(id_hash))
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}

pub async fn delete_session(tx: &mut Tx, id_hash: &str) -> Result<()> {
    tx.execute(&Query::delete().from_table("sessions").and_where(Expr::col("id").eq(id_hash)).to_owned())
        .await
        .map(drop)
}

/// Ends every session of a user (deactivation, password change); returns how many.
pub async fn delete_user_sessions(tx: &mut Tx, user: UserId, except: Option<&str>) -> Result<u64> {
    let mut stmt = Query::delete();
    stmt.from_table("sessions").and_where(Expr::col("user_id").eq(user.0));
    if let Some(keep) = except {
        stmt.and_where(Expr::col("id").ne(keep));
    }
    tx.execute(&stmt).await
}

/// Drops sessions past their absolute expiry.
pub async fn delete_expired_sessions(tx: &mut Tx, now: Timestamp) -> Result<u64> {
    tx.execute(&Query::delete().from_table("sessions").and_where(Expr::col("expires_at").lt(now)).to_owned())
        .await
}

pub async fn record_sign_in_failure(tx: &mut Tx, key: &str, now: Timestamp) -> Result<()> {
    let stmt = Query::insert()
        .into_table("sign_in_failures")
        .columns(["key", "failed_at"])
        .values_panic([key.into(), now.into()])
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}

/// The failed sign-ins under one key since a moment: how many, the first and the last.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct SignInFailures {
    pub count: i64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
}

pub async fn sign_in_failures(db: &Db, key: &str, since: Timestamp) -> Result<SignInFailures> {
    let stmt = Query::select()
        .expr_as(Expr::col("id").count(), "count")
        .expr_as(Expr::col("failed_at").min(), "first")
        .expr_as(Expr::col("failed_at").max(), "last")
        .from("sign_in_failures")
        .and_where(Expr::col("key").eq(key))
        .and_where(Expr::col("failed_at").gte(since))
        .to_owned();
    db.fetch_one(&stmt).await
}

pub async fn clear_sign_in_failures(tx: &mut Tx, key: &str) -> Result<()> {
    tx.execute(&Query::delete().from_table("sign_in_failures").and_where(Expr::col("key").eq(key)).to_owned())
        .await
        .map(drop)
}

pub async fn insert_one_time_token(
    tx: &mut Tx,
    id_hash: &str,
    purpose: &str,
    expires_at: Timestamp,
    now: Timestamp,
) -> Result<()> {
    let stmt = Query::insert()
        .into_table("one_time_tokens")
        .columns(["id", "purpose", "created_at", "expires_at"])
        .values_panic([id_hash.into(), purpose.into(), now.into(), expires_at.into()])
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}

/// Marks a token used; true only the first time, and only while it is valid.
pub async fn use_one_time_token(tx: &mut Tx, id_hash: &str, purpose: &str, now: Timestamp) -> Result<bool> {
    let stmt = Query::update()
        .table("one_time_tokens")
        .value("used_at", now)
        .and_where(Expr::col("id").eq(id_hash))
        .and_where(Expr::col("purpose").eq(purpose))
        .and_where(Expr::col("used_at").is_null())
        .and_where(Expr::col("expires_at").gt(now))
        .to_owned();
    Ok(tx.execute(&stmt).await? == 1)
}

/// Whether a token is valid and unused (to show its page before it is used).
pub async fn one_time_token_valid(db: &Db, id_hash: &str, purpose: &str, now: Timestamp) -> Result<bool> {
    let stmt = Query::select()
        .column("id")
        .from("one_time_tokens")
        .and_where(Expr::col("id").eq(id_hash))
        .and_where(Expr::col("purpose").eq(purpose))
        .and_where(Expr::col("used_at").is_null())
        .and_where(Expr::col("expires_at").gt(now))
        .to_owned();
    Ok(db.fetch_optional::<(String,)>(&stmt).await?.is_some())
}

pub async fn share_company(tx: &mut Tx, company: CompanyId, user: UserId, now: Timestamp) -> Result<()> {
    let stmt = Query::insert()
        .into_table("company_shares")
        .columns(["company_id", "user_id", "created_at"])
        .values_panic([company.0.into(), user.0.into(), now.into()])
        .on_conflict(OnConflict::columns(["company_id", "user_id"]).do_nothing().to_owned())
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}

pub async fn is_shared(db: &Db, company: CompanyId, user: UserId) -> Result<bool> {
    let stmt = Query::select()
        .column("company_id")
        .from("company_shares")
        .and_where(Expr::col("company_id").eq(company.0))
        .and_where(Expr::col("user_id").eq(user.0))
        .to_owned();
    Ok(db.fetch_optional::<(i64,)>(&stmt).await?.is_some())
}

/// Whether any company is shared with the user: most users have none, and their lists then
/// skip the share condition, whose OR keeps the database from reading an index in list order.
pub async fn has_shares(db: &Db, user: UserId) -> Result<bool> {
    let stmt = Query::select()
        .column("company_id")
        .from("company_shares")
        .and_where(Expr::col("user_id").eq(user.0))
        .limit(1)
        .to_owned();
    Ok(db.fetch_optional::<(i64,)>(&stmt).await?.is_some())
}

/// Ends a share; true if there was one.
pub async fn unshare_company(tx: &mut Tx, company: CompanyId, user: UserId) -> Result<bool> {
    let stmt = Query::delete()
        .from_table("company_shares")
        .and_where(Expr::col("company_id").eq(company.0))
        .and_where(Expr::col("user_id").eq(user.0))
        .to_owned();
    Ok(tx.execute(&stmt).await? > 0)
}

/// The users a company is shared with, in the order it was shared with them.
pub async fn company_shares(db: &Db, company: CompanyId) -> Result<Vec<UserId>> {
    let stmt = Query::select()
        .column("user_id")
        .from("company_shares")
        .and_where(Expr::col("company_id").eq(company.0))
        .order_by("created_at", sea_query::Order::Asc)
        .order_by("user_id", sea_query::Order::Asc)
        .to_owned();
    Ok(db.fetch_all::<(i64,)>(&stmt).await?.into_iter().map(|(id,)| UserId(id)).collect())
}

/// `is_shared` inside a write transaction.
pub async fn is_shared_in(tx: &mut Tx, company: CompanyId, user: UserId) -> Result<bool> {
    let stmt = Query::select()
        .column("company_id")
        .from("company_shares")
        .and_where(Expr::col("company_id").eq(company.0))
        .and_where(Expr::col("user_id").eq(user.0))
        .to_owned();
    Ok(tx.fetch_optional::<(i64,)>(&stmt).await?.is_some())
}
