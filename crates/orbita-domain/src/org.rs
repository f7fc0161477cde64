//! The organisation that runs this Orbita: its name and defaults for everyone.

use crate::validation::Currency;
use crate::working_time::WorkingHours;

crate::text_enum!(
    /// The interface language.
    Locale { Ru => "ru", En => "en" }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSettings {
    pub name: String,
    pub currency: Currency,
    /// IANA name, e.g. `Europe/Moscow`; months and days in reports are counted in it.
    pub time_zone: String,
    pub locale: Locale,
    /// How long a task stays overdue before its assignee's head of sales is told; 0: never.
    pub overdue_escalation_minutes: i64,
    /// The working week: robots' deadlines marked "in working hours" count only its time.
    pub working_hours: WorkingHours,
}

impl Default for OrgSettings {
    fn default() -> Self {
        Self {
            name: "Orbita".to_owned(),
            currency: Currency::RUB,
            time_zone: "Europe/Moscow".to_owned(),
            locale: Locale::Ru,
            overdue_escalation_minutes: 60,
            working_hours: WorkingHours::default(),
        }
    }
}
