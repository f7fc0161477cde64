//! Dates and times as people type and read them: the organisation's wall-clock time
//! (`Layout::time_zone`), turned into the UTC instants the services take and back, through
//! `orbita_domain::local_time` (days of 23 or 25 hours, a skipped midnight). Every page, filter
//! and form reads them here.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use orbita_domain::{FieldError, Timestamp, ValidationErrors, local_time};

use crate::ui::format::time_zone;

/// `2026-11-23`, as a date input sends it.
pub fn date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

/// The first moment of `day` in the zone `tz`: a "from" date filter.
pub fn day_start(day: NaiveDate, tz: &str) -> DateTime<Utc> {
    local_time::day_start(day, &time_zone(tz))
}

/// The first moment after `day` in the zone `tz`: a "to" date filter includes its whole day.
pub fn day_end(day: NaiveDate, tz: &str) -> DateTime<Utc> {
    local_time::day_end(day, &time_zone(tz))
}

/// A period typed as two dates, both inclusive: from the start of the first day to the start
/// of the day after the last.
pub fn period(tz: &str, from: &str, to: &str) -> (Option<Timestamp>, Option<Timestamp>) {
    local_time::days(date(from), date(to), &time_zone(tz))
}

/// What `<input type="datetime-local">` sends (`2026-11-23T14:05`, seconds optional), read in
/// the zone `tz`. `None` for an empty or unreadable value.
pub fn parse_local_datetime(raw: &str, tz: &str) -> Option<DateTime<Utc>> {
    wall_clock(raw).map(|local| local_time::instant(local, &time_zone(tz)))
}

/// A form's `datetime-local` field read in the zone `tz` (a date alone is 09:00 that day).
/// `None` when empty; anything unreadable is a field error.
pub fn datetime_field(tz: &str, raw: &str, field: &str, errors: &mut ValidationErrors) -> Option<Timestamp> {
    if raw.trim().is_empty() {
        return None;
    }
    let local = wall_clock(raw).or_else(|| date(raw).and_then(|d| d.and_hms_opt(9, 0, 0)));
    if local.is_none() {
        errors.push(FieldError::new(field, "datetime-local-format", "Enter a date and time"));
    }
    local.map(|local| local_time::instant(local, &time_zone(tz)))
}

/// A moment as the value of `<input type="datetime-local">` in the zone `tz`.
pub fn local_datetime_value(at: DateTime<Utc>, tz: &str) -> String {
    at.with_timezone(&time_zone(tz)).format("%Y-%m-%dT%H:%M").to_string()
}

/// A wall-clock time as typed: `2026-11-23T14:05`, with seconds, or with a space.
fn wall_clock(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_become_utc_and_back() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        assert_eq!(day_start(day, "Europe/Moscow").to_rfc3339(), "2026-11-22T21:00:00+00:00");
        assert_eq!(day_end(day, "Europe/Moscow").to_rfc3339(), "2026-11-23T21:00:00+00:00");
        let at = parse_local_datetime("2026-11-23T14:05", "Europe/Moscow").expect("parses");
        assert_eq!(at.to_rfc3339(), "2026-11-23T11:05:00+00:00");
        assert_eq!(local_datetime_value(at, "Asia/Vladivostok"), "2026-11-23T21:05");
        assert_eq!(parse_local_datetime("", "Europe/Moscow"), None);
        // 02:30 on 2026-03-29 does not exist in Berlin (clocks jump from 02:00 to 03:00).
        let gap = parse_local_datetime("2026-03-29T02:30", "Europe/Berlin").expect("parses");
        assert_eq!(gap.to_rfc3339(), "2026-03-29T01:30:00+00:00");
    }

    #[test]
    fn form_fields_give_a_message_for_what_they_cannot_read() {
        let mut errors = ValidationErrors::default();
        let at = datetime_field("Europe/Moscow", "2026-11-23T14:05", "due_at", &mut errors).expect("parsed");
        assert_eq!(at.to_rfc3339(), "2026-11-23T11:05:00+00:00");
        let morning = datetime_field("Europe/Moscow", "2026-11-23", "due_at", &mut errors).expect("parsed");
        assert_eq!(morning.to_rfc3339(), "2026-11-23T06:00:00+00:00");
        assert_eq!(datetime_field("Europe/Moscow", " ", "due_at", &mut errors), None);
        assert!(errors.is_empty());
        assert!(datetime_field("Europe/Moscow", "завтра", "due_at", &mut errors).is_none());
        assert_eq!(errors.field("due_at").map(|e| e.code), Some("datetime-local-format"));
    }

    #[test]
    fn periods_include_the_last_day() {
        let (from, to) = period("Europe/Moscow", "2026-11-01", "2026-11-30");
        assert_eq!(from.map(|t| t.to_rfc3339()).as_deref(), Some("2026-10-31T21:00:00+00:00"));
        assert_eq!(to.map(|t| t.to_rfc3339()).as_deref(), Some("2026-11-30T21:00:00+00:00"));
        assert_eq!(period("Europe/Moscow", "", "x"), (None, None));
    }
}
