//! A company (counterparty, контрагент): the client a sales department works with.

use crate::fields::{FieldValue, FieldValues};
use crate::validation::{Email, Inn, Kpp, Ogrn, Phone};
use crate::{CompanyId, FieldError, Timestamp, UserId, ValidationErrors, text};

/// A company's editable fields, validated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompanyFields {
    pub name: String,
    pub inn: Option<Inn>,
    pub kpp: Option<Kpp>,
    pub ogrn: Option<Ogrn>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub address: Option<String>,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub website: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
}

impl FieldValues for CompanyFields {
    fn values(&self) -> Vec<(&'static str, FieldValue)> {
        let code = |v: Option<&str>| FieldValue::Text(v.map(str::to_owned));
        vec![
            ("name", FieldValue::Text(Some(self.name.clone()))),
            ("inn", code(self.inn.as_ref().map(|v| v.as_str()))),
            ("kpp", code(self.kpp.as_ref().map(|v| v.as_str()))),
            ("ogrn", code(self.ogrn.as_ref().map(|v| v.as_str()))),
            ("industry", FieldValue::Text(self.industry.clone())),
            ("region", FieldValue::Text(self.region.clone())),
            ("address", FieldValue::Text(self.address.clone())),
            ("phones", FieldValue::list(self.phones.iter().map(Phone::as_str))),
            ("emails", FieldValue::list(self.emails.iter().map(Email::as_str))),
            ("website", FieldValue::Text(self.website.clone())),
            ("source", FieldValue::Text(self.source.clone())),
            ("notes", FieldValue::Text(self.notes.clone())),
        ]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Company {
    pub id: CompanyId,
    pub fields: CompanyFields,
    pub owner_id: UserId,
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Bumped on every change; the API's ETag.
    pub version: i64,
    /// The values of its custom fields.
    pub custom: crate::custom::CustomValues,
}

/// A company form as typed: every field raw text, nothing trusted yet.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CompanyInput {
    pub name: String,
    pub inn: String,
    pub kpp: String,
    pub ogrn: String,
    pub industry: String,
    pub region: String,
    pub address: String,
    /// Several phones separated by commas or new lines.
    pub phones: String,
    pub emails: String,
    pub website: String,
    pub source: String,
    pub notes: String,
}

impl CompanyInput {
    /// Checks every field and reports all problems at once, each naming its field.
    pub fn validate(&self) -> Result<CompanyFields, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.check(text::required(&self.name, "name", 300));
        let inn = errors.check(text::optional(&self.inn).map(|v| Inn::parse(&v)).transpose());
        let kpp = errors.check(text::optional(&self.kpp).map(|v| Kpp::parse(&v)).transpose());
        let ogrn = errors.check(text::optional(&self.ogrn).map(|v| Ogrn::parse(&v)).transpose());
        if let (Some(inn), Some(kpp)) = (&inn, &kpp) {
            errors.check(check_inn_kpp(inn.as_ref(), kpp.as_ref()));
        }
        let phones = parse_list(&self.phones, "phones", Phone::parse, &mut errors);
        let emails = parse_list(&self.emails, "emails", Email::parse, &mut errors);
        let fields = CompanyFields {
            name: name.unwrap_or_default(),
            inn: inn.flatten(),
            kpp: kpp.flatten(),
            ogrn: ogrn.flatten(),
            industry: errors.check(text::optional_limited(&self.industry, "industry", 200)).flatten(),
            region: errors.check(text::optional_limited(&self.region, "region", 200)).flatten(),
            address: errors.check(text::optional_limited(&self.address, "address", 500)).flatten(),
            phones,
            emails,
            website: errors.check(text::optional_limited(&self.website, "website", 300)).flatten(),
            source: errors.check(text::optional_limited(&self.source, "source", 200)).flatten(),
            notes: errors.check(text::optional_limited(&self.notes, "notes", 10_000)).flatten(),
        };
        errors.into_result().map(|()| fields)
    }
}

impl From<&CompanyFields> for CompanyInput {
    fn from(f: &CompanyFields) -> Self {
        let join = |items: Vec<&str>| items.join(", ");
        Self {
            name: f.name.clone(),
            inn: f.inn.as_ref().map(|v| v.as_str().to_owned()).unwrap_or_default(),
            kpp: f.kpp.as_ref().map(|v| v.as_str().to_owned()).unwrap_or_default(),
            ogrn: f.ogrn.as_ref().map(|v| v.as_str().to_owned()).unwrap_or_default(),
            industry: f.industry.clone().unwrap_or_default(),
            region: f.region.clone().unwrap_or_default(),
            address: f.address.clone().unwrap_or_default(),
            phones: join(f.phones.iter().map(|p| p.as_str()).collect()),
            emails: join(f.emails.iter().map(|e| e.as_str()).collect()),
            website: f.website.clone().unwrap_or_default(),
            source: f.source.clone().unwrap_or_default(),
            notes: f.notes.clone().unwrap_or_default(),
        }
    }
}

/// KPP exists only for organisations: an individual entrepreneur (12-digit INN) has none.
fn check_inn_kpp(inn: Option<&Inn>, kpp: Option<&Kpp>) -> Result<(), FieldError> {
    match (inn, kpp) {
        (Some(inn), Some(_)) if !inn.is_organisation() => Err(FieldError::new(
            "kpp",
            "kpp-individual",
            "An individual entrepreneur (12-digit INN) has no KPP",
        )),
        (None, Some(_)) => Err(FieldError::new("kpp", "kpp-without-inn", "A KPP needs an INN")),
        (Some(inn), None) if inn.is_organisation() => {
            Err(FieldError::new("kpp", "kpp-required", "An organisation (10-digit INN) needs a KPP"))
        }
        _ => Ok(()),
    }
}

/// Parses a comma-separated list; each bad element is reported under the list's field.
pub(crate) fn parse_list<T>(
    raw: &str,
    field: &str,
    parse: impl Fn(&str) -> Result<T, FieldError>,
    errors: &mut ValidationErrors,
) -> Vec<T> {
    let mut items = Vec::new();
    for item in text::split_list(raw) {
        match parse(item) {
            Ok(value) => items.push(value),
            Err(error) => {
                errors.push(FieldError {
                    message: format!("{item}: {}", error.message),
                    ..error.for_field(field)
                });
                break;
            }
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CompanyInput {
        CompanyInput {
            name: "ПАО Сбербанк".into(),
            inn: "7707083893".into(),
            kpp: "773601001".into(),
            phones: "8 (495) 500-55-50, +7 900 000 00 00".into(),
            emails: "info@sberbank.ru".into(),
            ..Default::default()
        }
    }

    #[test]
    fn valid_company_passes_and_normalises_phones() {
        let fields = input().validate().expect("valid");
        assert_eq!(fields.name, "ПАО Сбербанк");
        assert_eq!(fields.phones.len(), 2);
        assert_eq!(fields.phones[0].as_str(), "+74955005550");
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = CompanyInput {
            name: "  ".into(),
            inn: "7707083894".into(),
            kpp: "77".into(),
            emails: "not-an-email".into(),
            ..Default::default()
        };
        let errors = bad.validate().expect_err("invalid");
        for field in ["name", "inn", "kpp", "emails"] {
            assert!(errors.field(field).is_some(), "{field} not reported: {errors:?}");
        }
        assert_eq!(errors.field("inn").map(|e| e.code), Some("inn-check-digits"));
    }

    #[test]
    fn foreign_company_needs_no_inn_but_kpp_rules_hold() {
        let foreign = CompanyInput { name: "ACME Ltd".into(), ..Default::default() };
        assert!(foreign.validate().is_ok());
        let kpp_only = CompanyInput { kpp: "773601001".into(), ..foreign.clone() };
        assert_eq!(kpp_only.validate().expect_err("kpp").0[0].code, "kpp-without-inn");
        let org_no_kpp = CompanyInput { inn: "7707083893".into(), ..foreign.clone() };
        assert_eq!(org_no_kpp.validate().expect_err("kpp").0[0].code, "kpp-required");
        let individual = CompanyInput { inn: "500100732259".into(), kpp: "773601001".into(), ..foreign };
        assert_eq!(individual.validate().expect_err("kpp").0[0].code, "kpp-individual");
    }

    #[test]
    fn input_round_trips_through_fields() {
        let fields = input().validate().expect("valid");
        assert_eq!(CompanyInput::from(&fields).validate().expect("valid"), fields);
    }
}
