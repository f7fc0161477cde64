//! The organisation that runs this Orbita: its name and defaults for everyone.

use crate::validation::Currency;

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
}

impl Default for OrgSettings {
    fn default() -> Self {
        Self {
            name: "Orbita".to_owned(),
            currency: Currency::RUB,
            time_zone: "Europe/Moscow".to_owned(),
            locale: Locale::Ru,
        }
    }
}
