//! The organisation's wall clock as instants: the one place a local day or a typed local time
//! becomes the UTC moment that is stored and compared. Every page, filter, report and export
//! reads days through it, so a day means the same everywhere, also on the days a clock change
//! makes 23 or 25 hours long or skips midnight.

use chrono::{
    DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc,
};

use crate::Timestamp;

/// A wall-clock time in `zone` as an instant. A time that a clock change skips is moved on by
/// the length of the gap (02:30 on a night that jumps from 02:00 to 03:00 is 03:30, as
/// java.time and JavaScript's Temporal read it; a skipped midnight is the first moment of the
/// day); a time that occurs twice is its first occurrence.
pub fn instant<Z: TimeZone>(local: NaiveDateTime, zone: &Z) -> Timestamp {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
        LocalResult::None => {
            // Read with the offset in force just before the clocks jumped.
            let before = jump_over(local, zone) - TimeDelta::seconds(1);
            let offset = zone.offset_from_utc_datetime(&before.naive_utc()).fix();
            (local - TimeDelta::seconds(i64::from(offset.local_minus_utc()))).and_utc()
        }
    }
}

/// The first moment of `day` in `zone`: a "from" date includes its whole day.
pub fn day_start<Z: TimeZone>(day: NaiveDate, zone: &Z) -> Timestamp {
    instant(day.and_time(NaiveTime::MIN), zone)
}

/// The first moment after `day` in `zone`: a "to" date includes its whole day.
pub fn day_end<Z: TimeZone>(day: NaiveDate, zone: &Z) -> Timestamp {
    match day.checked_add_days(Days::new(1)) {
        Some(next) => day_start(next, zone),
        None => DateTime::<Utc>::MAX_UTC,
    }
}

/// Days typed as "from" and "to", both included, as the instants `[from, to)`.
pub fn days<Z: TimeZone>(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    zone: &Z,
) -> (Option<Timestamp>, Option<Timestamp>) {
    (from.map(|d| day_start(d, zone)), to.map(|d| day_end(d, zone)))
}

/// The instant the clocks jumped over the skipped wall-clock time `local`: the first instant
/// whose wall-clock time is past it. Offsets lie within ±15 hours, so it is found between
/// `local` read as UTC ∓ 15 hours, by halving that interval to the second.
fn jump_over<Z: TimeZone>(local: NaiveDateTime, zone: &Z) -> Timestamp {
    let span = TimeDelta::hours(15);
    let past = |at: i64| {
        DateTime::from_timestamp(at, 0)
            .is_some_and(|at| zone.from_utc_datetime(&at.naive_utc()).naive_local() > local)
    };
    let (mut before, mut after) =
        ((local - span).and_utc().timestamp(), (local + span).and_utc().timestamp());
    while after - before > 1 {
        let middle = before + (after - before) / 2;
        if past(middle) {
            after = middle;
        } else {
            before = middle;
        }
    }
    DateTime::from_timestamp(after, 0).unwrap_or_else(|| local.and_utc())
}

#[cfg(test)]
mod tests {
    use chrono_tz::Tz;

    use super::*;

    fn day(raw: &str) -> NaiveDate {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").expect("date")
    }

    fn at(raw: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M").expect("time")
    }

    fn utc(t: Timestamp) -> String {
        t.format("%Y-%m-%dT%H:%M").to_string()
    }

    #[test]
    fn a_day_runs_from_local_midnight_to_the_next() {
        let (from, to) = days(Some(day("2026-11-23")), Some(day("2026-11-23")), &Tz::Europe__Moscow);
        assert_eq!(utc(from.expect("from")), "2026-11-22T21:00");
        assert_eq!(utc(to.expect("to")), "2026-11-23T21:00");
        assert_eq!(days(None, None, &Tz::Europe__Moscow), (None, None));
    }

    #[test]
    fn clock_changes_make_days_shorter_and_longer() {
        let berlin = Tz::Europe__Berlin;
        let spring = day_end(day("2026-03-29"), &berlin) - day_start(day("2026-03-29"), &berlin);
        let autumn = day_end(day("2026-10-25"), &berlin) - day_start(day("2026-10-25"), &berlin);
        assert_eq!((spring.num_hours(), autumn.num_hours()), (23, 25));
    }

    #[test]
    fn a_skipped_time_moves_on_by_the_gap() {
        // Berlin skips 02:00–03:00, so 02:30 is 03:30 CEST; Havana and Santiago skip midnight
        // itself, so their day starts at 01:00.
        assert_eq!(utc(instant(at("2026-03-29T02:30"), &Tz::Europe__Berlin)), "2026-03-29T01:30");
        assert_eq!(utc(instant(at("2026-03-29T02:00"), &Tz::Europe__Berlin)), "2026-03-29T01:00");
        assert_eq!(utc(day_start(day("2026-03-08"), &Tz::America__Havana)), "2026-03-08T05:00");
        assert_eq!(utc(day_start(day("2026-09-06"), &Tz::America__Santiago)), "2026-09-06T04:00");
    }

    #[test]
    fn a_repeated_time_is_its_first_occurrence() {
        assert_eq!(utc(instant(at("2026-10-25T02:30"), &Tz::Europe__Berlin)), "2026-10-25T00:30");
    }

    #[test]
    fn the_last_day_of_the_calendar_ends_at_the_end_of_time() {
        assert_eq!(day_end(NaiveDate::MAX, &Utc), DateTime::<Utc>::MAX_UTC);
    }
}
