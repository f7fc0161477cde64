//! Signing in and out, server-side sessions, password changes and the first administrator.
//! Sessions live in the database, so any instance behind a load balancer accepts them; the
//! cookie carries a random token and the database only its SHA-256.

use chrono::Duration;
use orbita_domain::audit::{AuditAction, FieldChange, NewAuditEvent};
use orbita_domain::user::{BuiltinRole, check_password};
use orbita_domain::validation::Email;
use orbita_domain::{FieldError, UserId};
use orbita_storage::access::{self as store, NewSession};
use orbita_storage::{Db, audit, users};
use sha2::{Digest, Sha256};

use crate::{Access, AppError, RequestContext, passwords};

mod throttle;

pub use throttle::{
    FAILURE_WINDOW, Limit, MAX_ACCOUNT_DELAY, MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS, MAX_FAILURES_PER_ADDRESS,
    Throttled, account_delay,
};

/// A session ends after this long without a request…
pub const IDLE_TIMEOUT: Duration = Duration::hours(12);
/// …and at the latest this long after sign-in.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::days(14);
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_EVERY: Duration = Duration::minutes(1);
const SETUP_PURPOSE: &str = "first-administrator";

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The same answer whether the e-mail exists or not.
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    #[error("too many failed attempts; try again in {} s", .0.retry_after_seconds())]
    RateLimited(Throttled),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<orbita_storage::StorageError> for SignInError {
    fn from(error: orbita_storage::StorageError) -> Self {
        SignInError::App(error.into())
    }
}

/// A new session: the token for the cookie and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct NewSessionTokens {
    pub token: String,
    pub csrf_token: String,
    pub user_id: UserId,
}

/// A request's session, once checked.
#[derive(Debug, Clone)]
pub struct Session {
    pub access: Access,
    pub csrf_token: String,
    token_hash: String,
}

impl Session {
    /// A user's rights outside any request, for work done on their behalf later (a background
    /// export the worker writes): no cookie, no form to protect.
    pub fn for_background(access: Access) -> Session {
        Session { access, csrf_token: String::new(), token_hash: String::new() }
    }
}

fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn event(
    ctx: &RequestContext,
    entity_id: Option<i64>,
    action: AuditAction,
    changes: Vec<FieldChange>,
) -> NewAuditEvent {
    NewAuditEvent {
        actor_id: ctx.actor,
        ip: ctx.ip.clone(),
        via: ctx.via.clone(),
        entity: "user",
        entity_id,
        action,
        changes,
    }
}

pub async fn sign_in(
    db: &Db,
    email: &str,
    password: &str,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<NewSessionTokens, SignInError> {
    sign_in_at(db, email, password, ip, user_agent, orbita_domain::now()).await
}

/// [`sign_in`] at a given moment: the throttle's clock, controllable in tests.
pub async fn sign_in_at(
    db: &Db,
    email: &str,
    password: &str,
    ip: Option<&str>,
    user_agent: Option<&str>,
    now: orbita_domain::Timestamp,
) -> Result<NewSessionTokens, SignInError> {
    let keys = throttle::Keys::new(email, ip);
    let counts = throttle::Counts::load(db, &keys, now).await?;
    if let Err(throttled) = counts.check(now) {
        tracing::warn!(limit = throttled.limit.as_str(), ip, "sign-in attempt throttled");
        return Err(SignInError::RateLimited(throttled));
    }
    let found = match Email::parse(email) {
        Ok(email) => users::find_credentials(db, &email).await?,
        Err(_) => None,
    };
    let verified = match &found {
        Some((user, Some(hash))) => passwords::verify(hash, password) && user.is_active,
        // Spend the same time as a real check, so timing does not tell whether the e-mail exists.
        _ => {
            passwords::verify(dummy_hash(), password);
            false
        }
    };
    let ctx = RequestContext { actor: None, ip: ip.map(str::to_owned), via: None };
    let mut tx = db.begin().await?;
    let Some((user, _)) = found.filter(|_| verified) else {
        for key in keys.all() {
            store::record_sign_in_failure(&mut tx, key, now).await?;
        }
        let mut changes = vec![FieldChange {
            field: "email".into(),
            before: None,
            after: Some(email.trim().chars().take(254).collect()),
        }];
        if let Some(limit) = counts.reached_by_next_failure() {
            changes.push(FieldChange {
                field: "throttled".into(),
                before: None,
                after: Some(limit.as_str().into()),
            });
        }
        audit::insert(&mut tx, &event(&ctx, None, AuditAction::SignInFailed, changes), now).await?;
        metrics::counter!("orbita_sign_in_failures_total").increment(1);
        tx.commit().await?;
        return Err(SignInError::InvalidCredentials);
    };
    // The right password from here: this address's and the account's counts start again (the
    // address's own count stays, or a guesser could reset it with an account of their own).
    store::clear_sign_in_failures(&mut tx, &keys.account).await?;
    if let Some(key) = &keys.account_and_address {
        store::clear_sign_in_failures(&mut tx, key).await?;
    }
    let tokens = NewSessionTokens { token: random_token(), csrf_token: random_token(), user_id: user.id };
    let session = NewSession {
        id_hash: &token_hash(&tokens.token),
        user_id: user.id,
        csrf_token: &tokens.csrf_token,
        ip,
        user_agent,
        expires_at: now + ABSOLUTE_TIMEOUT,
    };
    store::insert_session(&mut tx, &session, now).await?;
    let ctx = RequestContext { actor: Some(user.id), ..ctx };
    audit::insert(&mut tx, &event(&ctx, Some(user.id.0), AuditAction::SignIn, Vec::new()), now).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// A fixed argon2id hash of a random password, computed once.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| passwords::hash(&random_token()).unwrap_or_default())
}

/// The session behind a cookie's token, if it is valid and its user still active.
pub async fn authenticate(db: &Db, token: &str, ip: Option<String>) -> Result<Option<Session>, AppError> {
    let now = orbita_domain::now();
    let hash = token_hash(token);
    let Some(record) = store::find_session(db, &hash).await? else { return Ok(None) };
    if record.expires_at <= now || record.last_seen_at + IDLE_TIMEOUT <= now {
        // An expired session is refused whether or not its row can be deleted now (a full
        // disk); `purge_expired_sessions` removes what is left.
        if let Err(error) = delete_session(db, &hash).await {
            tracing::warn!(%error, "an expired session was not deleted");
        }
        return Ok(None);
    }
    let access = match Access::load(db, UserId(record.user_id), ip).await {
        Ok(access) => access,
        Err(AppError::Forbidden | AppError::NotFound) => return Ok(None),
        Err(other) => return Err(other),
    };
    if record.last_seen_at + TOUCH_EVERY <= now {
        // Bookkeeping for the idle timeout: a page must still be read when the database takes
        // no writes, so a failed touch is logged, not answered with an error.
        let touched = async {
            let mut tx = db.begin().await?;
            store::touch_session(&mut tx, &hash, now).await?;
            tx.commit().await
        };
        if let Err(error) = touched.await {
            tracing::warn!(%error, "session not touched");
        }
    }
    Ok(Some(Session { access, csrf_token: record.csrf_token, token_hash: hash }))
}

async fn delete_session(db: &Db, hash: &str) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    store::delete_session(&mut tx, hash).await?;
    Ok(tx.commit().await?)
}

pub async fn sign_out(db: &Db, session: &Session) -> Result<(), AppError> {
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    store::delete_session(&mut tx, &session.token_hash).await?;
    let ctx = session.access.context();
    audit::insert(
        &mut tx,
        &event(&ctx, Some(session.access.user_id().0), AuditAction::SignOut, Vec::new()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn password_changed() -> Vec<FieldChange> {
    // The audit log says that the password changed, never what it is.
    vec![FieldChange { field: "password".into(), before: None, after: Some("changed".into()) }]
}

/// Changes one's own password; other sessions of the user end, this one stays.
pub async fn change_password(db: &Db, session: &Session, current: &str, new: &str) -> Result<(), AppError> {
    let user = &session.access.user;
    let stored = users::find_credentials(db, &user.email).await?.and_then(|(_, hash)| hash);
    if !stored.is_some_and(|hash| passwords::verify(&hash, current)) {
        return Err(FieldError::new(
            "current_password",
            "password-wrong",
            "The current password is not right",
        )
        .into());
    }
    check_new_password(new)?;
    let hash = passwords::hash(new)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    users::set_password_hash(&mut tx, user.id, &hash, now).await?;
    store::delete_user_sessions(&mut tx, user.id, Some(&session.token_hash)).await?;
    let ctx = session.access.context();
    audit::insert(&mut tx, &event(&ctx, Some(user.id.0), AuditAction::Update, password_changed()), now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Length rules and the most common passwords.
pub fn check_new_password(password: &str) -> Result<(), FieldError> {
    check_password(password)?;
    if orbita_domain::user::is_common_password(password) {
        return Err(FieldError::new(
            "password",
            "password-common",
            "This password is too common: choose another",
        ));
    }
    Ok(())
}

/// An administrator sets a user's password; all the user's sessions end.
pub async fn reset_password(db: &Db, admin: &Access, user: UserId, new: &str) -> Result<(), AppError> {
    // Only a user the administrator may change (scope, and nobody above their own role).
    crate::admin::user_to_change(db, admin, user).await?;
    check_new_password(new)?;
    let hash = passwords::hash(new)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    users::set_password_hash(&mut tx, user, &hash, now).await?;
    store::delete_user_sessions(&mut tx, user, None).await?;
    audit::insert(
        &mut tx,
        &event(&admin.context(), Some(user.0), AuditAction::Update, password_changed()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// On a database without users: a one-time token for the page that creates the first
/// administrator (valid for a day). `None` once any user exists.
pub async fn first_run_token(db: &Db) -> Result<Option<String>, AppError> {
    if users::count(db).await? > 0 {
        return Ok(None);
    }
    let token = random_token();
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    store::insert_one_time_token(&mut tx, &token_hash(&token), SETUP_PURPOSE, now + Duration::days(1), now)
        .await?;
    tx.commit().await?;
    Ok(Some(token))
}

pub async fn first_run_token_valid(db: &Db, token: &str) -> Result<bool, AppError> {
    Ok(users::count(db).await? == 0
        && store::one_time_token_valid(db, &token_hash(token), SETUP_PURPOSE, orbita_domain::now()).await?)
}

/// Creates the first administrator through the one-time link.
pub async fn create_first_admin(
    db: &Db,
    token: &str,
    email: &str,
    name: &str,
    password: &str,
    ip: Option<String>,
) -> Result<UserId, AppError> {
    if !first_run_token_valid(db, token).await? {
        return Err(AppError::NotFound);
    }
    // Check the form before spending the token, so a typo does not burn the link.
    let mut errors = orbita_domain::user::NewUser::parse(email, name).err().unwrap_or_default();
    errors.check(check_new_password(password));
    errors.into_result()?;
    // Spending the token is atomic: of two simultaneous submissions, one wins.
    let mut tx = db.begin().await?;
    if !store::use_one_time_token(&mut tx, &token_hash(token), SETUP_PURPOSE, orbita_domain::now()).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    let ctx = RequestContext { actor: None, ip, via: None };
    crate::users::create_user(db, &ctx, email, name, BuiltinRole::Administrator.as_str(), password).await
}

/// For maintenance jobs: drops sessions past their absolute expiry.
pub async fn purge_expired_sessions(db: &Db) -> Result<u64, AppError> {
    let mut tx = db.begin().await?;
    let n = store::delete_expired_sessions(&mut tx, orbita_domain::now()).await?;
    tx.commit().await?;
    Ok(n)
}
