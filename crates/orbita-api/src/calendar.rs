//! Days and months as the organisation counts them: "this month" (the reports' default
//! period) and "today" (in a download's file name) are in its time zone, not the server's.

use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use orbita_app::{Db, setup};
use orbita_domain::FieldError;

use crate::problem::ApiError;

/// Today in the organisation's time zone; an unknown zone name counts in UTC, as the
/// application's reports do.
pub async fn today(db: &Db) -> Result<NaiveDate, ApiError> {
    let settings = setup::settings(db).await?;
    let tz = Tz::from_str(&settings.time_zone).unwrap_or(Tz::UTC);
    Ok(orbita_domain::now().with_timezone(&tz).date_naive())
}

/// A date parameter: exactly `YYYY-MM-DD`, a real day, years 1000–9999 (what the reports'
/// months can name). Anything else is a 422 on `field`, never a failed query.
pub fn date(field: &str, raw: Option<&str>) -> Result<Option<NaiveDate>, FieldError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else { return Ok(None) };
    let shaped = raw.len() == 10
        && raw
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    // Four digits make the year at most 9999.
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().filter(|d| shaped && d.year() >= 1000);
    day.map(Some)
        .ok_or_else(|| FieldError::new(field, "date-format", "Enter a date as YYYY-MM-DD (years 1000–9999)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_exact_days() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(date("from", Some("2025-03-01")), Ok(day(2025, 3, 1)));
        assert_eq!(date("from", Some(" ")), Ok(None));
        assert_eq!(date("from", None), Ok(None));
        for bad in ["2025-3-01", "2025-02-30", "0999-12-31", "+12025-01-01", "01.03.2025", "2025-03-01T00"] {
            assert_eq!(date("to", Some(bad)).map_err(|e| e.field), Err("to".to_owned()), "{bad}");
        }
    }
}
