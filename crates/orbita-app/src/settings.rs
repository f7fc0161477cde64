//! The organisation's settings page: name, default currency, time zone, interface language,
//! the overdue escalation and the working week. Administrators only; every change is audited (`settings`, with the before and
//! after of each changed field) in the transaction that makes it.

use std::str::FromStr;

use chrono_tz::Tz;
use orbita_domain::access::{Action, Area};
use orbita_domain::audit::{self as audit_rules, AuditAction};
use orbita_domain::org::{Locale, OrgSettings};
use orbita_domain::validation::Currency;
use orbita_domain::working_time::WorkingHours;
use orbita_domain::{FieldError, ValidationErrors, text};
use orbita_storage::{Db, org};

use crate::audit_trail::{self, AuditView};
use crate::{Access, AppError};

/// The settings form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsInput {
    pub name: String,
    pub currency: String,
    pub time_zone: String,
    pub locale: String,
    /// Minutes, as typed; empty keeps the default.
    pub overdue_escalation_minutes: String,
    /// The weekdays worked, as ISO numbers (`"1"` Monday … `"7"` Sunday).
    pub work_days: Vec<String>,
    /// `HH:MM`.
    pub work_start: String,
    pub work_end: String,
}

impl From<&OrgSettings> for SettingsInput {
    fn from(s: &OrgSettings) -> Self {
        Self {
            name: s.name.clone(),
            currency: s.currency.as_str().to_owned(),
            time_zone: s.time_zone.clone(),
            locale: s.locale.as_str().to_owned(),
            overdue_escalation_minutes: s.overdue_escalation_minutes.to_string(),
            work_days: s.working_hours.days_text().chars().map(String::from).collect(),
            work_start: s.working_hours.start_text(),
            work_end: s.working_hours.end_text(),
        }
    }
}

impl SettingsInput {
    /// Every field checked, every problem reported at once.
    pub fn validate(&self) -> Result<OrgSettings, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.check(text::required(&self.name, "name", 200));
        let currency = errors.check(Currency::parse(&self.currency).map_err(|e| e.for_field("currency")));
        let time_zone = self.time_zone.trim();
        let time_zone = errors.check(Tz::from_str(time_zone).map(|_| time_zone.to_owned()).map_err(|_| {
            FieldError::new("time_zone", "time-zone-unknown", "Enter a time zone like Europe/Moscow")
        }));
        let locale =
            errors.check(Locale::parse(self.locale.trim()).ok_or_else(|| {
                FieldError::new("locale", "locale-unknown", "Choose a language from the list")
            }));
        let escalation = errors.check(escalation_minutes(&self.overdue_escalation_minutes));
        let working_hours = match WorkingHours::parse(&self.work_days, &self.work_start, &self.work_end) {
            Ok(hours) => Some(hours),
            Err(refused) => {
                refused.0.into_iter().for_each(|e| errors.push(e));
                None
            }
        };
        match (name, currency, time_zone, locale, escalation, working_hours) {
            (
                Some(name),
                Some(currency),
                Some(time_zone),
                Some(locale),
                Some(overdue_escalation_minutes),
                Some(working_hours),
            ) if errors.is_empty() => Ok(OrgSettings {
                name,
                currency,
                time_zone,
                locale,
                overdue_escalation_minutes,
                working_hours,
            }),
            _ => Err(errors),
        }
    }
}

/// Up to thirty days; empty is the default hour.
fn escalation_minutes(raw: &str) -> Result<i64, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(OrgSettings::default().overdue_escalation_minutes);
    }
    raw.parse::<i64>().ok().filter(|m| (0..=43_200).contains(m)).ok_or_else(|| {
        FieldError::new(
            "overdue_escalation_minutes",
            "escalation-minutes-range",
            "Give minutes from 0 to 43200",
        )
    })
}

fn audit_view(s: &OrgSettings) -> AuditView {
    vec![
        ("name", Some(s.name.clone())),
        ("currency", Some(s.currency.as_str().to_owned())),
        ("time_zone", Some(s.time_zone.clone())),
        ("locale", Some(s.locale.as_str().to_owned())),
        ("overdue_escalation_minutes", Some(s.overdue_escalation_minutes.to_string())),
        ("work_days", Some(s.working_hours.days_text())),
        ("work_hours", Some(format!("{}–{}", s.working_hours.start_text(), s.working_hours.end_text()))),
    ]
}

pub async fn get(db: &Db, access: &Access) -> Result<OrgSettings, AppError> {
    access.require(Area::UsersAndSettings, Action::View)?;
    crate::setup::settings(db).await
}

/// Saves the settings; nothing is written (nor audited) when nothing changed.
pub async fn update(db: &Db, access: &Access, input: &SettingsInput) -> Result<OrgSettings, AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)?;
    let settings = input.validate()?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = org::get_in(&mut tx).await?.unwrap_or_default();
    let changes = audit_rules::diff(&audit_view(&before), &audit_view(&settings));
    if !changes.is_empty() {
        org::update(&mut tx, &settings, now).await?;
        audit_trail::record(&mut tx, &access.context(), "settings", 1, AuditAction::Update, changes, now)
            .await?;
    }
    tx.commit().await?;
    Ok(settings)
}
