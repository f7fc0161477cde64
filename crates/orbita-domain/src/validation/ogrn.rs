//! ОГРН, the state registration number: 13 digits for a company (OGRN), 15 for a sole trader
//! (OGRNIP). The last digit is a checksum over the rest, so typos are caught on input.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

const FIELD: &str = "ogrn";

/// A registration number with a valid length and check digit. Always ASCII digits only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ogrn(String);

impl Ogrn {
    pub fn parse(raw: &str) -> Result<Ogrn, FieldError> {
        let s = raw.trim();
        if !(s.len() == 13 || s.len() == 15) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                FIELD,
                "ogrn-format",
                "OGRN must be 13 digits for a company or 15 for a sole trader",
            ));
        }
        let (body, last) = s.split_at(s.len() - 1);
        if check_digit(body) != last.as_bytes()[0] {
            return Err(FieldError::new(
                FIELD,
                "ogrn-check-digit",
                "OGRN check digit does not match: check for a typo",
            ));
        }
        Ok(Ogrn(s.to_owned()))
    }

    /// Completes a body of 12 digits (OGRN) or 14 digits (OGRNIP) with its check digit;
    /// `None` when the body is not that shape. Used to generate demo data that validates.
    pub fn with_check_digit(body: &str) -> Option<Ogrn> {
        if !(body.len() == 12 || body.len() == 14) || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut ogrn = body.to_owned();
        ogrn.push(char::from(check_digit(body)));
        Some(Ogrn(ogrn))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 15 digits: the registration of a sole trader (ИП) rather than a company.
    pub fn is_sole_trader(&self) -> bool {
        self.0.len() == 15
    }
}

/// ASCII check digit of a 12- or 14-digit body. The body is read as one number (at most
/// 14 digits, so it fits a `u64`) and reduced mod 11 or mod 13, then mod 10.
fn check_digit(body: &str) -> u8 {
    let n = body.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    let modulus = if body.len() == 12 { 11 } else { 13 };
    b'0' + (n % modulus % 10) as u8
}

impl fmt::Display for Ogrn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Ogrn {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ogrn::parse(s)
    }
}

impl TryFrom<String> for Ogrn {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Ogrn::parse(&value)
    }
}

impl From<Ogrn> for String {
    fn from(ogrn: Ogrn) -> Self {
        ogrn.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::value::{Error as DeError, StrDeserializer};

    fn code(raw: &str) -> &'static str {
        Ogrn::parse(raw).expect_err("should be rejected").code
    }

    #[test]
    fn accepts_known_numbers() {
        for raw in ["1027700132195", "1027739850962", "304500116000157"] {
            let ogrn = Ogrn::parse(raw).expect("known valid OGRN");
            assert_eq!(ogrn.as_str(), raw);
            assert_eq!(ogrn.to_string(), raw);
        }
        assert!(!Ogrn::parse("1027700132195").expect("valid").is_sole_trader());
        assert!(Ogrn::parse(" 304500116000157 ").expect("valid").is_sole_trader());
    }

    #[test]
    fn rejects_wrong_shape() {
        for raw in ["", "102770013219", "10277001321950", "1027700132l95", "30450011600015"] {
            assert_eq!(code(raw), "ogrn-format", "{raw:?}");
        }
        assert_eq!(Ogrn::parse("").expect_err("empty").field, "ogrn");
    }

    #[test]
    fn rejects_wrong_check_digit() {
        assert_eq!(code("1027700132196"), "ogrn-check-digit");
        assert_eq!(code("304500116000158"), "ogrn-check-digit");
    }

    #[test]
    fn completes_bodies() {
        let ogrn = Ogrn::with_check_digit("102770013219").expect("12 digits");
        assert_eq!(ogrn.as_str(), "1027700132195");
        let ogrnip = Ogrn::with_check_digit("30450011600015").expect("14 digits");
        assert_eq!(ogrnip.as_str(), "304500116000157");
        assert!(Ogrn::with_check_digit("1027700132").is_none());
    }

    #[test]
    fn serde_validates() {
        let ok = Ogrn::deserialize(StrDeserializer::<DeError>::new("1027739850962"));
        assert_eq!(ok.expect("valid").as_str(), "1027739850962");
        assert!(Ogrn::deserialize(StrDeserializer::<DeError>::new("1027739850963")).is_err());
        assert_eq!(String::from(Ogrn::parse("1027739850962").expect("valid")), "1027739850962");
    }

    proptest! {
        #[test]
        fn completed_bodies_round_trip(body in "[0-9]{12}|[0-9]{14}") {
            let ogrn = Ogrn::with_check_digit(&body).expect("body has the right shape");
            prop_assert!(ogrn.as_str().starts_with(&body));
            prop_assert_eq!(Ogrn::parse(ogrn.as_str()), Ok(ogrn.clone()));
        }

        #[test]
        fn wrong_check_digit_is_rejected(body in "[0-9]{12}|[0-9]{14}", shift in 1u8..10) {
            let ogrn = Ogrn::with_check_digit(&body).expect("body has the right shape");
            let last = ogrn.as_str().as_bytes()[body.len()] - b'0';
            let typo = format!("{body}{}", (last + shift) % 10);
            prop_assert_eq!(code(&typo), "ogrn-check-digit");
        }

        #[test]
        fn parse_never_panics(raw in "\\PC{0,20}") {
            let _ = Ogrn::parse(&raw);
        }
    }
}
