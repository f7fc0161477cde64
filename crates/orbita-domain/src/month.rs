//! A calendar month of the organisation (sales targets, report periods): a key, not an instant;
//! which moments fall into it is decided by whoever knows the time zone.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// A calendar month. Years are limited to four digits so the 'YYYY-MM' key sorts as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1000..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// Exactly `YYYY-MM`: what a month picker sends and what the table stores.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.split_once('-')?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return None;
        }
        Month::new(year.parse().ok()?, month.parse().ok()?)
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> Option<Month> {
        Month::new(date.year(), date.month())
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        // Always valid: `new` admits only months 1–12 of four-digit years.
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The following month; `None` after 9999-12.
    pub fn next(self) -> Option<Month> {
        if self.month == 12 { Month::new(self.year + 1, 1) } else { Month::new(self.year, self.month + 1) }
    }

    /// The month before; `None` before 1000-01.
    pub fn previous(self) -> Option<Month> {
        if self.month == 1 { Month::new(self.year - 1, 12) } else { Month::new(self.year, self.month - 1) }
    }

    /// The months from `self` to `last`, both included (empty when `last` is earlier).
    pub fn through(self, last: Month) -> Vec<Month> {
        std::iter::successors(Some(self), |m| m.next()).take_while(|m| *m <= last).collect()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_strictly_and_step() {
        let m = Month::parse("2025-12").expect("month");
        assert_eq!(m.to_string(), "2025-12");
        assert_eq!(m.next().map(|n| n.to_string()).as_deref(), Some("2026-01"));
        assert_eq!(Month::parse("2026-01").and_then(Month::previous), Some(m));
        for bad in ["2025-13", "2025-00", "2025-1", "25-01", "2025/01", "2025-01-01", " 2025-01", "+025-01"] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
        assert_eq!(Month::parse("9999-12").and_then(Month::next), None);
        let months = m.through(Month::parse("2026-02").expect("month"));
        assert_eq!(
            months.iter().map(Month::to_string).collect::<Vec<_>>(),
            ["2025-12", "2026-01", "2026-02"]
        );
        assert_eq!(m.first_day(), NaiveDate::from_ymd_opt(2025, 12, 1).expect("date"));
    }
}
