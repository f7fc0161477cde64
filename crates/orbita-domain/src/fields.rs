//! What a kind of record's fields are, written once: the key users and integrators name, the
//! column it is stored in, and the type that decides which comparisons a filter may make and
//! how their values are read. The records kernel grows from here (lists, sorts, exports and
//! custom fields derive from the same descriptions); filters are the first user.

use chrono::NaiveDate;

use crate::Timestamp;
use crate::validation::Money;

/// A built-in field's value as a record keeps it: storage writes it to the column of its key
/// (money, in minor units, to its own column), and the audit log shows and compares its
/// `text`.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(Option<String>),
    /// Items kept as one comma-separated text (phones, e-mails); none is no value.
    List(Vec<String>),
    Integer(Option<i64>),
    Money {
        value: Money,
        minor_column: &'static str,
    },
    Date(Option<NaiveDate>),
    Moment(Option<Timestamp>),
}

impl FieldValue {
    pub fn list<'a>(items: impl Iterator<Item = &'a str>) -> FieldValue {
        FieldValue::List(items.map(str::to_owned).collect())
    }

    /// How the audit log shows the value.
    pub fn text(&self) -> Option<String> {
        match self {
            FieldValue::Text(v) => v.clone(),
            FieldValue::List(items) => (!items.is_empty()).then(|| items.join(", ")),
            FieldValue::Integer(v) => v.map(|v| v.to_string()),
            FieldValue::Money { value, .. } => Some(value.amount.to_string()),
            FieldValue::Date(d) => d.map(|d| d.to_string()),
            FieldValue::Moment(t) => t.map(|t| t.to_rfc3339()),
        }
    }
}

/// A kind's editable fields and their values, listed once, in order: what storage writes and
/// the audit log shows, so a field added to a kind is stored and audited alike.
pub trait FieldValues {
    fn values(&self) -> Vec<(&'static str, FieldValue)>;
}

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Integer,
    /// Stored in minor units (kopecks); written in filters as a decimal, `"500000.50"`.
    Money,
    Date,
    DateTime,
    /// One of a fixed set of values.
    Choice(&'static [&'static str]),
    /// The id of another record (a company, a stage…).
    Reference,
    /// The id of a user.
    User,
}

/// One field of a kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The name in the API, filters and URLs.
    pub key: &'static str,
    /// The column of the kind's table.
    pub column: &'static str,
    pub ty: FieldType,
    /// Whether the field may be empty (NULL); only such fields offer "empty" / "not empty".
    pub optional: bool,
}

impl FieldSpec {
    const fn new(key: &'static str, column: &'static str, ty: FieldType) -> FieldSpec {
        FieldSpec { key, column, ty, optional: false }
    }

    const fn optional(key: &'static str, column: &'static str, ty: FieldType) -> FieldSpec {
        FieldSpec { key, column, ty, optional: true }
    }
}

/// The fields of a deal a filter may compare.
pub const DEAL_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("title", "title", FieldType::Text),
    FieldSpec::new("amount", "amount_minor", FieldType::Money),
    FieldSpec::new("currency", "currency", FieldType::Text),
    FieldSpec::new("probability", "probability", FieldType::Integer),
    FieldSpec::new("status", "status", FieldType::Choice(&["open", "won", "lost"])),
    FieldSpec::new("pipeline_id", "pipeline_id", FieldType::Reference),
    FieldSpec::new("stage_id", "stage_id", FieldType::Reference),
    FieldSpec::new("owner_id", "owner_id", FieldType::User),
    FieldSpec::optional("company_id", "company_id", FieldType::Reference),
    FieldSpec::optional("contact_id", "contact_id", FieldType::Reference),
    FieldSpec::optional("source", "source", FieldType::Text),
    FieldSpec::optional("lost_reason", "lost_reason", FieldType::Text),
    FieldSpec::optional("expected_close_date", "expected_close_date", FieldType::Date),
    FieldSpec::new("created_at", "created_at", FieldType::DateTime),
    FieldSpec::new("updated_at", "updated_at", FieldType::DateTime),
    FieldSpec::optional("closed_at", "closed_at", FieldType::DateTime),
];

/// The fields of a company a filter may compare. Phones and e-mails are lists, searched by
/// the list's `q`, not compared here.
pub const COMPANY_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("name", "name", FieldType::Text),
    FieldSpec::optional("inn", "inn", FieldType::Text),
    FieldSpec::optional("kpp", "kpp", FieldType::Text),
    FieldSpec::optional("ogrn", "ogrn", FieldType::Text),
    FieldSpec::optional("industry", "industry", FieldType::Text),
    FieldSpec::optional("region", "region", FieldType::Text),
    FieldSpec::optional("address", "address", FieldType::Text),
    FieldSpec::optional("website", "website", FieldType::Text),
    FieldSpec::optional("source", "source", FieldType::Text),
    FieldSpec::new("owner_id", "owner_id", FieldType::User),
    FieldSpec::new("created_at", "created_at", FieldType::DateTime),
    FieldSpec::new("updated_at", "updated_at", FieldType::DateTime),
];

/// The fields of a contact a filter may compare.
pub const CONTACT_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("last_name", "last_name", FieldType::Text),
    FieldSpec::optional("first_name", "first_name", FieldType::Text),
    FieldSpec::optional("middle_name", "middle_name", FieldType::Text),
    FieldSpec::optional("position", "position", FieldType::Text),
    FieldSpec::optional("company_id", "company_id", FieldType::Reference),
    FieldSpec::new("owner_id", "owner_id", FieldType::User),
    FieldSpec::new("created_at", "created_at", FieldType::DateTime),
    FieldSpec::new("updated_at", "updated_at", FieldType::DateTime),
];

/// The fields of a task a filter may compare.
pub const TASK_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("title", "title", FieldType::Text),
    FieldSpec::optional("due_at", "due_at", FieldType::DateTime),
    FieldSpec::new("assignee_id", "assignee_id", FieldType::User),
    FieldSpec::optional("author_id", "author_id", FieldType::User),
    FieldSpec::new("priority", "priority", FieldType::Choice(&["low", "normal", "high"])),
    FieldSpec::optional("company_id", "company_id", FieldType::Reference),
    FieldSpec::optional("contact_id", "contact_id", FieldType::Reference),
    FieldSpec::optional("deal_id", "deal_id", FieldType::Reference),
    FieldSpec::optional("done_at", "done_at", FieldType::DateTime),
    FieldSpec::new("created_at", "created_at", FieldType::DateTime),
    FieldSpec::new("updated_at", "updated_at", FieldType::DateTime),
];

/// The fields of an activity (a call, meeting, e-mail or note) a filter may compare.
pub const ACTIVITY_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("kind", "kind", FieldType::Choice(&["call", "meeting", "email", "note"])),
    FieldSpec::optional("direction", "direction", FieldType::Choice(&["incoming", "outgoing"])),
    FieldSpec::new("status", "status", FieldType::Choice(&["planned", "done"])),
    FieldSpec::new("occurred_at", "occurred_at", FieldType::DateTime),
    FieldSpec::optional("duration_minutes", "duration_minutes", FieldType::Integer),
    FieldSpec::new("subject", "subject", FieldType::Text),
    FieldSpec::new("responsible_id", "responsible_id", FieldType::User),
    FieldSpec::optional("company_id", "company_id", FieldType::Reference),
    FieldSpec::optional("contact_id", "contact_id", FieldType::Reference),
    FieldSpec::optional("deal_id", "deal_id", FieldType::Reference),
    FieldSpec::new("created_at", "created_at", FieldType::DateTime),
    FieldSpec::new("updated_at", "updated_at", FieldType::DateTime),
];

/// The field named `key`, if the kind has it.
pub fn find(fields: &'static [FieldSpec], key: &str) -> Option<&'static FieldSpec> {
    fields.iter().find(|f| f.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        for fields in [DEAL_FIELDS, COMPANY_FIELDS, CONTACT_FIELDS, TASK_FIELDS, ACTIVITY_FIELDS] {
            for (i, field) in fields.iter().enumerate() {
                assert!(fields[i + 1..].iter().all(|f| f.key != field.key), "{}", field.key);
            }
        }
        assert_eq!(find(DEAL_FIELDS, "amount").map(|f| f.column), Some("amount_minor"));
        assert!(find(DEAL_FIELDS, "amount_minor").is_none(), "columns are not keys");
    }
}
