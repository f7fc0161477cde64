//! Conditions as data: a tree of and / or / not over field comparisons, read from what a
//! user or an integrator sends (the API's `filter=` JSON), checked against the kind's field
//! descriptions with a message per mistake, and compiled to SQL in one place (storage). Lists,
//! saved views, exports and later automation rules and segments share it.
//!
//! The user's rights are never part of the tree: the scope is applied beside it, always.

use chrono::{Datelike, Days, Months, NaiveDate, SubsecRound};
use serde::Deserialize;

use crate::custom::{CustomField, CustomType};
use crate::fields::{FieldSpec, FieldType};
use crate::validation::Money;
use crate::{FieldError, Timestamp, ValidationErrors};

/// Nesting deeper than this is refused: no person writes it, and it bounds the SQL.
pub const MAX_DEPTH: usize = 8;
/// Comparisons in one tree, at most.
pub const MAX_COMPARISONS: usize = 50;
/// Values of one `in`, at most.
pub const MAX_IN_VALUES: usize = 1000;

/// A node as sent: `{"and": [..]}`, `{"or": [..]}`, `{"not": node}` or
/// `{"field": .., "op": .., "value": ..}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFilter {
    and: Option<Vec<RawFilter>>,
    or: Option<Vec<RawFilter>>,
    not: Option<Box<RawFilter>>,
    field: Option<String>,
    op: Option<String>,
    value: Option<RawValue>,
}

/// A value as sent: one scalar, or a list (for `in` and `between`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawValue {
    One(RawScalar),
    Many(Vec<RawScalar>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawScalar {
    Int(i64),
    Text(String),
    Bool(bool),
}

/// A checked condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Compare(Comparison),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub field: Target,
    pub op: Op,
    /// As many as `op` takes: none, one, two (`between`) or several (`in`).
    pub values: Vec<Scalar>,
}

/// What a comparison compares: a column of the kind's table, or a custom field (`custom.key`)
/// inside the record's custom values.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Column(&'static FieldSpec),
    Custom { key: String, ty: CustomType },
}

impl Target {
    fn is_moment(&self) -> bool {
        match self {
            Target::Column(spec) => spec.ty == FieldType::DateTime,
            Target::Custom { ty, .. } => *ty == CustomType::DateTime,
        }
    }
}

/// A value of the field's own type.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Bool(bool),
    /// Integers, ids and money in minor units.
    Int(i64),
    Date(NaiveDate),
    Time(Timestamp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    In,
    Gt,
    Gte,
    Lt,
    Lte,
    /// Both ends included.
    Between,
    Contains,
    Empty,
    NotEmpty,
    /// Resolved into a range by [`Filter::resolve`] before it reaches SQL.
    Relative(Relative),
}

/// Periods counted from today in the organisation's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relative {
    Today,
    Yesterday,
    ThisWeek,
    LastWeek,
    ThisMonth,
    LastMonth,
    ThisQuarter,
    ThisYear,
    /// Before today: a date that has passed.
    Overdue,
}

impl Op {
    fn parse(raw: &str) -> Option<Op> {
        Some(match raw {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "in" => Op::In,
            "gt" => Op::Gt,
            "gte" => Op::Gte,
            "lt" => Op::Lt,
            "lte" => Op::Lte,
            "between" => Op::Between,
            "contains" => Op::Contains,
            "empty" => Op::Empty,
            "not_empty" => Op::NotEmpty,
            "today" => Op::Relative(Relative::Today),
            "yesterday" => Op::Relative(Relative::Yesterday),
            "this_week" => Op::Relative(Relative::ThisWeek),
            "last_week" => Op::Relative(Relative::LastWeek),
            "this_month" => Op::Relative(Relative::ThisMonth),
            "last_month" => Op::Relative(Relative::LastMonth),
            "this_quarter" => Op::Relative(Relative::ThisQuarter),
            "this_year" => Op::Relative(Relative::ThisYear),
            "overdue" => Op::Relative(Relative::Overdue),
            _ => return None,
        })
    }

    /// Whether a custom field of type `ty` can be compared this way (any may be empty).
    fn fits_custom(self, ty: CustomType) -> bool {
        match self {
            Op::Eq | Op::Ne | Op::In | Op::Empty | Op::NotEmpty => true,
            Op::Gt | Op::Gte | Op::Lt | Op::Lte | Op::Between => ty.is_ordered(),
            Op::Contains => ty.is_text(),
            Op::Relative(_) => matches!(ty, CustomType::Date | CustomType::DateTime),
        }
    }

    /// Whether a field of type `ty` can be compared this way.
    fn fits(self, field: &FieldSpec) -> bool {
        let ordered =
            matches!(field.ty, FieldType::Integer | FieldType::Money | FieldType::Date | FieldType::DateTime);
        let dated = matches!(field.ty, FieldType::Date | FieldType::DateTime);
        match self {
            Op::Eq | Op::Ne | Op::In => true,
            Op::Gt | Op::Gte | Op::Lt | Op::Lte | Op::Between => ordered,
            Op::Contains => field.ty == FieldType::Text,
            Op::Empty | Op::NotEmpty => field.optional,
            Op::Relative(_) => dated,
        }
    }
}

/// Where in the tree a mistake is, for the message: `filter.and[1].value`.
fn at(path: &str, part: &str) -> String {
    format!("{path}.{part}")
}

impl Filter {
    /// Reads and checks a tree against the kind's `fields`; every mistake is reported with its
    /// place in the tree, under `name` (the request's parameter, `filter`).
    pub fn parse(raw: &RawFilter, fields: Fields<'_>, name: &str) -> Result<Filter, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut comparisons = 0;
        let filter = node(raw, fields, name, 1, &mut comparisons, &mut errors);
        if comparisons > MAX_COMPARISONS {
            errors.push(FieldError::new(
                name,
                "filter-too-large",
                format!("A filter can have at most {MAX_COMPARISONS} comparisons"),
            ));
        }
        match filter {
            Some(filter) if errors.is_empty() => Ok(filter),
            _ => Err(errors),
        }
    }

    /// The same tree with every relative period turned into dates or times: `today` in the
    /// organisation's time zone, and `day_start` the moment a local day begins.
    pub fn resolve(self, today: NaiveDate, day_start: &dyn Fn(NaiveDate) -> Timestamp) -> Filter {
        match self {
            Filter::And(nodes) => {
                Filter::And(nodes.into_iter().map(|n| n.resolve(today, day_start)).collect())
            }
            Filter::Or(nodes) => Filter::Or(nodes.into_iter().map(|n| n.resolve(today, day_start)).collect()),
            Filter::Not(node) => Filter::Not(Box::new(node.resolve(today, day_start))),
            Filter::Compare(Comparison { field, op: Op::Relative(period), .. }) => {
                let (from, until) = period.days(today);
                let bound = |day: NaiveDate| {
                    if field.is_moment() { Scalar::Time(day_start(day)) } else { Scalar::Date(day) }
                };
                let compare = |op, day| {
                    Filter::Compare(Comparison { field: field.clone(), op, values: vec![bound(day)] })
                };
                match from {
                    Some(from) => Filter::And(vec![compare(Op::Gte, from), compare(Op::Lt, until)]),
                    None => compare(Op::Lt, until),
                }
            }
            compare @ Filter::Compare(_) => compare,
        }
    }
}

impl Relative {
    /// `[from, until)` as local days; `from` is `None` for "any time before".
    fn days(self, today: NaiveDate) -> (Option<NaiveDate>, NaiveDate) {
        let day = |d: NaiveDate, n: u64| d.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX);
        let back = |d: NaiveDate, n: u64| d.checked_sub_days(Days::new(n)).unwrap_or(NaiveDate::MIN);
        let month_start = today.with_day(1).unwrap_or(today);
        let next_month =
            |d: NaiveDate, n: u32| d.checked_add_months(Months::new(n)).unwrap_or(NaiveDate::MAX);
        let week_start = back(today, u64::from(today.weekday().num_days_from_monday()));
        match self {
            Relative::Today => (Some(today), day(today, 1)),
            Relative::Yesterday => (Some(back(today, 1)), today),
            Relative::ThisWeek => (Some(week_start), day(week_start, 7)),
            Relative::LastWeek => (Some(back(week_start, 7)), week_start),
            Relative::ThisMonth => (Some(month_start), next_month(month_start, 1)),
            Relative::LastMonth => {
                (Some(month_start.checked_sub_months(Months::new(1)).unwrap_or(NaiveDate::MIN)), month_start)
            }
            Relative::ThisQuarter => {
                let first =
                    NaiveDate::from_ymd_opt(today.year(), (today.month0() / 3) * 3 + 1, 1).unwrap_or(today);
                (Some(first), next_month(first, 3))
            }
            Relative::ThisYear => {
                let first = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
                (Some(first), next_month(first, 12))
            }
            Relative::Overdue => (None, today),
        }
    }
}

/// What a tree may name: the kind's built-in fields and its custom fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    pub builtin: &'static [FieldSpec],
    pub custom: &'a [CustomField],
}

impl Fields<'static> {
    /// Built-in fields alone.
    pub fn builtin(builtin: &'static [FieldSpec]) -> Fields<'static> {
        Fields { builtin, custom: &[] }
    }
}

fn node(
    raw: &RawFilter,
    fields: Fields<'_>,
    path: &str,
    depth: usize,
    comparisons: &mut usize,
    errors: &mut ValidationErrors,
) -> Option<Filter> {
    if depth > MAX_DEPTH {
        errors.push(FieldError::new(
            path,
            "filter-too-deep",
            format!("Filters nest at most {MAX_DEPTH} levels"),
        ));
        return None;
    }
    let shapes = [raw.and.is_some(), raw.or.is_some(), raw.not.is_some(), raw.field.is_some()];
    if shapes.iter().filter(|s| **s).count() != 1
        || (raw.field.is_none() && (raw.op.is_some() || raw.value.is_some()))
    {
        errors.push(FieldError::new(
            path,
            "filter-shape",
            "A filter node is one of {\"and\": [..]}, {\"or\": [..]}, {\"not\": {..}} or {\"field\", \"op\", \"value\"}",
        ));
        return None;
    }
    let group = |nodes: &Vec<RawFilter>,
                 name: &str,
                 errors: &mut ValidationErrors,
                 comparisons: &mut usize| {
        if nodes.is_empty() {
            errors.push(FieldError::new(
                at(path, name),
                "filter-shape",
                format!("\"{name}\" needs at least one condition"),
            ));
            return None;
        }
        let children: Vec<Option<Filter>> = (0..nodes.len())
            .map(|i| node(&nodes[i], fields, &format!("{path}.{name}[{i}]"), depth + 1, comparisons, errors))
            .collect();
        children.into_iter().collect::<Option<Vec<Filter>>>()
    };
    if let Some(nodes) = &raw.and {
        return group(nodes, "and", errors, comparisons).map(Filter::And);
    }
    if let Some(nodes) = &raw.or {
        return group(nodes, "or", errors, comparisons).map(Filter::Or);
    }
    if let Some(inner) = &raw.not {
        return node(inner, fields, &at(path, "not"), depth + 1, comparisons, errors)
            .map(|n| Filter::Not(Box::new(n)));
    }
    *comparisons += 1;
    comparison(raw, fields, path, errors).map(Filter::Compare)
}

fn comparison(
    raw: &RawFilter,
    fields: Fields<'_>,
    path: &str,
    errors: &mut ValidationErrors,
) -> Option<Comparison> {
    let key = raw.field.as_deref().unwrap_or_default();
    let custom = key
        .strip_prefix("custom.")
        .and_then(|key| fields.custom.iter().find(|f| f.key == key && f.is_active()));
    let builtin = crate::fields::find(fields.builtin, key);
    if custom.is_none() && builtin.is_none() {
        errors.push(FieldError::new(
            at(path, "field"),
            "filter-field-unknown",
            format!("There is no field {key:?} to filter by"),
        ));
        return None;
    }
    let Some(op) = raw.op.as_deref().and_then(Op::parse) else {
        errors.push(FieldError::new(
            at(path, "op"),
            "filter-op-unknown",
            "Unknown comparison; see the API documentation for the list",
        ));
        return None;
    };
    let fits = match (custom, builtin) {
        (Some(custom), _) => op.fits_custom(custom.ty),
        (None, Some(spec)) => op.fits(spec),
        (None, None) => false,
    };
    if !fits {
        errors.push(FieldError::new(
            at(path, "op"),
            "filter-op-not-for-field",
            format!("Field {key:?} cannot be compared this way"),
        ));
        return None;
    }
    let place = at(path, "value");
    let raw_values: Vec<&RawScalar> = match &raw.value {
        None => Vec::new(),
        Some(RawValue::One(one)) => vec![one],
        Some(RawValue::Many(many)) => many.iter().collect(),
    };
    let arity_ok = match op {
        Op::Empty | Op::NotEmpty | Op::Relative(_) => raw.value.is_none(),
        Op::In => {
            matches!(raw.value, Some(RawValue::Many(_))) && (1..=MAX_IN_VALUES).contains(&raw_values.len())
        }
        Op::Between => matches!(raw.value, Some(RawValue::Many(_))) && raw_values.len() == 2,
        _ => matches!(raw.value, Some(RawValue::One(_))),
    };
    if !arity_ok {
        let wanted = match op {
            Op::Empty | Op::NotEmpty | Op::Relative(_) => "no value".to_owned(),
            Op::In => format!("a list of 1 to {MAX_IN_VALUES} values"),
            Op::Between => "a list of two values, from and to".to_owned(),
            _ => "one value".to_owned(),
        };
        errors.push(FieldError::new(place, "filter-value", format!("This comparison takes {wanted}")));
        return None;
    }
    let mut values = Vec::with_capacity(raw_values.len());
    for value in raw_values {
        let read = match (custom, builtin) {
            (Some(custom), _) => custom_scalar(custom, value),
            (None, Some(spec)) => scalar(spec, value),
            (None, None) => Err(String::new()),
        };
        match read {
            Ok(value) => values.push(value),
            Err(message) => {
                errors.push(FieldError::new(place, "filter-value", message));
                return None;
            }
        }
    }
    let field = match (custom, builtin) {
        (Some(custom), _) => Target::Custom { key: custom.key.clone(), ty: custom.ty },
        (None, Some(spec)) => Target::Column(spec),
        (None, None) => return None,
    };
    Some(Comparison { field, op, values })
}

/// A value compared with a custom field, read as that field's type: the stored canonical
/// form (`custom::parse_value`), so a comparison meets the values as they are kept.
fn custom_scalar(field: &CustomField, raw: &RawScalar) -> Result<Scalar, String> {
    let raw = match raw {
        RawScalar::Int(n) => serde_json::Value::from(*n),
        RawScalar::Text(text) => serde_json::Value::from(text.clone()),
        RawScalar::Bool(b) => serde_json::Value::from(*b),
    };
    // A multi-list is compared one option at a time: "has this option".
    let one = if field.ty == CustomType::MultiList {
        &CustomField { ty: CustomType::List, ..field.clone() }
    } else {
        field
    };
    match crate::custom::parse_value(one, &raw)? {
        None => Err("A value; use \"empty\" to find records without one".into()),
        Some(serde_json::Value::Bool(b)) => Ok(Scalar::Bool(b)),
        Some(serde_json::Value::Number(n)) => n.as_i64().map(Scalar::Int).ok_or_else(|| "A number".into()),
        Some(serde_json::Value::String(text)) => Ok(match field.ty {
            CustomType::Date => {
                NaiveDate::parse_from_str(&text, "%Y-%m-%d").map(Scalar::Date).map_err(|e| e.to_string())?
            }
            CustomType::DateTime => crate::custom::moment_of(&text).map(Scalar::Time).ok_or("A moment")?,
            _ => Scalar::Text(text),
        }),
        Some(_) => Err("One value".into()),
    }
}

/// A value read as the field's type.
fn scalar(field: &FieldSpec, raw: &RawScalar) -> Result<Scalar, String> {
    let text = match raw {
        RawScalar::Text(text) => Some(text.as_str()),
        _ => None,
    };
    if text.is_some_and(|t| t.contains('\0')) {
        return Err("Text cannot contain NUL characters".into());
    }
    match (field.ty, raw) {
        (FieldType::Text, RawScalar::Text(text)) if text.chars().count() <= 1000 => {
            Ok(Scalar::Text(text.clone()))
        }
        (FieldType::Text, RawScalar::Text(_)) => Err("At most 1000 characters".into()),
        (FieldType::Choice(choices), RawScalar::Text(text)) if choices.contains(&text.as_str()) => {
            Ok(Scalar::Text(text.clone()))
        }
        (FieldType::Choice(choices), _) => Err(format!("One of: {}", choices.join(", "))),
        (FieldType::Integer | FieldType::Reference | FieldType::User, RawScalar::Int(n)) => {
            Ok(Scalar::Int(*n))
        }
        (FieldType::Integer | FieldType::Reference | FieldType::User, RawScalar::Text(text)) => {
            text.trim().parse().map(Scalar::Int).map_err(|_| "A whole number".into())
        }
        (FieldType::Money, RawScalar::Int(n)) => Money::parse_amount(&n.to_string(), field.key)
            .map(|amount| Scalar::Int(minor(amount)))
            .map_err(|e| e.message),
        (FieldType::Money, RawScalar::Text(text)) => Money::parse_amount(text, field.key)
            .map(|amount| Scalar::Int(minor(amount)))
            .map_err(|e| e.message),
        (FieldType::Date, RawScalar::Text(text)) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| (1..=9999).contains(&d.year()))
            .map(Scalar::Date)
            .ok_or_else(|| "A date as YYYY-MM-DD, in the years 1 to 9999".into()),
        (FieldType::DateTime, RawScalar::Text(text)) => chrono::DateTime::parse_from_rfc3339(text.trim())
            .ok()
            .map(|at| at.with_timezone(&chrono::Utc).trunc_subsecs(6))
            .filter(|at| (1..=9999).contains(&at.year()))
            .map(Scalar::Time)
            .ok_or_else(|| {
                "A moment as RFC 3339, e.g. 2026-12-01T09:00:00+03:00, in the years 1 to 9999".into()
            }),
        (FieldType::Text, _) => Err("Text".into()),
        (FieldType::Integer | FieldType::Reference | FieldType::User | FieldType::Money, _) => {
            Err("A number".into())
        }
        (FieldType::Date, _) => Err("A date as YYYY-MM-DD".into()),
        (FieldType::DateTime, _) => Err("A moment as RFC 3339".into()),
    }
}

/// Minor units of an amount `Money::parse_amount` made (two decimals, at most 17 digits).
fn minor(amount: rust_decimal::Decimal) -> i64 {
    i64::try_from(amount.mantissa()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
