//! Phone numbers, stored in E.164 (`+79161234567`) so the same number typed as
//! `8 916 123-45-67` or `+7 (916) 123-45-67` is found, deduplicated and dialled as one.
//! Russian habits get special care because most of our users and their clients have them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// A number in E.164: `+`, then 8 to 15 digits, the first not 0.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, FieldError> {
        let error = || FieldError::new("phone", "phone-format", "Enter a phone number like +7 916 123-45-67");
        // Separators people use for readability; anything else (letters, `доб.`, `/`) is refused
        // rather than guessed at, since a wrongly normalised number silently reaches nobody.
        let compact: String =
            raw.chars().filter(|&c| !(c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')'))).collect();
        let (plus, digits) = match compact.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, compact.as_str()),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error());
        }
        let e164 = if plus {
            // +7 is Russia and Kazakhstan, whose numbers are always 11 digits; other country
            // codes vary in length, so only the E.164 bounds apply. No country code starts with 0.
            let ok = if digits.starts_with('7') {
                digits.len() == 11
            } else {
                (8..=15).contains(&digits.len()) && !digits.starts_with('0')
            };
            if !ok {
                return Err(error());
            }
            format!("+{digits}")
        } else {
            match (digits.len(), digits.as_bytes()[0]) {
                // Trunk prefix 8 (the Russian habit) or 7 typed without its plus.
                (11, b'8' | b'7') => format!("+7{}", &digits[1..]),
                // A national number without any prefix: mobile (9), regional (3, 4), toll-free (8).
                (10, b'9' | b'4' | b'3' | b'8') => format!("+7{digits}"),
                _ => return Err(error()),
            }
        };
        Ok(Phone(e164))
    }

    /// E.164, e.g. `+79161234567`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits without `+`, e.g. for `tel:` links or messenger deep links.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    pub fn is_russian(&self) -> bool {
        self.0.starts_with("+7") && self.0.len() == 12
    }

    /// For people: `+7 916 123-45-67` for +7 numbers; others as stored, since their grouping
    /// depends on the country and a wrong grouping looks worse than none.
    pub fn display(&self) -> String {
        if !self.is_russian() {
            return self.0.clone();
        }
        let d = &self.0;
        format!("+7 {} {}-{}-{}", &d[2..5], &d[5..8], &d[8..10], &d[10..12])
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Phone {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phone::parse(s)
    }
}

impl TryFrom<String> for Phone {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Phone::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(phone: Phone) -> Self {
        phone.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::value::{Error as DeError, StrDeserializer};

    fn e164(raw: &str) -> String {
        Phone::parse(raw).expect(raw).as_str().to_owned()
    }

    #[test]
    fn normalises_russian_habits() {
        for raw in [
            "+79161234567",
            "8 916 123-45-67",
            "+7 (916) 123-45-67",
            "8(916)123.45.67",
            "9161234567",
            "7 916 123 45 67",
            " +7\u{a0}916\u{a0}123-45-67 ",
        ] {
            assert_eq!(e164(raw), "+79161234567", "{raw:?}");
        }
        assert_eq!(e164("495 123-45-67"), "+74951234567");
        assert_eq!(e164("8 800 555-35-35"), "+78005553535");
    }

    #[test]
    fn keeps_international_numbers() {
        assert_eq!(e164("+44 20 7946 0958"), "+442079460958");
        assert_eq!(e164("+1 (212) 555-0100"), "+12125550100");
        assert_eq!(e164("+49 30 1234"), "+49301234");
    }

    #[test]
    fn rejects_garbage() {
        for raw in [
            "",
            "+",
            "916123456",
            "89161234567x",
            "8 916 CALL-NOW",
            "+7 916 123-45-6",
            "+7 916 123-45-678",
            "+4930123",
            "+1234567890123456",
            "+0 123 456 789",
            "12345678901",
            "5161234567",
            "+7+9161234567",
            "+79161234567 доб. 12",
        ] {
            let err = Phone::parse(raw).expect_err(raw);
            assert_eq!((err.field.as_str(), err.code), ("phone", "phone-format"), "{raw:?}");
        }
    }

    #[test]
    fn formats_for_people() {
        let phone = Phone::parse("89161234567").expect("valid");
        assert_eq!(phone.display(), "+7 916 123-45-67");
        assert_eq!(phone.digits(), "79161234567");
        assert_eq!(phone.to_string(), "+79161234567");
        assert_eq!(Phone::parse("+44 20 7946 0958").expect("valid").display(), "+442079460958");
    }

    #[test]
    fn serde_validates() {
        let ok = Phone::deserialize(StrDeserializer::<DeError>::new("8 916 123-45-67"));
        assert_eq!(ok.expect("valid").as_str(), "+79161234567");
        assert!(Phone::deserialize(StrDeserializer::<DeError>::new("call me")).is_err());
        assert_eq!(String::from(Phone::parse("+79161234567").expect("valid")), "+79161234567");
    }

    proptest! {
        #[test]
        fn russian_spellings_agree(national in "[3489][0-9]{9}") {
            let n = &national;
            let expected = format!("+7{n}");
            let spaced = format!("8 ({}) {}-{}-{}", &n[..3], &n[3..6], &n[6..8], &n[8..]);
            for raw in [format!("8{n}"), format!("+7{n}"), national.clone(), spaced] {
                prop_assert_eq!(e164(&raw), expected.clone());
            }
            let phone = Phone::parse(&expected).expect("valid");
            prop_assert_eq!(Phone::parse(&phone.display()), Ok(phone.clone()));
        }

        #[test]
        fn international_numbers_are_kept(number in "\\+[1-689][0-9]{7,14}") {
            let phone = Phone::parse(&number).expect("valid E.164");
            prop_assert_eq!(phone.as_str(), number.as_str());
            prop_assert_eq!(phone.display(), number.clone());
            prop_assert_eq!(phone.digits(), &number[1..]);
        }

        #[test]
        fn letters_are_rejected(national in "9[0-9]{9}", at in 0usize..10, letter in "[a-zA-Zа-я]") {
            let raw = format!("{}{letter}{}", &national[..at], &national[at..]);
            prop_assert!(Phone::parse(&raw).is_err());
        }

        #[test]
        fn parse_never_panics(raw in "\\PC{0,30}") {
            if let Ok(phone) = Phone::parse(&raw) {
                prop_assert!(phone.as_str().starts_with('+'));
                prop_assert!(phone.digits().bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }
}
