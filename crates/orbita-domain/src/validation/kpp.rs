//! КПП, the registration reason code an organisation (not an individual) quotes next to its INN
//! on invoices. It has no check digit, so only the shape can be verified.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// Nine characters: tax office code (4 digits), reason (2 digits or A–Z), serial number (3 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Kpp(String);

impl Kpp {
    pub fn parse(raw: &str) -> Result<Kpp, FieldError> {
        // Letters are uppercased so "7736ab001" and "7736AB001" are the same KPP when compared.
        let s = raw.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        // The FNS allows letters in the reason code since 2013; only Latin A–Z, never Cyrillic.
        let ok = b.len() == 9
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4..6].iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            && b[6..].iter().all(u8::is_ascii_digit);
        if !ok {
            return Err(FieldError::new(
                "kpp",
                "kpp-format",
                "KPP must be 9 characters: 4 digits, 2 digits or letters, 3 digits",
            ));
        }
        Ok(Kpp(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Kpp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Kpp {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kpp::parse(s)
    }
}

impl TryFrom<String> for Kpp {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Kpp::parse(&value)
    }
}

impl From<Kpp> for String {
    fn from(kpp: Kpp) -> Self {
        kpp.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::value::{Error as DeError, StrDeserializer};

    #[test]
    fn accepts_known_kpps() {
        for raw in ["773601001", "770701001", "7736AB001"] {
            assert_eq!(Kpp::parse(raw).expect("valid KPP").as_str(), raw);
        }
    }

    #[test]
    fn trims_and_uppercases() {
        let kpp = Kpp::parse(" 7736ab001 ").expect("valid KPP");
        assert_eq!(kpp.as_str(), "7736AB001");
        assert_eq!(kpp.to_string(), "7736AB001");
    }

    #[test]
    fn rejects_bad_shapes() {
        for raw in ["", "77360100", "7736010011", "A73601001", "773601A01", "7736 1001", "7736АБ001"] {
            let err = Kpp::parse(raw).expect_err(raw);
            assert_eq!((err.field.as_str(), err.code), ("kpp", "kpp-format"), "{raw:?}");
        }
    }

    #[test]
    fn serde_validates() {
        let ok = Kpp::deserialize(StrDeserializer::<DeError>::new("773601001"));
        assert_eq!(ok.expect("valid").as_str(), "773601001");
        assert!(Kpp::deserialize(StrDeserializer::<DeError>::new("77360100")).is_err());
        assert_eq!(String::from(Kpp::parse("773601001").expect("valid")), "773601001");
    }

    proptest! {
        #[test]
        fn every_well_shaped_kpp_parses(raw in "[0-9]{4}[0-9A-Za-z]{2}[0-9]{3}") {
            let kpp = Kpp::parse(&raw).expect("well shaped");
            prop_assert_eq!(kpp.as_str(), raw.to_ascii_uppercase());
            prop_assert_eq!(Kpp::parse(kpp.as_str()), Ok(kpp.clone()));
        }

        #[test]
        fn letters_outside_the_reason_code_are_rejected(
            head in "[0-9]{4}", reason in "[0-9A-Z]{2}", tail in "[0-9]{2}", letter in "[A-Z]",
        ) {
            let letter_last = format!("{head}{reason}{tail}{letter}");
            let letter_first = format!("{letter}{head}{reason}{tail}");
            prop_assert!(Kpp::parse(&letter_last).is_err());
            prop_assert!(Kpp::parse(&letter_first).is_err());
        }

        #[test]
        fn parse_never_panics(raw in "\\PC{0,12}") {
            let _ = Kpp::parse(&raw);
        }
    }
}
