//! Who is asking and from where: carried into every use case for permission checks and the
//! audit log.

use orbita_domain::UserId;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    /// `None` for the system itself (start-up, command line, demo loader).
    pub actor: Option<UserId>,
    pub ip: Option<String>,
    /// What acts when no person does (`automation: <rule name>`), as the audit log names it.
    pub via: Option<String>,
}

impl RequestContext {
    pub fn system() -> Self {
        Self::default()
    }

    pub fn user(actor: UserId, ip: Option<String>) -> Self {
        Self { actor: Some(actor), ip, via: None }
    }
}
