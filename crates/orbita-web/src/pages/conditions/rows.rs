//! The builder's state: rows as the form sends them (`0.field`, `0.op`, `0.value`,
//! `0.value2`, `0.values` repeated) or as read from a list's tree, the tree they make, and the
//! rows as the page shows them.

use std::collections::BTreeMap;

use orbita_domain::{FieldError, ValidationErrors};
use serde_json::{Map, Value, json};

use super::fields::{Candidate, Shape, takes_no_value};
use crate::pages::wall_clock::{local_datetime_value, parse_local_datetime};
use crate::ui::{ErrorItem, Layout, SelectOption};

/// Rows read from one form, at most: a filter takes 50 comparisons.
const MAX_ROWS: usize = orbita_domain::filter::MAX_COMPARISONS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    And,
    Or,
}

impl Join {
    fn key(self) -> &'static str {
        match self {
            Join::And => "and",
            Join::Or => "or",
        }
    }
}

/// One condition as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub field: String,
    pub op: String,
    pub value: String,
    /// The upper end of "between".
    pub value2: String,
    /// The chosen values of "is one of".
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Builder {
    pub join: Join,
    pub rows: Vec<Row>,
    /// The list's tree when it is not rows joined one way (nested groups): shown as text.
    pub foreign: String,
}

impl Builder {
    /// The form as sent.
    pub fn from_form(pairs: &[(String, String)]) -> Builder {
        let mut rows: BTreeMap<usize, Row> = BTreeMap::new();
        let mut join = Join::And;
        let mut foreign = String::new();
        for (name, value) in pairs {
            match name.as_str() {
                "join" if value == "or" => join = Join::Or,
                "foreign" => foreign.clone_from(value),
                _ => {}
            }
            let Some((n, part)) = name.split_once('.') else { continue };
            let Some(n) = n.parse::<usize>().ok().filter(|n| *n < MAX_ROWS) else { continue };
            let row = rows.entry(n).or_default();
            match part {
                "field" => row.field = value.trim().to_owned(),
                "op" => row.op = value.trim().to_owned(),
                "value" => row.value = value.trim().to_owned(),
                "value2" => row.value2 = value.trim().to_owned(),
                "values" if !value.is_empty() => row.values.push(value.clone()),
                _ => {}
            }
        }
        Builder { join, rows: rows.into_values().collect(), foreign }.with_a_row()
    }

    /// A list's tree as rows: one comparison, or comparisons joined by `and` or `or`.
    /// Anything else is kept as text and the builder starts afresh.
    pub fn from_tree(tree: Option<&str>, candidates: &[Candidate], time_zone: &str) -> Builder {
        let fresh = Builder { join: Join::And, rows: Vec::new(), foreign: String::new() };
        let Some(tree) = tree else { return fresh.with_a_row() };
        let read = serde_json::from_str::<Value>(tree).ok().and_then(|value| {
            let row = |node: &Value| row_of(node, candidates, time_zone);
            if let Some(nodes) = value.get("and").and_then(Value::as_array) {
                Some((Join::And, nodes.iter().map(row).collect::<Option<Vec<Row>>>()?))
            } else if let Some(nodes) = value.get("or").and_then(Value::as_array) {
                Some((Join::Or, nodes.iter().map(row).collect::<Option<Vec<Row>>>()?))
            } else {
                Some((Join::And, vec![row(&value)?]))
            }
        });
        match read {
            Some((join, rows)) => Builder { join, rows, ..fresh }.with_a_row(),
            None => Builder { foreign: tree.to_owned(), ..fresh }.with_a_row(),
        }
    }

    fn with_a_row(mut self) -> Builder {
        if self.rows.is_empty() {
            self.rows.push(Row::default());
        }
        self
    }

    pub fn add(&mut self) {
        if self.rows.len() < MAX_ROWS {
            self.rows.push(Row::default());
        }
    }

    pub fn remove(&mut self, n: usize) {
        if n < self.rows.len() {
            self.rows.remove(n);
        }
        if self.rows.is_empty() {
            self.rows.push(Row::default());
        }
    }

    /// Rows with a field but no value where their comparison needs one.
    pub fn missing_values(&self, candidates: &[Candidate]) -> ValidationErrors {
        let mut errors = ValidationErrors::default();
        for (n, row) in self.rows.iter().enumerate().filter(|(_, row)| !row.field.is_empty()) {
            let op = chosen_op(row, &candidate(candidates, &row.field));
            let missing = match op.as_str() {
                op if takes_no_value(op) => false,
                "in" => row.values.is_empty(),
                "between" => row.value.is_empty() || row.value2.is_empty(),
                _ => row.value.is_empty(),
            };
            if missing {
                errors.push(FieldError::new(format!("c{n}"), "conditions-value-missing", "Enter a value"));
            }
        }
        errors
    }

    /// The tree of the rows that name a field (JSON, as `filter=` takes it) and which rows
    /// those are, in its order; `None` when no row names one.
    pub fn tree(&self, candidates: &[Candidate], time_zone: &str) -> (Option<String>, Vec<usize>) {
        let mut nodes = Vec::new();
        let mut included = Vec::new();
        for (n, row) in self.rows.iter().enumerate().filter(|(_, row)| !row.field.is_empty()) {
            nodes.push(comparison(row, &candidate(candidates, &row.field), time_zone));
            included.push(n);
        }
        let tree = match nodes.len() {
            0 => return (None, included),
            1 => nodes.remove(0),
            _ => json!({ self.join.key(): nodes }),
        };
        (Some(tree.to_string()), included)
    }

    /// The rows as the page shows them, each with what its field offers and its message.
    pub fn views(
        &self,
        layout: &Layout,
        candidates: &[Candidate],
        errors: &ValidationErrors,
    ) -> Vec<RowView> {
        self.rows
            .iter()
            .enumerate()
            .map(|(n, row)| {
                let chosen = (!row.field.is_empty()).then(|| candidate(candidates, &row.field));
                let mut fields =
                    vec![SelectOption::new("", layout.t("conditions-pick-field"), row.field.is_empty())];
                fields.extend(
                    candidates.iter().map(|c| SelectOption::new(&c.key, &c.label, c.key == row.field)),
                );
                if chosen.as_ref().is_some_and(|c| !candidates.iter().any(|k| k.key == c.key)) {
                    fields.push(SelectOption::new(&row.field, &row.field, true));
                }
                let error = layout.field_error(errors, &format!("c{n}"));
                let Some(chosen) = chosen else {
                    return RowView { n, fields, error, ..RowView::default() };
                };
                let op = chosen_op(row, &chosen);
                let ops = chosen
                    .ops()
                    .into_iter()
                    .map(|o| SelectOption::new(o, chosen.op_label(layout, o), o == op))
                    .collect();
                let (input_type, inputmode) = match chosen.shape {
                    Shape::Number => ("text", "decimal"),
                    Shape::Date => ("date", ""),
                    Shape::Moment => ("datetime-local", ""),
                    _ => ("text", ""),
                };
                let control = match op.as_str() {
                    op if takes_no_value(op) => "none",
                    "in" => "multi",
                    "between" => "pair",
                    _ if !chosen.options().is_empty() => "select",
                    _ => "text",
                };
                let picked = |v: &str| {
                    if control == "multi" { row.values.iter().any(|x| x == v) } else { row.value == v }
                };
                let mut options = Vec::new();
                if control == "select" {
                    options.push(SelectOption::new("", "—", row.value.is_empty()));
                }
                options.extend(chosen.options().iter().map(|(v, l)| SelectOption::new(v, l, picked(v))));
                RowView {
                    n,
                    label: chosen.label.clone(),
                    fields,
                    ops,
                    control,
                    input_type,
                    inputmode,
                    value: row.value.clone(),
                    value2: row.value2.clone(),
                    options,
                    error,
                }
            })
            .collect()
    }

    /// The summary's items: each row's message under its field's name.
    pub fn error_items(
        &self,
        layout: &Layout,
        views: &[RowView],
        errors: &ValidationErrors,
    ) -> Vec<ErrorItem> {
        errors
            .0
            .iter()
            .map(|e| {
                let row = e.field.strip_prefix('c').and_then(|n| n.parse::<usize>().ok());
                let label = row.and_then(|n| views.get(n)).map(|v| v.label.clone());
                ErrorItem {
                    target: format!("f-{}", e.field),
                    label: label.unwrap_or_else(|| layout.field_label(&e.field)),
                    message: layout.error_message(e),
                }
            })
            .collect()
    }
}

/// One row as the page shows it.
#[derive(Debug, Clone, Default)]
pub struct RowView {
    pub n: usize,
    /// The chosen field's name (for the value's label and the summary).
    pub label: String,
    pub fields: Vec<SelectOption>,
    pub ops: Vec<SelectOption>,
    /// `none`, `text`, `pair` (from … to), `select` or `multi`.
    pub control: &'static str,
    pub input_type: &'static str,
    pub inputmode: &'static str,
    pub value: String,
    pub value2: String,
    pub options: Vec<SelectOption>,
    pub error: String,
}

/// The field named `key`; a key the kind does not have (a stale link) stays as text, so the
/// check names it.
fn candidate(candidates: &[Candidate], key: &str) -> Candidate {
    candidates.iter().find(|c| c.key == key).cloned().unwrap_or_else(|| Candidate {
        key: key.to_owned(),
        label: key.to_owned(),
        shape: Shape::Text,
        optional: true,
    })
}

/// The row's comparison when the field offers it, else the field's first.
fn chosen_op(row: &Row, candidate: &Candidate) -> String {
    let ops = candidate.ops();
    if ops.contains(&row.op.as_str()) {
        row.op.clone()
    } else {
        ops.first().copied().unwrap_or("eq").to_owned()
    }
}

fn comparison(row: &Row, candidate: &Candidate, time_zone: &str) -> Value {
    let op = chosen_op(row, candidate);
    // A moment is typed as the organisation's local time; the filter takes RFC 3339.
    let value = |typed: &str| match candidate.shape {
        Shape::Moment => Value::String(
            parse_local_datetime(typed, time_zone).map_or_else(|| typed.to_owned(), |at| at.to_rfc3339()),
        ),
        _ => Value::String(typed.to_owned()),
    };
    let mut node = Map::new();
    node.insert("field".into(), Value::String(row.field.clone()));
    node.insert("op".into(), Value::String(op.clone()));
    match op.as_str() {
        op if takes_no_value(op) => {}
        "in" => {
            node.insert("value".into(), Value::Array(row.values.iter().map(|v| value(v)).collect()));
        }
        "between" => {
            node.insert("value".into(), Value::Array(vec![value(&row.value), value(&row.value2)]));
        }
        _ => {
            node.insert("value".into(), value(&row.value));
        }
    }
    Value::Object(node)
}

/// A comparison of a tree as a row; `None` for a group.
fn row_of(node: &Value, candidates: &[Candidate], time_zone: &str) -> Option<Row> {
    let field = node.get("field")?.as_str()?.to_owned();
    let op = node.get("op").and_then(Value::as_str).unwrap_or_default().to_owned();
    let moment = candidates.iter().any(|c| c.key == field && c.shape == Shape::Moment);
    let text = |value: &Value| {
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        match chrono::DateTime::parse_from_rfc3339(&text) {
            Ok(at) if moment => local_datetime_value(at.to_utc(), time_zone),
            _ => text,
        }
    };
    let mut row = Row { field, op, ..Row::default() };
    match node.get("value") {
        Some(Value::Array(items)) if row.op == "between" => {
            row.value = items.first().map(text).unwrap_or_default();
            row.value2 = items.get(1).map(text).unwrap_or_default();
        }
        Some(Value::Array(items)) => row.values = items.iter().map(text).collect(),
        Some(value) => row.value = text(value),
        None => {}
    }
    Some(row)
}

/// The check's messages (`filter.and[2].value`) moved onto the rows they are about
/// (`c5` when the third comparison is the sixth row); the rest stay under `filter`.
pub fn place_errors(found: ValidationErrors, included: &[usize]) -> ValidationErrors {
    let mut placed = ValidationErrors::default();
    for error in found.0 {
        let rest = error.field.strip_prefix("filter").unwrap_or_default();
        let index = if included.len() == 1 && rest.starts_with('.') {
            Some(0)
        } else {
            rest.strip_prefix(".and[")
                .or_else(|| rest.strip_prefix(".or["))
                .and_then(|rest| rest.split(']').next())
                .and_then(|n| n.parse::<usize>().ok())
        };
        let field = match index.and_then(|i| included.get(i)) {
            Some(row) => format!("c{row}"),
            None => "filter".to_owned(),
        };
        placed.push(FieldError { field, ..error });
    }
    placed
}

#[cfg(test)]
mod tests;
