//! ИНН, the Russian taxpayer number: 10 digits for an organisation, 12 for an individual
//! (sole traders included). The check digits catch most typos, so we verify them on input
//! instead of discovering a wrong INN when an invoice bounces.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

const FIELD: &str = "inn";

// Weights published by the FNS; the 12-digit form is checked twice, the second pass covering
// the first check digit too, which is why its weights are one longer.
const WEIGHTS_10: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const WEIGHTS_11: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const WEIGHTS_12: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/// A taxpayer number whose length and check digits are valid. Always ASCII digits only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Inn(String);

impl Inn {
    pub fn parse(raw: &str) -> Result<Inn, FieldError> {
        let s = raw.trim();
        // Byte-wise check keeps non-ASCII digits (e.g. Arabic-Indic) out.
        if !(s.len() == 10 || s.len() == 12) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                FIELD,
                "inn-format",
                "INN must be 10 digits for an organisation or 12 for an individual",
            ));
        }
        let digits = to_digits(s);
        let body_len = if s.len() == 10 { 9 } else { 10 };
        if digits[body_len..] != check_digits(&digits[..body_len])[..] {
            return Err(FieldError::new(
                FIELD,
                "inn-check-digits",
                "INN check digits do not match: check for a typo",
            ));
        }
        Ok(Inn(s.to_owned()))
    }

    /// Completes a body of 9 digits (organisation) or 10 digits (individual) with its check
    /// digit(s). `None` when the body is not that shape. Lets demo data contain INNs that pass
    /// validation instead of random digits that would not.
    pub fn with_check_digits(body: &str) -> Option<Inn> {
        if !(body.len() == 9 || body.len() == 10) || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut inn = body.to_owned();
        for d in check_digits(&to_digits(body)) {
            inn.push(char::from(b'0' + d));
        }
        Some(Inn(inn))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Organisations have 10 digits; 12 digits belong to a person or a sole trader, who has no KPP.
    pub fn is_organisation(&self) -> bool {
        self.0.len() == 10
    }
}

fn to_digits(s: &str) -> Vec<u8> {
    s.bytes().map(|b| b - b'0').collect()
}

fn weighted(digits: &[u8], weights: &[u32]) -> u8 {
    let sum: u32 = digits.iter().zip(weights).map(|(&d, &w)| u32::from(d) * w).sum();
    // `% 10` maps the remainder 10 to 0, as the FNS algorithm specifies.
    (sum % 11 % 10) as u8
}

/// Check digits for a 9- or 10-digit body (the caller guarantees one of the two lengths).
fn check_digits(body: &[u8]) -> Vec<u8> {
    if body.len() == 9 {
        vec![weighted(body, &WEIGHTS_10)]
    } else {
        let first = weighted(body, &WEIGHTS_11);
        let mut with_first = body.to_vec();
        with_first.push(first);
        vec![first, weighted(&with_first, &WEIGHTS_12)]
    }
}

impl fmt::Display for Inn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Inn {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Inn::parse(s)
    }
}

impl TryFrom<String> for Inn {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Inn::parse(&value)
    }
}

impl From<Inn> for String {
    fn from(inn: Inn) -> Self {
        inn.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::value::{Error as DeError, StrDeserializer};

    fn code(raw: &str) -> &'static str {
        Inn::parse(raw).expect_err("should be rejected").code
    }

    #[test]
    fn accepts_known_real_inns() {
        for raw in ["7707083893", "7736207543", "500100732259"] {
            let inn = Inn::parse(raw).expect("known valid INN");
            assert_eq!(inn.as_str(), raw);
            assert_eq!(inn.to_string(), raw);
        }
        assert!(Inn::parse("7707083893").expect("valid").is_organisation());
        assert!(!Inn::parse("500100732259").expect("valid").is_organisation());
    }

    #[test]
    fn trims_whitespace() {
        assert_eq!(Inn::parse("  7707083893\n").expect("valid").as_str(), "7707083893");
    }

    #[test]
    fn rejects_wrong_shape() {
        for raw in ["", "770708389", "77070838931", "7707 083893", "77070838a3", "+707083893"] {
            assert_eq!(code(raw), "inn-format", "{raw:?}");
        }
        // Non-ASCII digits have the right char count but must not pass.
        assert_eq!(code("٧٧٠٧٠٨٣٨٩٣"), "inn-format");
    }

    #[test]
    fn rejects_wrong_check_digits() {
        assert_eq!(code("7707083894"), "inn-check-digits");
        assert_eq!(code("500100732258"), "inn-check-digits");
        assert_eq!(code("500100732249"), "inn-check-digits");
        let err = Inn::parse("7707083890").expect_err("bad check digit");
        assert_eq!(err.field, "inn");
    }

    #[test]
    fn completes_bodies() {
        assert_eq!(Inn::with_check_digits("770708389").expect("9 digits").as_str(), "7707083893");
        assert_eq!(Inn::with_check_digits("5001007322").expect("10 digits").as_str(), "500100732259");
        assert!(Inn::with_check_digits("77070838").is_none());
        assert!(Inn::with_check_digits("77070838x").is_none());
    }

    #[test]
    fn serde_validates() {
        let ok = Inn::deserialize(StrDeserializer::<DeError>::new("7736207543"));
        assert_eq!(ok.expect("valid").as_str(), "7736207543");
        assert!(Inn::deserialize(StrDeserializer::<DeError>::new("7736207544")).is_err());
        assert_eq!(String::from(Inn::parse("7736207543").expect("valid")), "7736207543");
    }

    proptest! {
        #[test]
        fn completed_bodies_round_trip(body in "[0-9]{9}|[0-9]{10}") {
            let inn = Inn::with_check_digits(&body).expect("body has the right shape");
            prop_assert!(inn.as_str().starts_with(&body));
            prop_assert_eq!(Inn::parse(inn.as_str()), Ok(inn.clone()));
        }

        #[test]
        fn wrong_last_digit_is_rejected(body in "[0-9]{9}|[0-9]{10}", shift in 1u8..10) {
            let inn = Inn::with_check_digits(&body).expect("body has the right shape");
            let mut bytes = inn.as_str().as_bytes().to_vec();
            let last = bytes.len() - 1;
            bytes[last] = b'0' + (bytes[last] - b'0' + shift) % 10;
            let typo = String::from_utf8(bytes).expect("ASCII digits");
            prop_assert_eq!(code(&typo), "inn-check-digits");
        }

        #[test]
        fn parse_never_panics(raw in "\\PC{0,20}") {
            let _ = Inn::parse(&raw);
        }
    }
}
