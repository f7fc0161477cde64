//! What a personal API token may do and for how long. A token acts with its user's rights;
//! its scope can only narrow them (a read-only token of an administrator still cannot write),
//! and its expiry ends it without anyone having to remember to revoke it.

use chrono::{NaiveDate, NaiveTime};

use crate::{FieldError, Timestamp, ValidationErrors, text};

crate::text_enum!(
    /// How much of its user's rights a token carries.
    TokenScope {
        ReadOnly => "read_only",
        ReadWrite => "read_write",
    }
);

impl TokenScope {
    /// Whether requests that change data are allowed. Reading is always allowed.
    pub fn allows_writes(self) -> bool {
        self == TokenScope::ReadWrite
    }
}

/// Tokens made without a choice keep the behaviour tokens had before scopes existed.
impl Default for TokenScope {
    fn default() -> Self {
        TokenScope::ReadWrite
    }
}

/// A token as typed into the form or on the command line: raw strings, empty meaning "default".
#[derive(Debug, Clone, Default)]
pub struct TokenInput {
    pub name: String,
    /// `read_only` or `read_write`; empty is read_write.
    pub scope: String,
    /// `YYYY-MM-DD`; empty for a token that does not expire.
    pub expires_on: String,
}

/// A checked token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFields {
    pub name: String,
    pub scope: TokenScope,
    pub expires_at: Option<Timestamp>,
}

/// The name of a token made without one.
pub const DEFAULT_TOKEN_NAME: &str = "API token";

impl TokenInput {
    /// A read-write token that does not expire (the command line's and the tests' default).
    pub fn named(name: &str) -> Self {
        Self { name: name.to_owned(), ..Self::default() }
    }

    /// Checks every field at once. The expiry is a date: the token stops working at the start
    /// of that day (UTC), so the date must lie after today; "expires on 1 March" means it no
    /// longer works on 1 March.
    pub fn validate(&self, now: Timestamp) -> Result<TokenFields, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors
            .check(text::optional_limited(&self.name, "name", 100))
            .map(|name| name.unwrap_or_else(|| DEFAULT_TOKEN_NAME.to_owned()));
        let scope = errors.check(parse_scope(&self.scope));
        let expires_at = errors.check(parse_expiry(&self.expires_on, now));
        match (name, scope, expires_at) {
            (Some(name), Some(scope), Some(expires_at)) if errors.is_empty() => {
                Ok(TokenFields { name, scope, expires_at })
            }
            _ => Err(errors),
        }
    }
}

fn parse_scope(raw: &str) -> Result<TokenScope, FieldError> {
    match text::optional(raw) {
        None => Ok(TokenScope::default()),
        Some(raw) => TokenScope::parse(&raw)
            .ok_or_else(|| FieldError::new("scope", "scope-unknown", "Choose read_only or read_write")),
    }
}

fn parse_expiry(raw: &str, now: Timestamp) -> Result<Option<Timestamp>, FieldError> {
    let Some(raw) = text::optional(raw) else { return Ok(None) };
    let date = NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
        .map_err(|_| FieldError::new("expires_at", "date-format", "Enter a date as YYYY-MM-DD"))?;
    let at = date.and_time(NaiveTime::MIN).and_utc();
    if at <= now {
        return Err(FieldError::new("expires_at", "expiry-past", "Choose a date after today"));
    }
    Ok(Some(at))
}

/// Whether a token with this expiry no longer works at `now`.
pub fn is_expired(expires_at: Option<Timestamp>, now: Timestamp) -> bool {
    expires_at.is_some_and(|at| at <= now)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn noon(y: i32, m: u32, d: u32) -> Timestamp {
        chrono::Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).single().expect("date")
    }

    fn input(scope: &str, expires_on: &str) -> TokenInput {
        TokenInput { name: String::new(), scope: scope.into(), expires_on: expires_on.into() }
    }

    #[test]
    fn defaults_are_a_named_read_write_token_that_does_not_expire() {
        let fields = input("", "").validate(noon(2026, 3, 1)).expect("valid");
        assert_eq!(
            fields,
            TokenFields { name: "API token".into(), scope: TokenScope::ReadWrite, expires_at: None }
        );
    }

    #[test]
    fn the_expiry_is_the_start_of_a_later_day() {
        let fields = input("read_only", "2026-03-02").validate(noon(2026, 3, 1)).expect("valid");
        assert_eq!(fields.scope, TokenScope::ReadOnly);
        assert_eq!(fields.expires_at.map(|at| at.to_rfc3339()), Some("2026-03-02T00:00:00+00:00".into()));
    }

    #[test]
    fn today_past_dates_bad_dates_and_unknown_scopes_are_refused_together() {
        let today = input("admin", "2026-03-01").validate(noon(2026, 3, 1)).expect_err("refused");
        let codes: Vec<_> = today.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(codes, [("scope", "scope-unknown"), ("expires_at", "expiry-past")]);
        let bad = input("", "1.3.2026").validate(noon(2026, 3, 1)).expect_err("refused");
        assert_eq!(bad.field("expires_at").map(|e| e.code), Some("date-format"));
    }

    #[test]
    fn expiry_is_reached_at_its_instant() {
        let at = noon(2026, 3, 1);
        assert!(!is_expired(None, at));
        assert!(!is_expired(Some(at), at - chrono::TimeDelta::seconds(1)));
        assert!(is_expired(Some(at), at));
    }

    #[test]
    fn only_read_write_tokens_write() {
        assert!(TokenScope::ReadWrite.allows_writes());
        assert!(!TokenScope::ReadOnly.allows_writes());
        assert_eq!(TokenScope::parse(TokenScope::ReadOnly.as_str()), Some(TokenScope::ReadOnly));
    }
}

/// A token as its owner (or an administrator) sees it in a list: never its secret or hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    /// The owner's name, for the administrators' list of everyone's tokens.
    pub owner_name: String,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    /// Whether `expires_at` had passed when the token was read.
    pub expired: bool,
}
