//! E-mail addresses of contacts. Deliberately a plausibility check, not RFC 5322: it catches
//! what people mistype (missing `@`, spaces, `name@gmail`) while accepting Cyrillic domains
//! such as `почта.рф`. Whether the mailbox exists only sending can tell.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// Practical limits from RFC 5321 (path length) and RFC 1035 (DNS label length).
const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_LABEL_LEN: usize = 63;

/// A plausible address, trimmed and lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, FieldError> {
        // The whole address is lowercased: the local part is case-sensitive in theory, but no
        // mail provider our users meet treats it so, and duplicate detection needs one form.
        let s = raw.trim().to_lowercase();
        if is_plausible(&s) {
            Ok(Email(s))
        } else {
            Err(FieldError::new("email", "email-format", "Enter an e-mail address like name@example.com"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `@`, e.g. to suggest a company from a contact's address.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }
}

fn is_plausible(s: &str) -> bool {
    // Lengths in characters, not bytes, so Cyrillic addresses are not penalised twice over.
    if s.chars().count() > MAX_LEN {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.chars().count() <= MAX_LOCAL_LEN
        && !local.chars().any(|c| c.is_whitespace() || c.is_control());
    if !local_ok {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(tld) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && labels.iter().all(|l| is_label(l))
        && tld.chars().count() >= 2
        // An all-digit TLD means an IP address or a typo, never a real mail domain.
        && !tld.chars().all(|c| c.is_ascii_digit())
}

fn is_label(label: &str) -> bool {
    !label.is_empty()
        && label.chars().count() <= MAX_LABEL_LEN
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphabetic()))
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Email {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Email::parse(s)
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::value::{Error as DeError, StrDeserializer};

    #[test]
    fn accepts_ordinary_addresses() {
        for raw in [
            "name@example.com",
            "ivan.petrov+crm@mail.ru",
            "a@b.co",
            "info@sub-domain.example.org",
            "менеджер@почта.рф",
            "info@xn--80a1acny.xn--p1ai",
        ] {
            assert_eq!(Email::parse(raw).expect(raw).as_str(), raw);
        }
    }

    #[test]
    fn trims_and_lowercases() {
        let email = Email::parse("  Ivan.Petrov@Example.COM\t").expect("valid");
        assert_eq!(email.as_str(), "ivan.petrov@example.com");
        assert_eq!(email.to_string(), "ivan.petrov@example.com");
        assert_eq!(email.domain(), "example.com");
        assert_eq!(Email::parse("Иван@Почта.РФ").expect("valid").as_str(), "иван@почта.рф");
    }

    #[test]
    fn rejects_typos() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_total = format!("a@{}.com", "b.".repeat(130));
        let long_label = format!("a@{}.com", "b".repeat(64));
        for raw in [
            "",
            "name",
            "name@",
            "@example.com",
            "name@example",
            "name@@example.com",
            "na me@example.com",
            "name@exa mple.com",
            "name@example.c",
            "name@-example.com",
            "name@example-.com",
            "name@example..com",
            "name@.example.com",
            "name@example.com.",
            "name@exa_mple.com",
            "name@127.0.0.1",
            "a@b@example.com",
            &long_local,
            &long_total,
            &long_label,
        ] {
            let err = Email::parse(raw).expect_err(raw);
            assert_eq!((err.field.as_str(), err.code), ("email", "email-format"), "{raw:?}");
        }
    }

    #[test]
    fn serde_validates() {
        let ok = Email::deserialize(StrDeserializer::<DeError>::new("A@Example.com"));
        assert_eq!(ok.expect("valid").as_str(), "a@example.com");
        assert!(Email::deserialize(StrDeserializer::<DeError>::new("a@example")).is_err());
        assert_eq!(String::from(Email::parse("a@b.ru").expect("valid")), "a@b.ru");
    }

    proptest! {
        #[test]
        fn generated_addresses_parse_and_are_idempotent(
            local in "[A-Za-z0-9._%+-]{1,64}",
            labels in proptest::collection::vec("[A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?", 1..4),
            tld in "[A-Za-z]{2,6}",
        ) {
            let raw = format!("{local}@{}.{tld}", labels.join("."));
            let email = Email::parse(&raw).expect("well formed");
            prop_assert_eq!(email.as_str(), raw.to_lowercase());
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
        }

        #[test]
        fn addresses_without_at_are_rejected(raw in "[^@]{0,40}") {
            prop_assert!(Email::parse(&raw).is_err());
        }

        #[test]
        fn parse_never_panics(raw in "\\PC{0,80}") {
            let _ = Email::parse(&raw);
        }
    }
}
