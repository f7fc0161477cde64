//! Custom fields: the fields an administrator adds to a kind of record (a deal's "window
//! type", a company's "contract number"), their definitions and the values records hold.
//!
//! A record keeps its values as one JSON object in its `custom` column, each value in a
//! canonical form chosen so both databases compare and sort it right as stored: text, lists,
//! dates (`YYYY-MM-DD`) and moments (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC) as strings; money in
//! minor units and numbers in ten-thousandths as integers; yes/no as a JSON boolean; users and
//! links as ids; a multi-list as an array in the order of the field's options. An empty value
//! is an absent key.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::kind::RecordKind;
use crate::list::SortValue;
use crate::validation::{Email, Money, Phone};
use crate::{FieldError, Timestamp, ValidationErrors};

crate::text_enum!(
    /// What a custom field holds.
    CustomType {
        Text => "text",
        LongText => "long_text",
        Number => "number",
        Money => "money",
        Date => "date",
        DateTime => "date_time",
        Bool => "bool",
        List => "list",
        MultiList => "multi_list",
        User => "user",
        Link => "link",
        Url => "url",
        Email => "email",
        Phone => "phone",
    }
);

/// Numbers keep this many decimals, stored as an integer of ten-thousandths.
pub const NUMBER_SCALE: u32 = 4;
/// Longest key: the key names an index (`custom_activities_<key>_sort` stays within
/// PostgreSQL's 63 characters).
pub const MAX_KEY_LEN: usize = 40;
/// Options of one list field, at most.
pub const MAX_OPTIONS: usize = 200;
/// Custom fields of one kind, at most (each is a column of the lists and the forms).
pub const MAX_FIELDS_PER_KIND: usize = 100;

impl CustomType {
    /// Whether the field's values are integers in storage (and sort as numbers).
    pub fn is_integer(self) -> bool {
        matches!(self, CustomType::Number | CustomType::Money | CustomType::User | CustomType::Link)
    }

    /// Whether its values have an order worth `gt`/`lt`/`between`.
    pub fn is_ordered(self) -> bool {
        matches!(self, CustomType::Number | CustomType::Money | CustomType::Date | CustomType::DateTime)
    }

    /// Whether its values are free text `contains` can search.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            CustomType::Text | CustomType::LongText | CustomType::Url | CustomType::Email | CustomType::Phone
        )
    }

    /// Whether a list may be sorted by it (a multi-list has no one value to sort by).
    pub fn is_sortable(self) -> bool {
        self != CustomType::MultiList
    }

    pub fn has_options(self) -> bool {
        matches!(self, CustomType::List | CustomType::MultiList)
    }
}

/// A custom field as defined.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomField {
    pub id: i64,
    pub kind: RecordKind,
    /// The name in the API (`custom.window_type`), filters, sorts and URLs.
    pub key: String,
    pub ty: CustomType,
    pub label_ru: String,
    pub label_en: String,
    /// The choices of a list or multi-list, in the order shown.
    pub options: Vec<String>,
    /// The kind a link points at.
    pub link_kind: Option<RecordKind>,
    pub required: bool,
    /// Filtering and sorting by it use an index on both databases.
    pub indexed: bool,
    /// The heading it is shown under on the card and the form.
    pub group: Option<String>,
    pub position: i32,
    /// Removed fields keep their data until purged, and are shown nowhere.
    pub removed_at: Option<Timestamp>,
}

impl CustomField {
    /// The field's name in its language: Russian unless `lang` is English.
    pub fn label(&self, lang: &str) -> &str {
        if lang.starts_with("en") { &self.label_en } else { &self.label_ru }
    }

    /// Its key as filters, sorts and errors name it.
    pub fn path(&self) -> String {
        format!("custom.{}", self.key)
    }

    pub fn is_active(&self) -> bool {
        self.removed_at.is_none()
    }
}

/// A list ordered by a custom field (`sort=custom.window_type`): the field's key and type.
/// A key is at most 40 ASCII characters, so it is kept inline and the sort stays `Copy` like
/// the built-in sorts beside it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CustomSort {
    key: [u8; MAX_KEY_LEN],
    len: u8,
    pub ty: CustomType,
}

impl CustomSort {
    pub fn of(field: &CustomField) -> Option<CustomSort> {
        let bytes = field.key.as_bytes();
        if !key_is_valid(&field.key) || !field.ty.is_sortable() {
            return None;
        }
        let mut key = [0; MAX_KEY_LEN];
        key[..bytes.len()].copy_from_slice(bytes);
        Some(CustomSort { key, len: u8::try_from(bytes.len()).ok()?, ty: field.ty })
    }

    pub fn key(&self) -> &str {
        std::str::from_utf8(&self.key[..usize::from(self.len)]).unwrap_or_default()
    }

    /// Whether the field's sort value is an integer (else text): a list's cursor holds it so.
    pub fn sorts_as_integer(&self) -> bool {
        self.ty.is_integer() || self.ty == CustomType::Bool
    }

    /// A record's place in a list sorted by this field, as storage's sort expression computes
    /// it from the stored value.
    pub fn value_of(&self, values: &CustomValues) -> SortValue {
        let stored = values.get(self.key());
        if self.sorts_as_integer() {
            let n = match stored {
                Some(Value::Bool(b)) => i64::from(*b),
                Some(value) => value.as_i64().unwrap_or(i64::MIN + 1),
                None if self.ty == CustomType::Bool => -1,
                None => i64::MIN + 1,
            };
            SortValue::Int(n)
        } else {
            SortValue::Text(match stored {
                Some(Value::String(text)) => text.clone(),
                // A multi-list sorts by its JSON text, as both databases read it.
                Some(other) => other.to_string(),
                None => String::new(),
            })
        }
    }
}

impl std::fmt::Debug for CustomSort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "custom.{} ({})", self.key(), self.ty)
    }
}

/// A definition as an administrator sends it, before checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomFieldInput {
    pub key: String,
    pub ty: String,
    pub label_ru: String,
    pub label_en: String,
    pub options: Vec<String>,
    pub link_kind: String,
    pub required: bool,
    pub indexed: bool,
    pub group: String,
    pub position: Option<i32>,
}

/// A checked definition, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomFieldSpec {
    pub key: String,
    pub ty: CustomType,
    pub label_ru: String,
    pub label_en: String,
    pub options: Vec<String>,
    pub link_kind: Option<RecordKind>,
    pub required: bool,
    pub indexed: bool,
    pub group: Option<String>,
    pub position: i32,
}

/// Whether `key` is a well-formed custom key: a lower-case Latin letter, then letters, digits
/// and underscores. It is written into SQL as a JSON path and index name, so nothing else.
pub fn key_is_valid(key: &str) -> bool {
    let mut bytes = key.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && key.len() <= MAX_KEY_LEN
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
}

impl CustomFieldInput {
    /// Checks a new field of `kind`; `taken` are the keys its kind already has (built-in and
    /// custom, removed ones included: their data is still there).
    pub fn validate(&self, kind: RecordKind, taken: &[&str]) -> Result<CustomFieldSpec, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let key = self.key.trim();
        if !key_is_valid(key) {
            errors.push(FieldError::new(
                "key",
                "custom-key-format",
                format!(
                    "A key is a lower-case Latin letter, then letters, digits and _, at most {MAX_KEY_LEN} characters"
                ),
            ));
        } else if taken.contains(&key) || kind.fields().iter().any(|f| f.key == key) {
            errors.push(FieldError::new(
                "key",
                "custom-key-taken",
                "This kind already has a field with this key",
            ));
        }
        let ty = CustomType::parse(self.ty.trim());
        if ty.is_none() {
            let all: Vec<&str> = CustomType::ALL.iter().map(|t| t.as_str()).collect();
            errors.push(FieldError::new("type", "custom-type", format!("One of: {}", all.join(", "))));
        }
        let spec = self.checked(ty.unwrap_or(CustomType::Text), &mut errors);
        match spec {
            Some(spec) if errors.is_empty() => Ok(CustomFieldSpec { key: key.to_owned(), ..spec }),
            _ => Err(errors),
        }
    }

    /// Checks a change of `field`: its key and type stay (the stored values are of that type).
    pub fn validate_change(&self, field: &CustomField) -> Result<CustomFieldSpec, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        match self.checked(field.ty, &mut errors) {
            Some(spec) if errors.is_empty() => Ok(CustomFieldSpec { key: field.key.clone(), ..spec }),
            _ => Err(errors),
        }
    }

    fn checked(&self, ty: CustomType, errors: &mut ValidationErrors) -> Option<CustomFieldSpec> {
        let label_ru = errors.check(crate::text::required(&self.label_ru, "label_ru", 100));
        let label_en = errors.check(crate::text::required(&self.label_en, "label_en", 100));
        let group = errors.check(crate::text::optional_limited(&self.group, "group", 100));
        let mut options: Vec<String> = Vec::new();
        for (i, raw) in self.options.iter().enumerate() {
            match crate::text::optional_limited(raw, &format!("options[{i}]"), 200) {
                Ok(Some(option)) if !options.contains(&option) => options.push(option),
                Ok(_) => {}
                Err(error) => errors.push(error),
            }
        }
        if ty.has_options() && options.is_empty() {
            errors.push(FieldError::new("options", "custom-options", "A list needs at least one option"));
        } else if options.len() > MAX_OPTIONS {
            errors.push(FieldError::new(
                "options",
                "custom-options",
                format!("A list has at most {MAX_OPTIONS} options"),
            ));
        } else if !ty.has_options() && !options.is_empty() {
            errors.push(FieldError::new(
                "options",
                "custom-options",
                "Only a list or multi-list has options",
            ));
        }
        let link_kind = match (ty, self.link_kind.trim()) {
            (CustomType::Link, raw) => {
                let kind = RecordKind::parse_list_key(raw);
                if kind.is_none() {
                    errors.push(FieldError::new(
                        "link_kind",
                        "custom-link-kind",
                        "A link names the kind it points at: companies, contacts, deals, tasks or activities",
                    ));
                }
                kind
            }
            (_, "") => None,
            (_, _) => {
                errors.push(FieldError::new(
                    "link_kind",
                    "custom-link-kind",
                    "Only a link field points at a kind",
                ));
                None
            }
        };
        Some(CustomFieldSpec {
            key: String::new(),
            ty,
            label_ru: label_ru?,
            label_en: label_en?,
            options,
            link_kind,
            required: self.required,
            indexed: self.indexed,
            group: group?,
            position: self.position.unwrap_or(0),
        })
    }
}

/// The custom values of one record: key → canonical JSON value.
pub type CustomValues = BTreeMap<String, Value>;

/// Reads stored values (the `custom` column); anything unreadable is an empty set rather
/// than a record that cannot be opened.
pub fn values_from_json(stored: &str) -> CustomValues {
    serde_json::from_str::<Map<String, Value>>(stored).map(|m| m.into_iter().collect()).unwrap_or_default()
}

/// The stored form of `values`.
pub fn values_to_json(values: &CustomValues) -> String {
    Value::Object(values.clone().into_iter().collect()).to_string()
}

/// The values a write sends, checked against the kind's active `fields`: key → new canonical
/// value, `None` to clear it. A mistake is reported under `custom.<key>`.
pub fn parse_changes(
    fields: &[CustomField],
    sent: &Map<String, Value>,
) -> Result<BTreeMap<String, Option<Value>>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let mut changes = BTreeMap::new();
    for (key, raw) in sent {
        let place = format!("custom.{key}");
        let Some(field) = fields.iter().find(|f| &f.key == key && f.is_active()) else {
            errors.push(FieldError::new(place, "custom-field-unknown", format!("There is no field {key:?}")));
            continue;
        };
        match parse_value(field, raw) {
            Ok(value) => {
                changes.insert(key.clone(), value);
            }
            Err(message) => errors.push(FieldError::new(place, "custom-value", message)),
        }
    }
    errors.into_result().map(|()| changes)
}

/// `before` with `changes` applied, and every required active field checked to have a value.
pub fn apply_changes(
    fields: &[CustomField],
    before: &CustomValues,
    changes: &BTreeMap<String, Option<Value>>,
) -> Result<CustomValues, ValidationErrors> {
    let mut after = before.clone();
    for (key, value) in changes {
        match value {
            Some(value) => after.insert(key.clone(), value.clone()),
            None => after.remove(key),
        };
    }
    let mut errors = ValidationErrors::default();
    for field in fields.iter().filter(|f| f.required && f.is_active()) {
        if !after.contains_key(&field.key) {
            errors.push(FieldError::new(field.path(), "required", "Fill in this field"));
        }
    }
    errors.into_result().map(|()| after)
}

fn text_of(raw: &Value) -> Option<String> {
    match raw {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One sent value as the field's canonical value; `None` for empty (null, "" or []).
pub fn parse_value(field: &CustomField, raw: &Value) -> Result<Option<Value>, String> {
    let empty = match raw {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    };
    if empty {
        return Ok(None);
    }
    if field.ty == CustomType::MultiList {
        let items: Vec<Value> = match raw {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        };
        let mut chosen = Vec::new();
        for item in &items {
            let text = text_of(item).unwrap_or_default();
            if !field.options.iter().any(|o| o == text.trim()) {
                return Err(format!("Each value is one of: {}", field.options.join(", ")));
            }
            chosen.push(text.trim().to_owned());
        }
        let ordered: Vec<Value> =
            field.options.iter().filter(|o| chosen.contains(o)).map(|o| Value::String(o.clone())).collect();
        return Ok(Some(Value::Array(ordered)));
    }
    let Some(text) = text_of(raw) else {
        return Err("One value".into());
    };
    let text = text.trim();
    if text.contains('\0') {
        return Err("Text cannot contain NUL characters".into());
    }
    let string = |s: String| Ok(Some(Value::String(s)));
    match field.ty {
        CustomType::Text if text.contains(['\n', '\r']) => Err("One line of text".into()),
        CustomType::Text if text.chars().count() > 1000 => Err("At most 1000 characters".into()),
        CustomType::Text => string(text.to_owned()),
        CustomType::LongText if text.chars().count() > 10_000 => Err("At most 10000 characters".into()),
        CustomType::LongText => string(text.to_owned()),
        CustomType::Number => parse_number(text).map(|n| Some(Value::from(n))),
        CustomType::Money => Money::parse_amount(text, "amount")
            // `parse_amount` gives exactly two decimals: the mantissa is the minor units.
            .map(|amount| i64::try_from(amount.mantissa()).ok().map(Value::from))
            .map_err(|e| e.message),
        CustomType::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|d| (1..=9999).contains(&chrono::Datelike::year(d)))
            .map(|d| Some(Value::String(date_text(d))))
            .ok_or_else(|| "A date as YYYY-MM-DD".into()),
        CustomType::DateTime => DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|at| at.with_timezone(&Utc).trunc_subsecs(6))
            .filter(|at| (1..=9999).contains(&chrono::Datelike::year(at)))
            .map(|at| Some(Value::String(moment_text(at))))
            .ok_or_else(|| "A moment as RFC 3339, e.g. 2026-12-01T09:00:00+03:00".into()),
        CustomType::Bool => match text.to_lowercase().as_str() {
            "true" | "1" | "on" | "yes" | "да" => Ok(Some(Value::Bool(true))),
            "false" | "0" | "off" | "no" | "нет" => Ok(Some(Value::Bool(false))),
            _ => Err("Yes or no: true or false".into()),
        },
        CustomType::List if field.options.iter().any(|o| o == text) => string(text.to_owned()),
        CustomType::List => Err(format!("One of: {}", field.options.join(", "))),
        CustomType::User | CustomType::Link => text
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(|id| Some(Value::from(id)))
            .ok_or_else(|| "The id of a record, a whole number".into()),
        CustomType::Url => {
            let lower = text.to_lowercase();
            let scheme = lower.starts_with("http://") || lower.starts_with("https://");
            if !scheme || text.contains(char::is_whitespace) || text.len() > 2000 {
                Err("An address starting with http:// or https://".into())
            } else {
                string(text.to_owned())
            }
        }
        CustomType::Email => {
            Email::parse(text).map(|e| Some(Value::String(e.as_str().to_owned()))).map_err(|e| e.message)
        }
        CustomType::Phone => {
            Phone::parse(text).map(|p| Some(Value::String(p.as_str().to_owned()))).map_err(|e| e.message)
        }
        CustomType::MultiList => Err("A list of values".into()),
    }
}

/// A number typed with a dot or a comma, at most four decimals, in ten-thousandths.
pub fn parse_number(text: &str) -> Result<i64, String> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect::<String>()
        .replace(',', ".");
    let number: Decimal = compact.parse().map_err(|_| "A number such as 12.5".to_owned())?;
    if number.scale() > NUMBER_SCALE {
        return Err(format!("At most {NUMBER_SCALE} digits after the decimal separator"));
    }
    let scaled = number * Decimal::from(10i64.pow(NUMBER_SCALE));
    i64::try_from(scaled)
        .ok()
        .filter(|n| n.unsigned_abs() < 10u64.pow(18))
        .ok_or_else(|| "The number is too large".into())
}

/// A stored number (ten-thousandths) as a decimal.
pub fn number_of(stored: i64) -> Decimal {
    Decimal::new(stored, NUMBER_SCALE).normalize()
}

/// How a date is stored.
pub fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// How a moment is stored: fixed width, so moments compare as text.
pub fn moment_text(at: Timestamp) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A stored moment read back.
pub fn moment_of(stored: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(stored).ok().map(|at| at.with_timezone(&Utc))
}

/// A stored value as the API gives it: money as a two-decimal string (as a deal's amount),
/// numbers as JSON numbers, the rest as stored.
pub fn api_value(field: &CustomField, stored: &Value) -> Value {
    match (field.ty, stored.as_i64()) {
        (CustomType::Money, Some(minor)) => Value::String(format!("{:.2}", Decimal::new(minor, 2))),
        (CustomType::Number, Some(n)) => {
            serde_json::from_str(&number_of(n).to_string()).unwrap_or_else(|_| stored.clone())
        }
        _ => stored.clone(),
    }
}

/// A stored value as a form shows it in its input: `12.5`, `1500.00`, `2026-12-31`.
pub fn input_text(field: &CustomField, stored: &Value) -> String {
    match (field.ty, stored) {
        (CustomType::Money, v) => {
            v.as_i64().map(|m| format!("{:.2}", Decimal::new(m, 2))).unwrap_or_default()
        }
        (CustomType::Number, v) => v.as_i64().map(|n| number_of(n).to_string()).unwrap_or_default(),
        (CustomType::Bool, Value::Bool(b)) => b.to_string(),
        (_, Value::String(text)) => text.clone(),
        (_, Value::Number(n)) => n.to_string(),
        (_, Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests;
