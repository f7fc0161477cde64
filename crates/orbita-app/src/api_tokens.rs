//! Personal API tokens and the bookkeeping of API requests. A token acts with its user's rights
//! (`Access::load`), exactly as that user's session would; the database keeps only its SHA-256
//! (as for sessions), so the plain token is shown once, when it is made. A token has a scope
//! (read-only or read-write) and may expire. Creating and revoking are audited; a user
//! manages their own tokens, administrators everyone's. The per-token rate limit and
//! `Idempotency-Key` records live in the database, so any number of instances share them.

use chrono::{DurationRound, TimeDelta};
use orbita_domain::access::{Action, Area, Scope};
pub use orbita_domain::api_token::{TokenInput, TokenScope};
use orbita_domain::audit::AuditAction;
use orbita_domain::validation::Email;
use orbita_domain::{FieldError, Timestamp, UserId};
use orbita_storage::api_tokens as store;
use orbita_storage::{Db, users};
use sha2::{Digest, Sha256};

pub use orbita_storage::api_tokens::ApiToken;

use crate::{Access, AppError, RequestContext, audit_trail};

/// Tokens start with this, so secret scanners and people can tell what they are.
pub const TOKEN_PREFIX: &str = "orb_";

/// A token just made: the record, and the secret the user sees this once only.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub token: ApiToken,
    pub secret: String,
}

fn new_secret() -> String {
    format!("{TOKEN_PREFIX}{}", hex::encode(rand::random::<[u8; 32]>()))
}

/// SHA-256 hex, as for session tokens: the secret has 256 random bits, so no slow hash is needed.
fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Makes a token for the signed-in user (a user makes tokens only for themselves).
pub async fn create(db: &Db, access: &Access, input: &TokenInput) -> Result<NewToken, AppError> {
    create_at(db, access, input, orbita_domain::now()).await
}

/// `create` as of `now`: the expiry is checked against it, and it is the creation time. Tests
/// make tokens "in the past" with it to get an expired one without waiting.
pub async fn create_at(
    db: &Db,
    access: &Access,
    input: &TokenInput,
    now: Timestamp,
) -> Result<NewToken, AppError> {
    create_for(db, &access.context(), access.user_id(), input, now).await
}

/// Makes a token for the user with this e-mail: the command line, acting as the system.
pub async fn create_for_email(
    db: &Db,
    ctx: &RequestContext,
    email: &str,
    input: &TokenInput,
) -> Result<NewToken, AppError> {
    let email = Email::parse(email)?;
    let Some((user, _)) = users::find_credentials(db, &email).await? else {
        return Err(FieldError::new("email", "user-unknown", "There is no user with this e-mail").into());
    };
    if !user.is_active {
        return Err(FieldError::new("email", "user-inactive", "This user is deactivated").into());
    }
    create_for(db, ctx, user.id, input, orbita_domain::now()).await
}

async fn create_for(
    db: &Db,
    ctx: &RequestContext,
    user: UserId,
    input: &TokenInput,
    now: Timestamp,
) -> Result<NewToken, AppError> {
    let fields = input.validate(now)?;
    let secret = new_secret();
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, user, &fields, &secret_hash(&secret), now).await?;
    let mut changes = audit_trail::one("name", None, Some(fields.name));
    changes.extend(audit_trail::one("user_id", None, Some(user.to_string())));
    changes.extend(audit_trail::one("scope", None, Some(fields.scope.as_str().to_owned())));
    changes.extend(audit_trail::one("expires_at", None, fields.expires_at.map(|at| at.to_rfc3339())));
    audit_trail::record(&mut tx, ctx, "api_token", id, AuditAction::Create, changes, now).await?;
    let token = store::get_in(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(NewToken { token, secret })
}

/// Whether the user manages everyone's tokens: the administrators, who hold the users and
/// settings right for all users. Seeing and revoking go together: whoever is shown a token
/// can also stop it.
pub fn manages_all_tokens(access: &Access) -> bool {
    access.holds(Area::UsersAndSettings, Action::Edit, Scope::All)
}

/// The user's own tokens, newest first, revoked and expired ones included.
pub async fn list(db: &Db, access: &Access) -> Result<Vec<ApiToken>, AppError> {
    Ok(store::list_for_user(db, access.user_id(), orbita_domain::now()).await?)
}

/// Every user's tokens, newest first: administrators only.
pub async fn list_all(db: &Db, access: &Access) -> Result<Vec<ApiToken>, AppError> {
    if !manages_all_tokens(access) {
        return Err(AppError::Forbidden);
    }
    Ok(store::list_all(db, orbita_domain::now()).await?)
}

/// Revokes a token: the user's own, or anyone's for an administrator. For anyone else another
/// user's token does not exist (404, as for records they cannot see), and nothing changes.
pub async fn revoke(db: &Db, access: &Access, id: i64) -> Result<(), AppError> {
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let token = store::get_in(&mut tx, id, now).await?;
    if token.user_id != access.user_id().0 && !manages_all_tokens(access) {
        return Err(AppError::NotFound);
    }
    if store::revoke(&mut tx, id, now).await? {
        // The event's actor already says who revoked it; `revoked_by` keeps that in the
        // changes too, where it reads next to the owner's `user_id` of the creation event.
        let mut changes = audit_trail::one("revoked_at", None, Some(now.to_rfc3339()));
        changes.extend(audit_trail::one("revoked_by", None, Some(access.user_id().to_string())));
        audit_trail::record(&mut tx, &access.context(), "api_token", id, AuditAction::Delete, changes, now)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What a bearer token turned out to be.
#[derive(Debug)]
pub enum Authenticated {
    /// Unknown, revoked, or its user deactivated.
    Unknown,
    /// Known and not revoked, but past its expiry: told apart so the client learns why.
    Expired,
    /// Over the limit in the current minute; try again after this many seconds.
    Limited {
        retry_after_secs: u64,
    },
    Valid {
        token_id: i64,
        scope: TokenScope,
        access: Access,
    },
}

/// Checks a bearer token and counts the request against its per-minute limit. The count is a
/// fixed one-minute window in the database (a burst of up to twice the limit can straddle two
/// windows; that is the price of one upsert per request instead of a log of requests).
/// The token's scope is returned, not enforced: what a request does is the caller's to know.
pub async fn authenticate(
    db: &Db,
    secret: &str,
    ip: Option<String>,
    limit_per_minute: u32,
) -> Result<Authenticated, AppError> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(Authenticated::Unknown);
    }
    let now = orbita_domain::now();
    let Some(token) = store::find_unrevoked(db, &secret_hash(secret), now).await? else {
        return Ok(Authenticated::Unknown);
    };
    // Expired requests are not counted: the token does nothing any more, not even use its limit.
    if token.expired {
        return Ok(Authenticated::Expired);
    }
    let minute = TimeDelta::minutes(1);
    let window = now.duration_trunc(minute).unwrap_or(now);
    // The count is bookkeeping: when the database takes no writes (a full disk), a read must
    // still be answered, so the request goes uncounted rather than failing.
    let requests = match count_request(db, token.id, window, now).await {
        Ok(requests) => requests,
        Err(AppError::Unavailable(reason)) => {
            tracing::warn!(%reason, token = token.id, "API request not counted: database unavailable");
            0
        }
        Err(other) => return Err(other),
    };
    if requests > i64::from(limit_per_minute) {
        let left = (window + minute - now).num_milliseconds().max(0);
        let retry_after_secs = u64::try_from(left).unwrap_or(0).div_ceil(1000).max(1);
        return Ok(Authenticated::Limited { retry_after_secs });
    }
    match Access::load(db, UserId(token.user_id), ip).await {
        Ok(access) => Ok(Authenticated::Valid { token_id: token.id, scope: token.scope, access }),
        Err(AppError::Forbidden | AppError::NotFound) => Ok(Authenticated::Unknown),
        Err(other) => Err(other),
    }
}

async fn count_request(db: &Db, token: i64, window: Timestamp, now: Timestamp) -> Result<i64, AppError> {
    let mut tx = db.begin().await?;
    let requests = store::count_request(&mut tx, token, window, now).await?;
    tx.commit().await?;
    Ok(requests)
}

/// `Idempotency-Key`: the first response to a (token, key) is stored and replayed to retries.
pub mod idempotency {
    use orbita_storage::Db;
    use orbita_storage::idempotency::{self as store, StoredResponse};

    use super::{TimeDelta, Timestamp};
    use crate::AppError;

    /// Keys are forgotten after a day: long enough for any client's retries.
    pub const KEEP_FOR: TimeDelta = TimeDelta::hours(24);

    /// A finished first response.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Replay {
        pub status: u16,
        pub headers: Vec<(String, String)>,
        pub body: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Claim {
        /// This request owns the key: run it, then `complete` (or `release` on failure).
        Run,
        /// The key was used for a request that has finished: answer with its response.
        Replay(Replay),
        /// The key was used for a different request.
        Mismatch,
        /// The first request with this key is still running.
        Pending,
    }

    /// Claims a key for a request with this hash. A pending key older than `stale_after`
    /// (its request died without storing an answer) is taken over.
    pub async fn claim(
        db: &Db,
        token: i64,
        key: &str,
        request_hash: &str,
        stale_after: TimeDelta,
    ) -> Result<Claim, AppError> {
        let now = orbita_domain::now();
        let mut tx = db.begin().await?;
        store::purge(&mut tx, now - KEEP_FOR).await?;
        let inserted = store::insert_pending(&mut tx, token, key, request_hash, now).await?;
        tx.commit().await?;
        if inserted {
            return Ok(Claim::Run);
        }
        let Some(record) = store::get(db, token, key).await? else {
            // Purged between the insert and the read: a day old; treat as in progress.
            return Ok(Claim::Pending);
        };
        if record.request_hash != request_hash {
            return Ok(Claim::Mismatch);
        }
        match (record.status, record.response_body) {
            (Some(status), Some(body)) => Ok(Claim::Replay(Replay {
                status: u16::try_from(status).unwrap_or(500),
                headers: record
                    .response_headers
                    .and_then(|h| serde_json::from_str(&h).ok())
                    .unwrap_or_default(),
                body,
            })),
            _ => take_over_if_stale(db, token, key, record.created_at, now - stale_after).await,
        }
    }

    async fn take_over_if_stale(
        db: &Db,
        token: i64,
        key: &str,
        created_at: Timestamp,
        stale_before: Timestamp,
    ) -> Result<Claim, AppError> {
        if created_at >= stale_before {
            return Ok(Claim::Pending);
        }
        let mut tx = db.begin().await?;
        let taken = store::take_over_stale(&mut tx, token, key, stale_before, orbita_domain::now()).await?;
        tx.commit().await?;
        Ok(if taken { Claim::Run } else { Claim::Pending })
    }

    /// Stores the first response of a claimed key.
    pub async fn complete(db: &Db, token: i64, key: &str, response: &Replay) -> Result<(), AppError> {
        let headers = serde_json::to_string(&response.headers).unwrap_or_else(|_| "[]".to_owned());
        let stored =
            StoredResponse { status: i32::from(response.status), headers: &headers, body: &response.body };
        let mut tx = db.begin().await?;
        store::complete(&mut tx, token, key, &stored, orbita_domain::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives a claimed key up, so that a retry runs the request again.
    pub async fn release(db: &Db, token: i64, key: &str) -> Result<(), AppError> {
        let mut tx = db.begin().await?;
        store::release(&mut tx, token, key).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Colleagues as the API lists them (for owner and assignee ids): the same rule as the owner
/// pickers of the UI (`admin::users`), with each one's role key.
pub mod directory {
    use orbita_domain::UserId;
    use orbita_storage::{Db, users};

    use crate::{Access, AppError, admin};

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Person {
        pub id: UserId,
        pub name: String,
        pub email: String,
        pub role: String,
        pub active: bool,
    }

    pub async fn people(db: &Db, access: &Access) -> Result<Vec<Person>, AppError> {
        let all = admin::users(db, access).await?;
        let roles = users::roles(db).await?;
        Ok(all
            .into_iter()
            .map(|u| Person {
                id: u.id,
                role: roles.iter().find(|r| r.id == u.role_id).map(|r| r.key.clone()).unwrap_or_default(),
                name: u.name,
                email: u.email.as_str().to_owned(),
                active: u.is_active,
            })
            .collect())
    }

    pub async fn person(db: &Db, access: &Access, id: UserId) -> Result<Person, AppError> {
        people(db, access).await?.into_iter().find(|p| p.id == id).ok_or(AppError::NotFound)
    }
}
