//! Decimal numbers on their way out: exact text for CSV, the nearest double for XLSX.

use std::fmt::Write as _;

use rust_decimal::Decimal;

/// The double nearest to `value`. XLSX stores only doubles, so this is the one lossy step, done
/// at the very end; sums are made before, in `Decimal`.
///
/// rust_decimal's own `to_f64` adds the fraction to the integer part and rounds again, which
/// can miss the nearest double; here a mantissa below 2^53 over a power of ten up to 10^22 (both
/// exact doubles) is one IEEE division, correctly rounded. Larger values go through the
/// standard library's correctly rounded parser.
pub(crate) fn to_f64(value: Decimal) -> f64 {
    const EXACT_MANTISSA: i128 = 1 << 53;
    let mantissa = value.mantissa();
    let scale = value.scale();
    if mantissa.abs() < EXACT_MANTISSA && scale <= 22 {
        // Both operands are exact doubles: |mantissa| < 2^53 and 10^scale ≤ 10^22.
        return mantissa as f64 / 10f64.powi(scale as i32);
    }
    // `Decimal`'s `Display` is plain digits with an optional point and sign: always parses.
    value.to_string().parse().unwrap_or(0.0)
}

/// Appends `value` as plain digits with `separator` as the decimal mark and at least
/// `min_scale` decimals (`1500000,00`): no grouping and no currency, so every spreadsheet and
/// script reads it as a number. Never rounds: extra decimals are kept.
pub(crate) fn push_decimal(out: &mut String, value: Decimal, min_scale: u32, separator: char) {
    let start = out.len();
    // Writing to a `String` cannot fail.
    let _ = write!(out, "{value}");
    // Padding the text rather than rescaling the value: `rescale` cannot add decimals to a
    // value with all 28 digits in use.
    let scale = value.scale();
    if scale < min_scale {
        if scale == 0 {
            out.push('.');
        }
        out.extend(std::iter::repeat_n('0', (min_scale - scale) as usize));
    }
    replace_point(out, start, separator);
}

/// Appends the fraction `value` as a percentage: `0.4235` → `42.35%` (`42,35%` in Russian), the
/// form Excel and LibreOffice read back as a percent-formatted number. Exact: the decimal point
/// moves two places, nothing is rounded.
pub(crate) fn push_percent(out: &mut String, value: Decimal, separator: char) {
    let start = out.len();
    let scale = value.scale();
    if scale >= 2 {
        // Same digits, point two places to the right; a valid `Decimal` since the scale shrinks.
        let _ = write!(out, "{}", Decimal::from_i128_with_scale(value.mantissa(), scale - 2));
    } else {
        // A 96-bit mantissa times 100 fits an i128.
        let _ = write!(out, "{}", value.mantissa() * 10i128.pow(2 - scale));
    }
    replace_point(out, start, separator);
    out.push('%');
}

/// Replaces the first `.` after `start` with `separator`.
fn replace_point(out: &mut String, start: usize, separator: char) {
    if separator == '.' {
        return;
    }
    if let Some(at) = out[start..].find('.') {
        let at = start + at;
        out.replace_range(at..=at, separator.encode_utf8(&mut [0; 4]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decimal(minor: i64, scale: u32) -> Decimal {
        Decimal::new(minor, scale)
    }

    fn text(f: impl Fn(&mut String)) -> String {
        let mut out = "x".to_owned();
        f(&mut out);
        out.split_off(1)
    }

    #[test]
    fn decimals_as_text() {
        assert_eq!(text(|o| push_decimal(o, decimal(150_000_000, 2), 2, ',')), "1500000,00");
        assert_eq!(text(|o| push_decimal(o, decimal(150_000_000, 2), 2, '.')), "1500000.00");
        assert_eq!(text(|o| push_decimal(o, decimal(15, 1), 2, ',')), "1,50");
        assert_eq!(text(|o| push_decimal(o, decimal(7, 0), 2, '.')), "7.00");
        assert_eq!(text(|o| push_decimal(o, decimal(-10_005, 3), 2, ',')), "-10,005");
        assert_eq!(text(|o| push_decimal(o, Decimal::MAX, 2, ',')), format!("{},00", Decimal::MAX));
    }

    #[test]
    fn percents_as_text() {
        assert_eq!(text(|o| push_percent(o, decimal(4235, 4), ',')), "42,35%");
        assert_eq!(text(|o| push_percent(o, decimal(4235, 4), '.')), "42.35%");
        assert_eq!(text(|o| push_percent(o, decimal(5, 1), ',')), "50%");
        assert_eq!(text(|o| push_percent(o, decimal(42, 2), ',')), "42%");
        assert_eq!(text(|o| push_percent(o, decimal(-3, 0), '.')), "-300%");
        assert_eq!(text(|o| push_percent(o, decimal(1, 28), '.')), format!("0.{}1%", "0".repeat(25)));
        assert_eq!(text(|o| push_percent(o, Decimal::MAX, '.')), format!("{}00%", Decimal::MAX));
    }

    #[test]
    fn doubles() {
        assert_eq!(to_f64(decimal(150_000_050, 2)), 1_500_000.5);
        assert_eq!(to_f64(decimal(-1, 2)), -0.01);
        assert_eq!(to_f64(decimal(4235, 4)), 0.4235);
        assert_eq!(to_f64(Decimal::MAX), 79_228_162_514_264_337_593_543_950_335.0);
        assert_eq!(to_f64(Decimal::from_i128_with_scale(1, 28)), 1e-28);
    }

    proptest! {
        /// Whatever path is taken, the double is the one Rust's parser picks for the digits,
        /// i.e. the nearest: money survives to the kopeck wherever a double can hold it.
        #[test]
        fn nearest_double(mantissa in any::<i64>(), scale in 0u32..=28) {
            let value = Decimal::new(mantissa, scale);
            let expected: f64 = value.to_string().parse().expect("decimal text parses");
            prop_assert_eq!(to_f64(value), expected);
        }
    }
}
