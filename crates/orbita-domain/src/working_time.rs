//! The organisation's working week (the days and the hours of work, in its time zone) and
//! deadlines counted in it: a robot's "call back within 2 hours" set at 17:30 on a Friday is
//! due at 10:30 on Monday, not in the middle of the night.

use chrono::{Datelike, NaiveDate, NaiveTime, TimeDelta, TimeZone};

use crate::local_time::instant;
use crate::{FieldError, Timestamp, ValidationErrors};

/// The days and hours of work. Each working day has one span, from `start` to `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    /// Whether each weekday is worked, Monday first.
    pub days: [bool; 7],
    /// Minutes after local midnight when work starts and ends (`start < end`).
    pub start: u16,
    pub end: u16,
}

impl Default for WorkingHours {
    /// Monday to Friday, 09:00 to 18:00.
    fn default() -> Self {
        Self { days: [true, true, true, true, true, false, false], start: 9 * 60, end: 18 * 60 }
    }
}

/// The furthest a deadline is looked for: past it (a working week of a minute) the deadline is
/// counted in plain time instead of running on.
const MAX_DAYS: usize = 40_000;

impl WorkingHours {
    /// The working week as a form or the API gives it: the weekdays worked as ISO numbers
    /// (`1` Monday … `7` Sunday, e.g. `["1", "2", "3", "4", "5"]`) and the times as `HH:MM`.
    pub fn parse(days: &[String], start: &str, end: &str) -> Result<WorkingHours, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut worked = [false; 7];
        for day in days {
            match day.trim().parse::<usize>() {
                Ok(n @ 1..=7) => worked[n - 1] = true,
                _ => {
                    errors.push(FieldError::new("work_days", "work-days-unknown", "Choose days of the week"))
                }
            }
        }
        if errors.is_empty() && !worked.contains(&true) {
            errors.push(FieldError::new(
                "work_days",
                "work-days-required",
                "Choose at least one working day",
            ));
        }
        let start = errors.check(clock(start, "work_start"));
        let end = errors.check(clock(end, "work_end"));
        if let (Some(start), Some(end)) = (start, end)
            && start >= end
        {
            errors.push(FieldError::new("work_end", "work-end-before-start", "Work ends after it starts"));
        }
        errors.into_result()?;
        Ok(WorkingHours { days: worked, start: start.unwrap_or(0), end: end.unwrap_or(0) })
    }

    /// As stored: the weekdays worked as ISO digits (`"12345"`), the times as minutes.
    pub fn from_stored(days: &str, start: i64, end: i64) -> Option<WorkingHours> {
        let mut worked = [false; 7];
        for digit in days.chars() {
            let n = digit.to_digit(10).filter(|n| (1..=7).contains(n))?;
            worked[n as usize - 1] = true;
        }
        let (start, end) = (u16::try_from(start).ok()?, u16::try_from(end).ok()?);
        (worked.contains(&true) && start < end && end < 24 * 60).then_some(WorkingHours {
            days: worked,
            start,
            end,
        })
    }

    /// The weekdays worked as ISO digits, Monday first: `"12345"`.
    pub fn days_text(&self) -> String {
        (1..=7).filter(|n| self.days[n - 1]).map(|n| char::from(b'0' + n as u8)).collect()
    }

    /// `09:00`, `18:30`.
    pub fn start_text(&self) -> String {
        clock_text(self.start)
    }

    pub fn end_text(&self) -> String {
        clock_text(self.end)
    }

    /// The moment `minutes` of working time after `from`, in `zone`: time outside the working
    /// hours is not counted, and a deadline that falls exactly at the end of a day's work is
    /// that end, not the next morning. From outside the hours, the count starts at the next
    /// opening (so 0 minutes is the next moment of work).
    pub fn deadline<Z: TimeZone>(&self, from: Timestamp, minutes: i64, zone: &Z) -> Timestamp {
        let mut left = TimeDelta::minutes(minutes.max(0));
        let mut day = from.with_timezone(zone).date_naive();
        for _ in 0..MAX_DAYS {
            if self.days[day.weekday().num_days_from_monday() as usize] {
                let (opens, closes) = self.span(day, zone);
                let begin = opens.max(from);
                if begin < closes {
                    let open_for = closes - begin;
                    if left <= open_for {
                        return begin + left;
                    }
                    left -= open_for;
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        from + TimeDelta::minutes(minutes.max(0))
    }

    /// When work opens on `day` (whether or not the day is worked): a task due "on" a date is
    /// due at its first working moment.
    pub fn opens<Z: TimeZone>(&self, day: NaiveDate, zone: &Z) -> Timestamp {
        self.span(day, zone).0
    }

    /// Whether `at` falls within the working hours.
    pub fn is_working<Z: TimeZone>(&self, at: Timestamp, zone: &Z) -> bool {
        let day = at.with_timezone(zone).date_naive();
        let (opens, closes) = self.span(day, zone);
        self.days[day.weekday().num_days_from_monday() as usize] && opens <= at && at < closes
    }

    /// When work opens and closes on `day`, as instants (a clock change inside the hours makes
    /// the span an hour shorter or longer, as the people at work live it).
    fn span<Z: TimeZone>(&self, day: NaiveDate, zone: &Z) -> (Timestamp, Timestamp) {
        let at = |minute: u16| {
            let time = NaiveTime::from_num_seconds_from_midnight_opt(u32::from(minute) * 60, 0)
                .unwrap_or(NaiveTime::MIN);
            instant(day.and_time(time), zone)
        };
        (at(self.start), at(self.end))
    }
}

fn clock(raw: &str, field: &str) -> Result<u16, FieldError> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map(|t| u16::try_from(chrono::Timelike::num_seconds_from_midnight(&t) / 60).unwrap_or(0))
        .map_err(|_| FieldError::new(field, "work-time-format", "Enter a time like 09:00"))
}

fn clock_text(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[cfg(test)]
mod tests {
    use chrono_tz::Tz;

    use super::*;

    fn at(raw: &str, zone: &Tz) -> Timestamp {
        let local = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M").expect("time");
        instant(local, zone)
    }

    fn local(at: Timestamp, zone: &Tz) -> String {
        at.with_timezone(zone).format("%a %Y-%m-%d %H:%M").to_string()
    }

    #[test]
    fn a_deadline_inside_the_day_is_plain_time() {
        let zone = chrono_tz::Europe::Moscow;
        let week = WorkingHours::default();
        // 2026-12-08 is a Tuesday.
        assert_eq!(
            local(week.deadline(at("2026-12-08 10:00", &zone), 15, &zone), &zone),
            "Tue 2026-12-08 10:15"
        );
        assert_eq!(
            local(week.deadline(at("2026-12-08 16:00", &zone), 120, &zone), &zone),
            "Tue 2026-12-08 18:00"
        );
    }

    #[test]
    fn the_evening_and_the_weekend_are_not_counted() {
        let zone = chrono_tz::Europe::Moscow;
        let week = WorkingHours::default();
        // Friday 17:30 + 2 hours: 30 minutes on Friday, 90 on Monday.
        assert_eq!(
            local(week.deadline(at("2026-12-11 17:30", &zone), 120, &zone), &zone),
            "Mon 2026-12-14 10:30"
        );
        // A request at 21:00 on Tuesday: call within 15 minutes of the next opening.
        assert_eq!(
            local(week.deadline(at("2026-12-08 21:00", &zone), 15, &zone), &zone),
            "Wed 2026-12-09 09:15"
        );
        // Before opening, and on a Sunday.
        assert_eq!(
            local(week.deadline(at("2026-12-08 06:00", &zone), 15, &zone), &zone),
            "Tue 2026-12-08 09:15"
        );
        assert_eq!(
            local(week.deadline(at("2026-12-13 12:00", &zone), 0, &zone), &zone),
            "Mon 2026-12-14 09:00"
        );
    }

    #[test]
    fn working_days_are_counted_as_whole_days_of_work() {
        let zone = chrono_tz::Europe::Moscow;
        let week = WorkingHours::default();
        // Two working days (2 × 9 hours) from Thursday 15:00: Monday 15:00.
        assert_eq!(
            local(week.deadline(at("2026-12-10 15:00", &zone), 2 * 9 * 60, &zone), &zone),
            "Mon 2026-12-14 15:00"
        );
    }

    #[test]
    fn a_clock_change_shortens_the_day_it_falls_in() {
        // New York moves its clocks from 02:00 to 03:00 on 2027-03-14, a Sunday; a shop open
        // every day from 01:00 to 05:00 works three hours that day.
        let zone = chrono_tz::America::New_York;
        let days = (1..=7).map(|n| n.to_string()).collect::<Vec<_>>();
        let shop = WorkingHours::parse(&days, "01:00", "05:00").expect("hours");
        assert_eq!(
            local(shop.deadline(at("2027-03-14 01:00", &zone), 180, &zone), &zone),
            "Sun 2027-03-14 05:00"
        );
        assert_eq!(
            local(shop.deadline(at("2027-03-14 01:00", &zone), 181, &zone), &zone),
            "Mon 2027-03-15 01:01"
        );
    }

    #[test]
    fn a_week_of_one_minute_still_ends() {
        let zone = chrono_tz::Europe::Moscow;
        let tiny = WorkingHours::parse(&["7".to_owned()], "09:00", "09:01").expect("hours");
        let from = at("2026-12-08 10:00", &zone);
        let far = tiny.deadline(from, 365 * 24 * 60, &zone);
        assert!(far > from);
    }

    #[test]
    fn the_working_week_is_read_from_a_form_with_every_mistake_named() {
        let days = vec!["1".to_owned(), "3".to_owned(), "5".to_owned()];
        let week = WorkingHours::parse(&days, "08:30", "17:00").expect("hours");
        assert_eq!(
            (week.days_text(), week.start_text(), week.end_text()),
            ("135".into(), "08:30".into(), "17:00".into())
        );
        assert_eq!(WorkingHours::from_stored("135", 510, 1020), Some(week));
        let errors = WorkingHours::parse(&[], "9", "08:00").expect_err("refused");
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["work_days", "work_start"]);
        let errors = WorkingHours::parse(&["8".to_owned()], "18:00", "09:00").expect_err("refused");
        let codes: Vec<_> = errors.0.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["work-days-unknown", "work-end-before-start"]);
        assert_eq!(WorkingHours::from_stored("", 540, 1080), None);
        assert_eq!(WorkingHours::from_stored("12345", 1080, 540), None);
    }

    #[test]
    fn whether_a_moment_is_at_work() {
        let zone = chrono_tz::Europe::Moscow;
        let week = WorkingHours::default();
        assert!(week.is_working(at("2026-12-08 09:00", &zone), &zone));
        assert!(!week.is_working(at("2026-12-08 18:00", &zone), &zone));
        assert!(!week.is_working(at("2026-12-12 12:00", &zone), &zone));
    }
}
