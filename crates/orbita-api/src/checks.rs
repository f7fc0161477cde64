//! Checks at the API's edge that the forms of the UI get for free: an id a client names must be
//! a record it can see (a picker offers nothing else), and times must be within what both
//! databases store. Without them a dangling id would reach the database as a foreign-key
//! failure, a 500 for a client's mistake.

use chrono::{DateTime, Datelike, SubsecRound, Utc};
use orbita_app::api_tokens::directory;
use orbita_app::{Access, AppError, Db, links};
use orbita_domain::kind::{RecordKind, RecordRef};
use orbita_domain::{FieldError, Timestamp, UserId, ValidationErrors};

use crate::problem::ApiError;

/// Collects the problems of one request's references and values.
pub struct Checks<'a> {
    db: &'a Db,
    access: &'a Access,
    errors: ValidationErrors,
}

impl<'a> Checks<'a> {
    pub fn new(db: &'a Db, access: &'a Access) -> Self {
        Self { db, access, errors: ValidationErrors::default() }
    }

    /// `id` (in `field`) must be a record of `kind` the caller sees, unless it is unchanged
    /// from `before`.
    pub async fn record(&mut self, field: &str, kind: RecordKind, id: Option<i64>, before: Option<i64>) {
        let Some(id) = id.filter(|id| Some(*id) != before) else { return };
        let seen = links::may_see(self.db, self.access, RecordRef { kind, id }).await;
        self.found(field, kind.key(), seen);
    }

    /// `id` (in `field`) must be a user the caller may pick, unless it is unchanged from `before`.
    pub async fn user(&mut self, field: &str, id: Option<i64>, before: Option<i64>) {
        let Some(id) = id.filter(|id| Some(*id) != before) else { return };
        let seen = match directory::person(self.db, self.access, UserId(id)).await {
            Ok(_) => Ok(true),
            Err(AppError::NotFound | AppError::Forbidden) => Ok(false),
            Err(other) => Err(other),
        };
        self.found(field, "user", seen);
    }

    fn found(&mut self, field: &str, what: &str, seen: Result<bool, AppError>) {
        match seen {
            Ok(true) => {}
            Ok(false) => {
                self.errors.push(FieldError::new(field, "not-found", format!("There is no such {what}")));
            }
            Err(other) => {
                tracing::error!(error = %other, "reference check failed");
                self.errors.push(FieldError::new(field, "not-checked", "Could not be checked; try again"));
            }
        }
    }

    /// A time at storage precision, within the years 1–9999.
    pub fn time(&mut self, field: &str, at: Option<DateTime<Utc>>) -> Option<Timestamp> {
        let at = at?;
        if (1..=9999).contains(&at.year()) {
            Some(at.trunc_subsecs(6))
        } else {
            self.errors.push(FieldError::new(
                field,
                "time-range",
                "Give a time between the years 1 and 9999",
            ));
            None
        }
    }

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// All problems found, as one 422.
    pub fn finish(self) -> Result<(), ApiError> {
        self.errors.into_result().map_err(ApiError::invalid)
    }
}

/// A filter's time, checked the same way.
pub fn filter_time(field: &str, at: Option<DateTime<Utc>>) -> Result<Option<Timestamp>, ApiError> {
    match at {
        Some(t) if !(1..=9999).contains(&t.year()) => {
            Err(ApiError::field(field, "time-range", "Give a time between the years 1 and 9999"))
        }
        other => Ok(other),
    }
}

/// A date as `YYYY-MM-DD` exactly (four-digit year): what the domain then parses.
pub fn date_text(checks: &mut Checks<'_>, field: &str, raw: Option<&str>) {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else { return };
    let shaped = raw.len() == 10
        && raw
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shaped {
        checks.push(FieldError::new(field, "date-format", "Enter a date as YYYY-MM-DD"));
    }
}
