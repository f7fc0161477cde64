//! Exact money: deal amounts, invoice totals. Decimal amounts in whole kopecks (cents), never
//! floats, so that sums of line items equal the total printed on the invoice.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// An ISO 4217-shaped currency code: three uppercase ASCII letters. Whether the code is actually
/// assigned is not checked, so a new currency needs no release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const RUB: Currency = Currency(*b"RUB");
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");

    /// Trims and uppercases, so `rub` typed in a form is accepted.
    pub fn parse(raw: &str) -> Result<Currency, FieldError> {
        match raw.trim().as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_alphabetic) => {
                Ok(Currency([a, b, c].map(|x| x.to_ascii_uppercase())))
            }
            _ => Err(FieldError::new(
                "currency",
                "currency-format",
                "Currency must be a 3-letter code like RUB",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("Currency holds ASCII letters only")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.as_str().to_owned()
    }
}

/// An amount in a currency. Amounts made by this module always have exactly 2 decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    /// The largest amount `parse_amount` accepts, in minor units (999 999 999 999 999,99):
    /// it leaves an `i64` of kopecks ~90× headroom for sums, and no CRM deal is that large.
    pub const MAX_MINOR: i64 = 99_999_999_999_999_999;

    /// Parses what a Russian or English speaker types: `1500`, `1500.5`, `1 500 000,00`.
    /// Spaces (including U+00A0 and U+202F, which spreadsheets paste) group thousands; a single
    /// comma or dot separates kopecks. `field` names the form field in the error.
    pub fn parse_amount(raw: &str, field: &str) -> Result<Decimal, FieldError> {
        let error = |code, message| FieldError::new(field, code, message);
        let format = || error("amount-format", "Enter an amount like 1 500 000,00");
        let compact: String =
            raw.trim().chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
        let (negative, unsigned) = match compact.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, compact.as_str()),
        };
        // `1,500.00` is refused: with both separators present we cannot tell which is decimal.
        let (int, frac) = match unsigned.split_once([',', '.']) {
            Some((int, frac)) => (int, Some(frac)),
            None => (unsigned, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int) || !frac.is_none_or(all_digits) {
            return Err(format());
        }
        if negative {
            return Err(error("amount-negative", "Amount cannot be negative"));
        }
        let frac = frac.unwrap_or("");
        if frac.len() > 2 {
            return Err(error(
                "amount-precision",
                "Amount can have at most 2 digits after the decimal separator",
            ));
        }
        // Length check first, so a pasted 40-digit number cannot overflow the arithmetic below.
        let int = int.trim_start_matches('0');
        if int.len() > 15 {
            return Err(error("amount-too-large", "Amount must be at most 999 999 999 999 999,99"));
        }
        let minor = format!("{int}{frac:0<2}").bytes().fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
        Ok(Decimal::new(minor, 2))
    }

    /// `minor` in kopecks (cents): `from_minor(150_000, RUB)` is 1 500,00 ₽.
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { amount: Decimal::new(minor, 2), currency }
    }

    /// The amount in kopecks (cents). Exact for every amount this module makes; an amount with
    /// more decimals (set through the public field) is rounded half away from zero, and one
    /// beyond `i64` saturates, because a request path must not panic.
    pub fn to_minor(&self) -> i64 {
        let minor = self.minor_i128();
        i64::try_from(minor).unwrap_or(if minor < 0 { i64::MIN } else { i64::MAX })
    }

    /// Russian style: `1 500 000,00 ₽`, no-break spaces so the amount never wraps.
    pub fn format_ru(&self) -> String {
        let (sign, int, frac) = self.parts('\u{a0}');
        let unit = match self.currency {
            Currency::RUB => "₽",
            Currency::USD => "$",
            Currency::EUR => "€",
            _ => self.currency.as_str(),
        };
        format!("{sign}{int},{frac:02}\u{a0}{unit}")
    }

    /// English style: `$1,500,000.00`, `€1,500.00`, otherwise `RUB 1,500.00` (as CLDR does).
    pub fn format_en(&self) -> String {
        let (sign, int, frac) = self.parts(',');
        match self.currency {
            Currency::USD => format!("{sign}${int}.{frac:02}"),
            Currency::EUR => format!("{sign}€{int}.{frac:02}"),
            other => format!("{sign}{other}\u{a0}{int}.{frac:02}"),
        }
    }

    /// Minor units without the `i64` limit: `Decimal`'s 96-bit mantissa times 100 fits `i128`.
    fn minor_i128(&self) -> i128 {
        let rounded = self.amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        rounded.mantissa() * 10i128.pow(2 - rounded.scale())
    }

    /// Sign, integer part grouped by threes with `separator`, and kopecks.
    fn parts(&self, separator: char) -> (&'static str, String, u128) {
        let minor = self.minor_i128();
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let digits = (abs / 100).to_string();
        let mut int = String::with_capacity(digits.len() * 2);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                int.push(separator);
            }
            int.push(c);
        }
        (sign, int, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::value::{Error as DeError, StrDeserializer};

    fn amount(raw: &str) -> Decimal {
        Money::parse_amount(raw, "amount").expect(raw)
    }

    fn code(raw: &str) -> &'static str {
        Money::parse_amount(raw, "amount").expect_err(raw).code
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!(amount("1500"), Decimal::new(150_000, 2));
        assert_eq!(amount("1500.5"), Decimal::new(150_050, 2));
        assert_eq!(amount("1 500 000,00"), Decimal::new(150_000_000, 2));
        assert_eq!(amount("1\u{a0}500\u{202f}000,5"), Decimal::new(150_000_050, 2));
        assert_eq!(amount(" 0,07 "), Decimal::new(7, 2));
        assert_eq!(amount("999999999999999.99").to_string(), "999999999999999.99");
        assert_eq!(amount("00012").scale(), 2);
    }

    #[test]
    fn rejects_with_specific_codes() {
        for raw in ["", "abc", "1,500.00", "1.5.0", ".5", "5.", "+5", "1e5", "--1", "١٢"] {
            assert_eq!(code(raw), "amount-format", "{raw:?}");
        }
        assert_eq!(code("1500.505"), "amount-precision");
        assert_eq!(code("1,500"), "amount-precision");
        assert_eq!(code("-1500"), "amount-negative");
        assert_eq!(code("1000000000000000"), "amount-too-large");
        assert_eq!(code(&"9".repeat(40)), "amount-too-large");
        let err = Money::parse_amount("x", "deal.amount").expect_err("not a number");
        assert_eq!(err.field, "deal.amount");
    }

    #[test]
    fn currency_codes() {
        assert_eq!(Currency::parse(" rub ").expect("valid"), Currency::RUB);
        assert_eq!(Currency::parse("CNY").expect("valid").to_string(), "CNY");
        for raw in ["", "RU", "RUBL", "R1B", "РУБ"] {
            let err = Currency::parse(raw).expect_err(raw);
            assert_eq!((err.field.as_str(), err.code), ("currency", "currency-format"));
        }
        assert!(Currency::deserialize(StrDeserializer::<DeError>::new("usd")).is_ok());
        assert!(Currency::deserialize(StrDeserializer::<DeError>::new("US")).is_err());
    }

    #[test]
    fn formats() {
        let rub = Money::from_minor(150_000_000, Currency::RUB);
        assert_eq!(rub.format_ru(), "1\u{a0}500\u{a0}000,00\u{a0}₽");
        assert_eq!(Money::from_minor(150_000_000, Currency::USD).format_en(), "$1,500,000.00");
        assert_eq!(Money::from_minor(150_050, Currency::EUR).format_en(), "€1,500.50");
        assert_eq!(Money::from_minor(150_050, Currency::EUR).format_ru(), "1\u{a0}500,50\u{a0}€");
        assert_eq!(rub.format_en(), "RUB\u{a0}1,500,000.00");
        assert_eq!(Money::from_minor(5, Currency::RUB).format_ru(), "0,05\u{a0}₽");
        assert_eq!(Money::from_minor(-123_456, Currency::USD).format_en(), "-$1,234.56");
    }

    #[test]
    fn to_minor_is_exact_and_tolerates_foreign_amounts() {
        let money = Money { amount: Decimal::new(15, 1), currency: Currency::RUB };
        assert_eq!(money.to_minor(), 150);
        let extra = Money { amount: Decimal::new(10_005, 3), currency: Currency::RUB };
        assert_eq!(extra.to_minor(), 1001);
        let huge = Money { amount: Decimal::MAX, currency: Currency::RUB };
        assert_eq!(huge.to_minor(), i64::MAX);
    }

    proptest! {
        #[test]
        fn formatted_amounts_parse_back(minor in 0..=Money::MAX_MINOR) {
            let money = Money::from_minor(minor, Currency::RUB);
            let ru = money.format_ru();
            let typed = ru.strip_suffix("\u{a0}₽").expect("RUB suffix");
            prop_assert_eq!(amount(typed), money.amount);
            let en = Money::from_minor(minor, Currency::USD).format_en().replace(['$', ','], "");
            prop_assert_eq!(amount(&en), money.amount);
        }

        #[test]
        fn minor_units_round_trip(minor in any::<i64>()) {
            prop_assert_eq!(Money::from_minor(minor, Currency::EUR).to_minor(), minor);
        }

        #[test]
        fn parsed_amounts_are_bounded_kopecks(raw in "[0-9 ]{0,20}([.,][0-9]{0,3})?") {
            if let Ok(parsed) = Money::parse_amount(&raw, "amount") {
                prop_assert_eq!(parsed.scale(), 2);
                prop_assert!(parsed >= Decimal::ZERO);
                prop_assert!(parsed <= Decimal::new(Money::MAX_MINOR, 2));
            }
        }

        #[test]
        fn parse_never_panics(raw in "\\PC{0,30}") {
            let _ = Money::parse_amount(&raw, "amount");
        }
    }
}
