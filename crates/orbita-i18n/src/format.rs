//! Numbers, money and dates as a Russian or English reader expects them. Times are stored in
//! UTC and shown in the organisation's time zone, because "call at 14:00" means Moscow time
//! to a Moscow sales team whatever the server's clock says.

use std::str::FromStr;

use crate::FluentValue;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use orbita_domain::org::Locale;
use orbita_domain::validation::Money;

use crate as i18n;

/// The zone used when an organisation's setting names no zone we know.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Europe::Moscow;

/// `1 500 000,00 ₽` in Russian, `RUB 1,500,000.00` in English; no-break spaces, so an amount
/// never wraps across lines in a narrow table cell.
pub fn money(locale: Locale, money: &Money) -> String {
    match locale {
        Locale::Ru => money.format_ru(),
        Locale::En => money.format_en(),
    }
}

/// A whole number grouped by thousands: `1 500 000` (no-break spaces) or `1,500,000`.
pub fn number(locale: Locale, n: i64) -> String {
    let separator = match locale {
        Locale::Ru => '\u{a0}',
        Locale::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// A percentage such as a deal's probability: `60 %` in Russian (no-break space, as the
/// Russian standard writes it), `60%` in English.
pub fn percent(locale: Locale, value: u8) -> String {
    match locale {
        Locale::Ru => format!("{value}\u{a0}%"),
        Locale::En => format!("{value}%"),
    }
}

/// `23.11.2026` or `Nov 23, 2026`.
pub fn date(locale: Locale, date: NaiveDate) -> String {
    match locale {
        Locale::Ru => date.format("%d.%m.%Y").to_string(),
        Locale::En => date.format("%b %-d, %Y").to_string(),
    }
}

/// `23.11.2026 14:05` or `Nov 23, 2026, 2:05 PM`, in the time zone named `tz` (IANA, e.g.
/// `Europe/Moscow`).
pub fn datetime(locale: Locale, tz: &str, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&time_zone(tz));
    match locale {
        Locale::Ru => local.format("%d.%m.%Y %H:%M").to_string(),
        Locale::En => local.format("%b %-d, %Y, %-I:%M\u{a0}%p").to_string(),
    }
}

/// The time of day only, for today's tasks and meetings: `14:05` or `2:05 PM`.
pub fn time(locale: Locale, tz: &str, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&time_zone(tz));
    match locale {
        Locale::Ru => local.format("%H:%M").to_string(),
        Locale::En => local.format("%-I:%M\u{a0}%p").to_string(),
    }
}

/// The calendar date of `at` in the zone `tz`: what a user there calls "that day".
pub fn local_date(tz: &str, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&time_zone(tz)).date_naive()
}

/// The organisation's zone by IANA name. An unknown name (a typo in settings) falls back to
/// Moscow rather than failing every page that shows a time.
pub fn time_zone(name: &str) -> Tz {
    Tz::from_str(name.trim()).unwrap_or(DEFAULT_TIME_ZONE)
}

/// How a due date reads on a task list: "Today", "Tomorrow", "In 3 days", "2 days overdue",
/// counted in calendar days of the zone `tz`, so a task due at 00:30 Moscow time is "tomorrow"
/// at 23:00 the evening before, whatever UTC says.
pub fn relative_due(locale: Locale, tz: &str, due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let days = (local_date(tz, due) - local_date(tz, now)).num_days();
    match days {
        0 => i18n::t(locale, "due-today"),
        1 => i18n::t(locale, "due-tomorrow"),
        -1 => i18n::t(locale, "due-yesterday"),
        d if d > 0 => i18n::t_args(locale, "due-in-days", &[("days", FluentValue::from(d))]),
        d => i18n::t_args(locale, "due-overdue-days", &[("days", FluentValue::from(-d))]),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use orbita_domain::validation::Currency;

    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("valid test time")
    }

    #[test]
    fn money_in_both_languages() {
        let amount = Money::from_minor(150_000_000, Currency::RUB);
        assert_eq!(money(Locale::Ru, &amount), "1\u{a0}500\u{a0}000,00\u{a0}₽");
        assert_eq!(money(Locale::En, &amount), "RUB\u{a0}1,500,000.00");
        assert_eq!(money(Locale::En, &Money::from_minor(99, Currency::USD)), "$0.99");
    }

    #[test]
    fn numbers_group_by_thousands() {
        assert_eq!(number(Locale::Ru, 0), "0");
        assert_eq!(number(Locale::Ru, 999), "999");
        assert_eq!(number(Locale::Ru, 1500), "1\u{a0}500");
        assert_eq!(number(Locale::En, 1_500_000), "1,500,000");
        assert_eq!(number(Locale::En, -1_234), "-1,234");
        assert_eq!(number(Locale::En, i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(percent(Locale::Ru, 60), "60\u{a0}%");
        assert_eq!(percent(Locale::En, 60), "60%");
    }

    #[test]
    fn dates() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 3).expect("valid date");
        assert_eq!(date(Locale::Ru, day), "03.11.2026");
        assert_eq!(date(Locale::En, day), "Nov 3, 2026");
    }

    #[test]
    fn datetimes_in_the_organisation_zone() {
        // 11:05 UTC is 14:05 in Moscow (UTC+3 all year).
        let at = utc(2026, 11, 23, 11, 5);
        assert_eq!(datetime(Locale::Ru, "Europe/Moscow", at), "23.11.2026 14:05");
        assert_eq!(datetime(Locale::En, "Europe/Moscow", at), "Nov 23, 2026, 2:05\u{a0}PM");
        assert_eq!(datetime(Locale::Ru, "Asia/Vladivostok", at), "23.11.2026 21:05");
        // Crossing midnight changes the date, not only the hour.
        assert_eq!(datetime(Locale::Ru, "Asia/Vladivostok", utc(2026, 11, 23, 15, 0)), "24.11.2026 01:00");
        assert_eq!(datetime(Locale::Ru, "Not/AZone", at), "23.11.2026 14:05");
        assert_eq!(time(Locale::En, "Europe/Moscow", utc(2026, 1, 1, 21, 30)), "12:30\u{a0}AM");
        assert_eq!(time(Locale::Ru, "Europe/Moscow", at), "14:05");
    }

    #[test]
    fn due_dates_count_local_days() {
        let now = utc(2026, 11, 23, 20, 0); // 23:00 in Moscow
        let tz = "Europe/Moscow";
        assert_eq!(relative_due(Locale::Ru, tz, utc(2026, 11, 23, 21, 30), now), "Завтра");
        assert_eq!(relative_due(Locale::En, tz, utc(2026, 11, 23, 6, 0), now), "Today");
        assert_eq!(relative_due(Locale::Ru, tz, utc(2026, 11, 22, 6, 0), now), "Вчера");
        assert_eq!(relative_due(Locale::Ru, tz, utc(2026, 11, 26, 6, 0), now), "Через 3 дня");
        assert_eq!(relative_due(Locale::Ru, tz, utc(2026, 11, 18, 6, 0), now), "Просрочено на 5 дней");
        assert_eq!(relative_due(Locale::En, tz, utc(2026, 11, 21, 6, 0), now), "2 days overdue");
        assert_eq!(relative_due(Locale::En, tz, utc(2026, 11, 25, 6, 0), now), "In 2 days");
    }
}
