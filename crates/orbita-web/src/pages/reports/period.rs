//! The period of a report page as its URL carries it: `from` and `to`, both `YYYY-MM-DD` and
//! both included (as the list pages' date filters), in the organisation's calendar; the
//! services take the day after `to` as the end. Quick links pick a whole month, quarter or year.

use chrono::{Datelike, Days, Months, NaiveDate};
use orbita_app::reports::DefaultPeriod;

use crate::pages::list_query::ListQuery;
use crate::ui::{Layout, format};

/// Whole days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    /// The calendar month `day` falls in.
    pub fn month(day: NaiveDate) -> DayRange {
        let from = day.with_day(1).unwrap_or(day);
        DayRange { from, to: last_day(from, 1) }
    }

    pub fn last_month(today: NaiveDate) -> DayRange {
        let first = today.with_day(1).unwrap_or(today);
        DayRange::month(first.checked_sub_months(Months::new(1)).unwrap_or(first))
    }

    pub fn quarter(today: NaiveDate) -> DayRange {
        let month = (today.month0() / 3) * 3 + 1;
        let from = NaiveDate::from_ymd_opt(today.year(), month, 1).unwrap_or(today);
        DayRange { from, to: last_day(from, 3) }
    }

    pub fn year(today: NaiveDate) -> DayRange {
        let from = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        DayRange { from, to: last_day(from, 12) }
    }

    /// The period in the URL (`from`, `to`); a missing or unreadable end comes from `default`.
    pub fn from_query(query: &ListQuery, default: DayRange) -> DayRange {
        DayRange {
            from: query.date("from").unwrap_or(default.from),
            to: query.date("to").unwrap_or(default.to),
        }
    }

    /// The first day after the period: the services' exclusive end.
    pub fn end(self) -> NaiveDate {
        self.to.checked_add_days(Days::new(1)).unwrap_or(self.to)
    }

    pub fn first_value(self) -> String {
        self.from.format("%Y-%m-%d").to_string()
    }

    pub fn last_value(self) -> String {
        self.to.format("%Y-%m-%d").to_string()
    }

    /// `01.11.2026 – 30.11.2026`.
    pub fn label(self, layout: &Layout) -> String {
        format!("{} – {}", layout.date(self.from), layout.date(self.to))
    }
}

/// A report's default period (`orbita_app::reports::DefaultPeriod`): one place decides it for
/// the page, its file and the API.
impl From<DefaultPeriod> for DayRange {
    fn from(period: DefaultPeriod) -> DayRange {
        DayRange { from: period.first, to: period.last }
    }
}

/// The last day of the `months` months that start at `from` (the first of a month).
fn last_day(from: NaiveDate, months: u32) -> NaiveDate {
    from.checked_add_months(Months::new(months)).and_then(|d| d.pred_opt()).unwrap_or(from)
}

/// Today in the organisation's time zone.
pub fn today(tz: &str) -> NaiveDate {
    format::local_date(tz, orbita_domain::now())
}

/// A link to the same page for a whole month, quarter or year.
#[derive(Debug, Clone)]
pub struct QuickLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// "This month", "Last month", "This quarter", "This year" for the page at `path`, keeping
/// its other filters.
pub fn quick_links(
    layout: &Layout,
    path: &str,
    query: &ListQuery,
    today: NaiveDate,
    shown: DayRange,
) -> Vec<QuickLink> {
    [
        ("report-period-this-month", DayRange::month(today)),
        ("report-period-last-month", DayRange::last_month(today)),
        ("report-period-this-quarter", DayRange::quarter(today)),
        ("report-period-this-year", DayRange::year(today)),
    ]
    .into_iter()
    .map(|(key, range)| QuickLink {
        label: layout.t(key),
        href: query.href(
            path,
            &["from", "to", "notice"],
            &[("from", &range.first_value()), ("to", &range.last_value())],
        ),
        current: range == shown,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn quick_periods_are_whole_calendar_units() {
        let today = day(2026, 1, 15);
        assert_eq!(DayRange::month(today), DayRange { from: day(2026, 1, 1), to: day(2026, 1, 31) });
        assert_eq!(DayRange::last_month(today), DayRange { from: day(2025, 12, 1), to: day(2025, 12, 31) });
        assert_eq!(
            DayRange::quarter(day(2026, 8, 3)),
            DayRange { from: day(2026, 7, 1), to: day(2026, 9, 30) }
        );
        assert_eq!(DayRange::year(today), DayRange { from: day(2026, 1, 1), to: day(2026, 12, 31) });
        assert_eq!(DayRange::month(day(2028, 2, 10)).to, day(2028, 2, 29));
        assert_eq!(DayRange::month(today).end(), day(2026, 2, 1));
    }

    #[test]
    fn the_url_overrides_the_default() {
        let default = DayRange::month(day(2026, 1, 15));
        let query = ListQuery::parse(Some("from=2025-03-01&to=bogus"));
        assert_eq!(
            DayRange::from_query(&query, default),
            DayRange { from: day(2025, 3, 1), to: day(2026, 1, 31) }
        );
    }
}
