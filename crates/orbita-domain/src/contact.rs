//! A contact person (контактное лицо), usually at a company.

use crate::company::parse_list;
use crate::fields::{FieldValue, FieldValues};
use crate::validation::{Email, Phone};
use crate::{CompanyId, ContactId, Timestamp, UserId, ValidationErrors, text};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactFields {
    pub last_name: String,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub position: Option<String>,
    pub company_id: Option<CompanyId>,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub notes: Option<String>,
}

impl FieldValues for ContactFields {
    fn values(&self) -> Vec<(&'static str, FieldValue)> {
        vec![
            ("last_name", FieldValue::Text(Some(self.last_name.clone()))),
            ("first_name", FieldValue::Text(self.first_name.clone())),
            ("middle_name", FieldValue::Text(self.middle_name.clone())),
            ("position", FieldValue::Text(self.position.clone())),
            ("company_id", FieldValue::Integer(self.company_id.map(|c| c.0))),
            ("phones", FieldValue::list(self.phones.iter().map(Phone::as_str))),
            ("emails", FieldValue::list(self.emails.iter().map(Email::as_str))),
            ("notes", FieldValue::Text(self.notes.clone())),
        ]
    }
}

impl ContactFields {
    /// "Иванов Иван Иванович", the Russian order.
    pub fn full_name(&self) -> String {
        full_name(&self.last_name, self.first_name.as_deref(), self.middle_name.as_deref())
    }
}

/// "Иванов Иван Иванович" from its parts: also for a name looked up without the whole contact.
pub fn full_name(last: &str, first: Option<&str>, middle: Option<&str>) -> String {
    [Some(last), first, middle].into_iter().flatten().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub id: ContactId,
    pub fields: ContactFields,
    pub owner_id: UserId,
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
    /// The values of its custom fields.
    pub custom: crate::custom::CustomValues,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ContactInput {
    pub last_name: String,
    pub first_name: String,
    pub middle_name: String,
    pub position: String,
    pub company_id: Option<CompanyId>,
    pub phones: String,
    pub emails: String,
    pub notes: String,
}

impl ContactInput {
    pub fn validate(&self) -> Result<ContactFields, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let last_name = errors.check(text::required(&self.last_name, "last_name", 100));
        let fields = ContactFields {
            last_name: last_name.unwrap_or_default(),
            first_name: errors.check(text::optional_limited(&self.first_name, "first_name", 100)).flatten(),
            middle_name: errors
                .check(text::optional_limited(&self.middle_name, "middle_name", 100))
                .flatten(),
            position: errors.check(text::optional_limited(&self.position, "position", 200)).flatten(),
            company_id: self.company_id,
            phones: parse_list(&self.phones, "phones", Phone::parse, &mut errors),
            emails: parse_list(&self.emails, "emails", Email::parse, &mut errors),
            notes: errors.check(text::optional_limited(&self.notes, "notes", 10_000)).flatten(),
        };
        errors.into_result().map(|()| fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_needs_a_last_name_and_valid_phones() {
        let errors =
            ContactInput { phones: "abc".into(), ..Default::default() }.validate().expect_err("invalid");
        assert!(errors.field("last_name").is_some());
        assert!(errors.field("phones").is_some());
        let ok = ContactInput {
            last_name: "Иванов".into(),
            first_name: "Иван".into(),
            middle_name: "Петрович".into(),
            phones: "8 916 123-45-67".into(),
            ..Default::default()
        };
        let fields = ok.validate().expect("valid");
        assert_eq!(fields.full_name(), "Иванов Иван Петрович");
        assert_eq!(fields.phones[0].as_str(), "+79161234567");
    }
}
