//! An outgoing webhook: a URL an administrator registers for events on records (a company
//! created, a deal's stage changed, …); each event is POSTed to it, signed. The rules of what
//! a webhook may be and where it may send are here: the events, the URL, and which addresses
//! count as private (never called unless the server allows it).

use std::net::IpAddr;

use crate::{FieldError, Timestamp, ValidationErrors, text};

crate::text_enum!(
    /// What a webhook is told of: `<kind>.created|updated|deleted`, and `deal.stage_changed`.
    WebhookEvent {
        CompanyCreated => "company.created",
        CompanyUpdated => "company.updated",
        CompanyDeleted => "company.deleted",
        ContactCreated => "contact.created",
        ContactUpdated => "contact.updated",
        ContactDeleted => "contact.deleted",
        DealCreated => "deal.created",
        DealUpdated => "deal.updated",
        DealDeleted => "deal.deleted",
        DealStageChanged => "deal.stage_changed",
        TaskCreated => "task.created",
        TaskUpdated => "task.updated",
        TaskDeleted => "task.deleted",
        ActivityCreated => "activity.created",
        ActivityUpdated => "activity.updated",
        ActivityDeleted => "activity.deleted",
    }
);

/// After this many failed deliveries in a row a webhook is switched off and administrators
/// are told.
pub const MAX_FAILURES: i64 = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookFields {
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub description: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub fields: WebhookFields,
    /// Failed deliveries in a row.
    pub failures: i64,
    /// When it was switched off after [`MAX_FAILURES`] failures.
    pub disabled_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Webhook {
    /// Whether events are sent to it.
    pub fn sends(&self) -> bool {
        self.fields.active && self.disabled_at.is_none()
    }
}

/// One delivery attempt, as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    /// The receiver's HTTP status; `None` when no answer came.
    pub status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub delivered_at: Timestamp,
}

impl Delivery {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// A webhook as a form or the API sends it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct WebhookInput {
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub description: String,
    pub active: Option<bool>,
}

impl WebhookInput {
    pub fn validate(&self) -> Result<WebhookFields, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let url = errors.check(target(&self.url));
        let description =
            errors.check(text::optional_limited(&self.description, "description", 500)).flatten();
        let mut events = Vec::new();
        for raw in &self.events {
            match WebhookEvent::parse(raw.trim()) {
                Some(event) if !events.contains(&event) => events.push(event),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    "events",
                    "webhook-event-unknown",
                    format!("{raw:?} is not an event: company.created, deal.stage_changed, …"),
                )),
            }
        }
        if events.is_empty() && errors.field("events").is_none() {
            errors.push(FieldError::new("events", "webhook-events-required", "Choose at least one event"));
        }
        errors.into_result()?;
        events.sort();
        Ok(WebhookFields {
            url: url.unwrap_or_default(),
            events,
            description,
            active: self.active.unwrap_or(true),
        })
    }
}

/// An http(s) URL with a host, at most 2,000 characters, without credentials.
fn target(raw: &str) -> Result<String, FieldError> {
    let refused = |message: &str| FieldError::new("url", "webhook-url", message.to_owned());
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 2000 {
        return Err(refused("Give the receiver's address, http:// or https://"));
    }
    let url =
        url::Url::parse(raw).map_err(|_| refused("Give the receiver's address, http:// or https://"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refused("Only http:// and https:// addresses are called"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(refused("The address needs a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused("Put no user name or password in the address; the signature proves the sender"));
    }
    Ok(url.to_string())
}

/// Whether an address is one the public internet reaches: not loopback, private, link-local,
/// shared (CGNAT), unique-local, multicast, documentation or unspecified. Webhooks go only to
/// such addresses unless the server allows private ones (SSRF).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_needs_an_http_address_and_known_events() {
        let good = WebhookInput {
            url: "https://hooks.example.ru/orbita?x=1".into(),
            events: vec!["deal.stage_changed".into(), "company.created".into(), "deal.stage_changed".into()],
            ..WebhookInput::default()
        };
        let fields = good.validate().expect("valid");
        assert_eq!(fields.events, [WebhookEvent::CompanyCreated, WebhookEvent::DealStageChanged]);
        assert!(fields.active);
        for url in ["ftp://x.ru/", "not a url", "https://user:pw@x.ru/", ""] {
            let bad = WebhookInput { url: url.into(), ..good.clone() };
            assert_eq!(
                bad.validate().expect_err("refused").field("url").map(|e| e.code),
                Some("webhook-url"),
                "{url}"
            );
        }
        let no_events = WebhookInput { events: vec![], ..good.clone() };
        assert!(no_events.validate().expect_err("refused").field("events").is_some());
        let unknown = WebhookInput { events: vec!["deal.exploded".into()], ..good };
        assert_eq!(
            unknown.validate().expect_err("refused").field("events").map(|e| e.code),
            Some("webhook-event-unknown")
        );
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
        ] {
            assert!(!is_public(private.parse().expect("ip")), "{private}");
        }
        for public in ["8.8.8.8", "77.88.8.8", "2a02:6b8::feed:0ff"] {
            assert!(is_public(public.parse().expect("ip")), "{public}");
        }
    }
}
