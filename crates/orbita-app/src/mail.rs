//! Sending e-mail: the organisation's SMTP server (`--smtp-url`, TLS with `smtps://`, STARTTLS
//! with `?tls=required`), one sender address, and the address users reach Orbita at, for the
//! links in a letter. Without an SMTP URL e-mail is off and the settings pages say so.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// How long one letter may take to hand over.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// The configured SMTP server and sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl Mailer {
    /// `smtp_url`: `smtp://[user:password@]host[:port][?tls=required|opportunistic]` or
    /// `smtps://…`; `from`: `crm@example.ru` or `Orbita <crm@example.ru>`; `public_url`: where
    /// users open Orbita (`https://crm.example.ru`).
    pub fn new(smtp_url: &str, from: &str, public_url: &str) -> Result<Mailer, String> {
        crate::webhooks::install_tls_provider();
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            // The URL may hold a password: the error names the setting, not the value.
            .map_err(|e| format!("the SMTP URL cannot be used: {}", without_url(&e.to_string(), smtp_url)))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let from: Mailbox =
            from.parse().map_err(|e| format!("the sender address {from:?} is not valid: {e}"))?;
        let public_url = url::Url::parse(public_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| format!("the public URL {public_url:?} is not an http(s) address"))?;
        Ok(Mailer { transport, from, public_url: public_url.as_str().trim_end_matches('/').to_owned() })
    }

    /// The sender, as the settings pages show it.
    pub fn from(&self) -> String {
        self.from.to_string()
    }

    /// The full address of a page: `/tasks/7` → `https://crm.example.ru/tasks/7`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// Sends a plain-text letter; the error is the server's answer or the connection's failure.
    pub async fn send(
        &self,
        to_name: &str,
        to_address: &str,
        subject: &str,
        body: String,
    ) -> Result<(), String> {
        let to = Mailbox::new(
            Some(to_name.to_owned()),
            to_address.parse().map_err(|e| format!("the address {to_address:?} is not valid: {e}"))?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("the letter cannot be built: {e}"))?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| format!("the SMTP server refused: {e}"))
    }
}

impl std::fmt::Debug for Mailer {
    // The transport holds the SMTP password: only the sender is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("public_url", &self.public_url)
            .finish()
    }
}

fn without_url(error: &str, url: &str) -> String {
    error.replace(url, "…")
}
