//! What a kind of record's fields are, written once: the key users and integrators name, the
//! column it is stored in, and the type that decides which comparisons a filter may make and
//! how their values are read. The records kernel grows from here (lists, sorts, exports and
//! custom fields derive from the same descriptions); filters are the first user.

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

/// The field named `key`, if the kind has it.
pub fn find(fields: &'static [FieldSpec], key: &str) -> Option<&'static FieldSpec> {
    fields.iter().find(|f| f.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        for (i, field) in DEAL_FIELDS.iter().enumerate() {
            assert!(DEAL_FIELDS[i + 1..].iter().all(|f| f.key != field.key), "{}", field.key);
        }
        assert_eq!(find(DEAL_FIELDS, "amount").map(|f| f.column), Some("amount_minor"));
        assert!(find(DEAL_FIELDS, "amount_minor").is_none(), "columns are not keys");
    }
}
