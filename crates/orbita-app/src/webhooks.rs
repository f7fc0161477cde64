//! Outgoing webhooks: administrators register URLs for events; every audited change of a
//! company, contact, deal, task or activity queues one delivery job per webhook that wants
//! its event, in the change's own transaction. The job POSTs
//! `{"event", "occurred_at", "data"}` signed with `X-Orbita-Signature: t=<unix>,v1=<hex
//! HMAC-SHA256 of "<t>.<body>">`, to a public address only (unless the server allows private
//! ones), logs the answer, and retries a failure with the queue's backoff; after
//! [`MAX_FAILURES`] failures in a row the webhook is switched off and administrators are told.
//!
//! The signing secret is never stored: it is an HMAC of the webhook's nonce under the server's
//! secret key (`--secret-key`), shown once when the webhook is made.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use orbita_domain::access::{Action, Area};
use orbita_domain::audit::{AuditAction, FieldChange};
use orbita_domain::notification::NotificationKind;
use orbita_domain::webhook::{
    self, Delivery, MAX_FAILURES, Webhook, WebhookEvent, WebhookFields, WebhookInput,
};
use orbita_domain::{FieldError, Timestamp};
use orbita_storage::webhooks::{self as store, NewDelivery};
use orbita_storage::{Db, Tx};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::jobs::{self, Work};
use crate::{Access, AppError, RequestContext, audit_trail};

const ENTITY: &str = "webhook";
/// How long a receiver has to answer.
const TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// Deliveries shown at a time.
pub const DELIVERIES_SHOWN: u64 = 50;

/// What the worker's jobs need from the server's configuration: the key webhook secrets are
/// derived from, whether private addresses may be called, the SMTP server (none: e-mail is
/// off), and the delivery layer's way of reading an export's list again (none: this worker
/// writes no exports).
#[derive(Clone, Default)]
pub struct Outbound {
    secret_key: Option<Arc<str>>,
    pub allow_private: bool,
    pub mail: Option<Arc<crate::mail::Mailer>>,
    pub exports: Option<Arc<dyn crate::export_jobs::Planner>>,
}

impl Outbound {
    /// A key shorter than 32 characters is refused: it would make guessable secrets.
    pub fn new(secret_key: Option<&str>, allow_private: bool) -> Result<Outbound, String> {
        let secret_key = match secret_key.map(str::trim).filter(|k| !k.is_empty()) {
            Some(key) if key.chars().count() < 32 => {
                return Err("the secret key must be at least 32 characters".to_owned());
            }
            other => other.map(Arc::from),
        };
        Ok(Outbound { secret_key, allow_private, mail: None, exports: None })
    }

    /// The same configuration sending e-mail through `mailer`.
    pub fn with_mail(self, mailer: crate::mail::Mailer) -> Outbound {
        Outbound { mail: Some(Arc::new(mailer)), ..self }
    }

    /// The same configuration writing exports planned by `planner`.
    pub fn with_exports(self, planner: Arc<dyn crate::export_jobs::Planner>) -> Outbound {
        Outbound { exports: Some(planner), ..self }
    }

    /// The webhook's signing secret: HMAC-SHA256 of its nonce under the server's key.
    fn secret(&self, nonce: &str) -> Result<String, AppError> {
        let key = self.secret_key.as_deref().ok_or_else(no_key)?;
        Ok(hex::encode(hmac_sha256(key.as_bytes(), format!("webhook-secret:{nonce}").as_bytes())))
    }
}

impl std::fmt::Debug for Outbound {
    // The key never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("secret_key", &self.secret_key.as_ref().map(|_| "…"))
            .field("allow_private", &self.allow_private)
            .field("mail", &self.mail)
            .field("exports", &self.exports.is_some())
            .finish()
    }
}

fn no_key() -> AppError {
    FieldError::new(
        "url",
        "webhook-no-secret-key",
        "Webhooks need the server's secret key (--secret-key or ORBITA_SECRET_KEY)",
    )
    .into()
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length.
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("any key length"));
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    format!("t={t},v1={}", hex::encode(hmac_sha256(secret.as_bytes(), format!("{t}.{body}").as_bytes())))
}

fn view(f: &WebhookFields) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("url", Some(f.url.clone())),
        ("events", Some(f.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", "))),
        ("description", f.description.clone()),
        ("active", Some(f.active.to_string())),
    ]
}

pub async fn list(db: &Db, access: &Access) -> Result<Vec<Webhook>, AppError> {
    access.require_all(Area::UsersAndSettings, Action::View)?;
    Ok(store::list(db).await?)
}

pub async fn get(db: &Db, access: &Access, id: i64) -> Result<Webhook, AppError> {
    access.require_all(Area::UsersAndSettings, Action::View)?;
    store::get(db, id).await?.ok_or(AppError::NotFound)
}

/// Registers a webhook; returns it with its signing secret, shown this once.
pub async fn create(
    db: &Db,
    access: &Access,
    outbound: &Outbound,
    input: &WebhookInput,
) -> Result<(Webhook, String), AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)?;
    let fields = input.validate()?;
    let nonce = hex::encode(rand::random::<[u8; 16]>());
    let secret = outbound.secret(&nonce)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &fields, &nonce, now).await?;
    audit_trail::configured(&mut tx, &access.context(), ENTITY, id, None, Some(&view(&fields)), now).await?;
    tx.commit().await?;
    Ok((store::get(db, id).await?.ok_or(AppError::NotFound)?, secret))
}

pub async fn update(db: &Db, access: &Access, id: i64, input: &WebhookInput) -> Result<Webhook, AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)?;
    let fields = input.validate()?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = store::get_in(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    store::update(&mut tx, id, &fields, now).await?;
    let (was, now_is) = (view(&before.fields), view(&fields));
    audit_trail::configured(&mut tx, &access.context(), ENTITY, id, Some(&was), Some(&now_is), now).await?;
    tx.commit().await?;
    store::get(db, id).await?.ok_or(AppError::NotFound)
}

pub async fn delete(db: &Db, access: &Access, id: i64) -> Result<(), AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = store::get_in(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    store::delete(&mut tx, id).await?;
    audit_trail::configured(&mut tx, &access.context(), ENTITY, id, Some(&view(&before.fields)), None, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A webhook's latest deliveries, newest first.
pub async fn deliveries(
    db: &Db,
    access: &Access,
    id: i64,
    before: Option<i64>,
) -> Result<Vec<Delivery>, AppError> {
    get(db, access, id).await?;
    Ok(store::deliveries(db, id, before, DELIVERIES_SHOWN).await?)
}

/// The event an audited change is, for the kinds webhooks are told of.
fn event_of(entity: &str, action: AuditAction) -> Option<WebhookEvent> {
    let verb = match action {
        AuditAction::Create => "created",
        AuditAction::Update | AuditAction::OwnerChange => "updated",
        AuditAction::Delete => "deleted",
        AuditAction::StageChange => "stage_changed",
        _ => return None,
    };
    WebhookEvent::parse(&format!("{entity}.{verb}"))
}

/// Queues a delivery to every sending webhook that wants this change's event, inside the
/// change's transaction (called by the audit trail for every recorded change).
pub(crate) async fn emit_in(
    tx: &mut Tx,
    entity: &str,
    id: i64,
    action: AuditAction,
    changes: &[FieldChange],
    now: Timestamp,
) -> Result<(), AppError> {
    let Some(event) = event_of(entity, action) else { return Ok(()) };
    let hooks = store::sending_in(tx).await?;
    let wanting: Vec<&Webhook> = hooks.iter().filter(|h| h.fields.events.contains(&event)).collect();
    if wanting.is_empty() {
        return Ok(());
    }
    let data = json!({ "id": id, "changes": changes });
    for hook in wanting {
        let work = Work::Webhook {
            webhook_id: hook.id,
            event: event.as_str().to_owned(),
            occurred_at: now.to_rfc3339(),
            data: data.clone(),
        };
        jobs::enqueue_in(tx, &work, now).await?;
    }
    Ok(())
}

/// One delivery, as a job: an error (no answer, not 2xx, a refused address) is the job's
/// `last_error`, and the queue retries it.
pub async fn deliver(
    db: &Db,
    outbound: &Outbound,
    webhook_id: i64,
    event: &str,
    occurred_at: &str,
    data: &Value,
) -> Result<(), String> {
    let hook = store::get(db, webhook_id).await.map_err(|e| e.to_string())?;
    let Some(hook) = hook.filter(Webhook::sends) else {
        // Deleted or switched off since: nothing to send.
        return Ok(());
    };
    let nonce = store::secret_nonce(db, webhook_id).await.map_err(|e| e.to_string())?.unwrap_or_default();
    let secret =
        outbound.secret(&nonce).map_err(|_| "the server has no secret key to sign with".to_owned())?;
    let body = json!({ "event": event, "occurred_at": occurred_at, "data": data }).to_string();
    let started = Instant::now();
    let outcome = post(outbound, &hook.fields.url, &secret, &body).await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (status, error) = match &outcome {
        Ok(status) => (Some(i64::from(*status)), None),
        Err(error) => (None, Some(error.as_str())),
    };
    let succeeded = status.is_some_and(|s| (200..300).contains(&s));
    let logged = NewDelivery { webhook_id, event, status, error, duration_ms };
    record(db, &hook, &logged, succeeded).await.map_err(|e| e.to_string())?;
    match outcome {
        Ok(_) if succeeded => Ok(()),
        Ok(status) => Err(format!("the receiver answered HTTP {status}")),
        Err(error) => Err(error),
    }
}

/// Logs the attempt; at the limit of failures switches the webhook off and tells the
/// administrators.
async fn record(db: &Db, hook: &Webhook, logged: &NewDelivery<'_>, succeeded: bool) -> Result<(), AppError> {
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let failures = store::record_delivery(&mut tx, logged, succeeded, now).await?;
    if failures >= MAX_FAILURES && store::disable(&mut tx, hook.id, now).await? {
        let ctx = RequestContext {
            via: Some(format!("webhook: {MAX_FAILURES} failures")),
            ..RequestContext::system()
        };
        let changes = audit_trail::one("active", Some("true".into()), Some("false".into()));
        audit_trail::record(&mut tx, &ctx, ENTITY, hook.id, AuditAction::Update, changes, now).await?;
        for admin in crate::admin::administrators_in(&mut tx).await? {
            let kind = NotificationKind::WebhookDisabled;
            crate::notifications::assigned_in(
                &mut tx,
                &ctx,
                admin,
                kind,
                ENTITY,
                hook.id,
                &hook.fields.url,
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// POSTs the body to a public address of the URL's host (the one resolved, so a second look-up
/// cannot point elsewhere), following no redirect; the receiver's status.
async fn post(outbound: &Outbound, url: &str, secret: &str, body: &str) -> Result<u16, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("not an address: {e}"))?;
    let host = parsed.host_str().ok_or("the address has no host")?.to_owned();
    let port = parsed.port_or_known_default().ok_or("the address has no port")?;
    let addresses: Vec<SocketAddr> =
        match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((host.as_str(), port))
                .await
                .map_err(|e| format!("cannot resolve {host}: {e}"))?
                .collect(),
        };
    let address = addresses
        .iter()
        .find(|a| outbound.allow_private || webhook::is_public(a.ip()))
        .copied()
        .ok_or_else(|| format!("{host} is a private address; the server does not call those"))?;
    install_tls_provider();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .resolve(&host, address)
        .build()
        .map_err(|e| format!("cannot make the HTTP client: {e}"))?;
    let t = orbita_domain::now().timestamp();
    let response = client
        .post(parsed)
        .header("content-type", "application/json")
        .header("user-agent", "Orbita-Webhooks/1")
        .header("x-orbita-signature", signature(secret, t, body))
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    Ok(response.status().as_u16())
}

/// reqwest's TLS needs a crypto provider; the first call installs ring's (an error means one is
/// installed already).
#[expect(
    deprecated,
    reason = "ring lacks post-quantum key exchange; aws-lc-rs has it but is a large C build on every CI run"
)]
pub(crate) fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_the_hmac_of_the_time_and_the_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mac = hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?"));
        assert_eq!(mac, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        let signed = signature("s3cret", 1_700_000_000, "{}");
        let expected = hex::encode(hmac_sha256(b"s3cret", b"1700000000.{}"));
        assert_eq!(signed, format!("t=1700000000,v1={expected}"));
    }

    #[test]
    fn secrets_come_from_the_key_and_the_nonce_and_a_short_key_is_refused() {
        let outbound = Outbound::new(Some("k".repeat(32).as_str()), false).expect("key");
        let a = outbound.secret("n1").expect("secret");
        assert_eq!(a, outbound.secret("n1").expect("secret"));
        assert_ne!(a, outbound.secret("n2").expect("secret"));
        assert!(Outbound::new(Some("short"), false).is_err());
        assert!(Outbound::default().secret("n1").is_err());
        assert!(!format!("{outbound:?}").contains("kkkk"));
        assert_eq!(event_of("deal", AuditAction::StageChange), Some(WebhookEvent::DealStageChanged));
        assert_eq!(event_of("company", AuditAction::OwnerChange), Some(WebhookEvent::CompanyUpdated));
        assert_eq!(event_of("user", AuditAction::Create), None);
    }
}
