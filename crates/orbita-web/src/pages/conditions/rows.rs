//! The builder's state: rows as the form sends them (`0.field`, `0.op`, `0.value`,
//! `0.value2`, `0.values` repeated, `0.group`) or as read from a list's tree, the tree they
//! make, and the rows as the page shows them.
//!
//! Rows are joined by "all" or "any"; rows of a group (`group` ≥ 1) are joined the other way
//! and stand as one condition among the others. One level of groups writes any two-level
//! condition ("(stage is Proposal and amount > 500,000) or owner is Petrov"); a group joined
//! the same way as the rows around it would say nothing more than its rows.

use std::collections::BTreeMap;

use orbita_domain::{FieldError, ValidationErrors};
use serde_json::{Map, Value, json};

use super::fields::{Candidate, Shape, takes_no_value};
use crate::pages::picker;
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

    /// How a group's rows are joined.
    pub fn other(self) -> Join {
        match self {
            Join::And => Join::Or,
            Join::Or => Join::And,
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
    /// 0 for a row among the others, else the group it is in.
    pub group: usize,
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
                "group" => row.group = value.parse().ok().filter(|g| *g < MAX_ROWS).unwrap_or(0),
                _ => {}
            }
        }
        Builder { join, rows: rows.into_values().collect(), foreign }.with_a_row()
    }

    /// A list's tree as rows: one comparison, or comparisons and groups of comparisons joined
    /// by `and` or `or`. Anything deeper is kept as text and the builder starts afresh.
    pub fn from_tree(tree: Option<&str>, candidates: &[Candidate], time_zone: &str) -> Builder {
        let fresh = Builder { join: Join::And, rows: Vec::new(), foreign: String::new() };
        let Some(tree) = tree else { return fresh.with_a_row() };
        let read = serde_json::from_str::<Value>(tree).ok().and_then(|value| {
            let row = |node: &Value| row_of(node, candidates, time_zone);
            let (join, nodes) = match joined(&value) {
                Some((join, nodes)) => (join, nodes.iter().collect()),
                None => (Join::And, vec![&value]),
            };
            let mut rows = Vec::new();
            for node in nodes {
                match joined(node) {
                    // A group: its rows joined the other way (the same way is the same as none).
                    Some((inner, members)) => {
                        let group = if inner == join {
                            0
                        } else {
                            rows.iter().map(|r: &Row| r.group).max().unwrap_or(0) + 1
                        };
                        for member in members {
                            rows.push(Row { group, ..row(member)? });
                        }
                    }
                    None => rows.push(row(node)?),
                }
            }
            Some((join, rows))
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

    /// Carries out what a button of the form asked (`remove=<row>`, `add`, `add_group`,
    /// `add_to=<group>`); `false` when it asked for none of these.
    pub fn edit(&mut self, pairs: &[(String, String)]) -> bool {
        let asked =
            |name: &str| pairs.iter().find(|(n, v)| n == name && !v.is_empty()).map(|(_, v)| v.as_str());
        if let Some(n) = asked("remove").and_then(|v| v.parse::<usize>().ok()) {
            self.remove(n);
        } else if asked("add").is_some() {
            self.add(0);
        } else if asked("add_group").is_some() {
            let group = self.rows.iter().map(|r| r.group).max().unwrap_or(0) + 1;
            // A new group starts with the blank row at the end, if there is one.
            match self.rows.last_mut() {
                Some(last) if last.field.is_empty() && last.group == 0 => last.group = group,
                _ => self.add(group),
            }
            self.add(group);
        } else if let Some(group) = asked("add_to").and_then(|v| v.parse::<usize>().ok()) {
            self.add(group);
        } else {
            return false;
        }
        true
    }

    fn add(&mut self, group: usize) {
        if self.rows.len() < MAX_ROWS {
            self.rows.push(Row { group, ..Row::default() });
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

    /// The tree of the rows that name a field (JSON, as `filter=` takes it), and where in it
    /// each of those rows is (`.or[1].and[0]`; empty when the tree is that one comparison);
    /// `None` when no row names a field.
    pub fn tree(&self, candidates: &[Candidate], time_zone: &str) -> (Option<String>, Vec<Placed>) {
        // The top level's members in order: a row, or a group at its first row's place.
        let mut members: Vec<Vec<(usize, Value)>> = Vec::new();
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for (n, row) in self.rows.iter().enumerate().filter(|(_, row)| !row.field.is_empty()) {
            let node = (n, comparison(row, &candidate(candidates, &row.field), time_zone));
            match groups.iter().find(|(group, _)| row.group > 0 && *group == row.group) {
                Some((_, at)) => members[*at].push(node),
                None => {
                    if row.group > 0 {
                        groups.push((row.group, members.len()));
                    }
                    members.push(vec![node]);
                }
            }
        }
        let (outer, inner) = (self.join.key(), self.join.other().key());
        let mut placed = Vec::new();
        let mut nodes = Vec::new();
        let single = members.len() == 1;
        for (i, member) in members.into_iter().enumerate() {
            let at = if single { String::new() } else { format!(".{outer}[{i}]") };
            if member.len() == 1 {
                let (n, node) = member.into_iter().next().expect("one");
                placed.push(Placed { path: at, row: n });
                nodes.push(node);
                continue;
            }
            let mut items = Vec::new();
            for (j, (n, node)) in member.into_iter().enumerate() {
                placed.push(Placed { path: format!("{at}.{inner}[{j}]"), row: n });
                items.push(node);
            }
            nodes.push(json!({ inner: items }));
        }
        let tree = match nodes.len() {
            0 => return (None, placed),
            1 => nodes.remove(0),
            _ => json!({ outer: nodes }),
        };
        (Some(tree.to_string()), placed)
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
                    return RowView { n, group: row.group, fields, error, ..RowView::default() };
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
                let record = match chosen.shape {
                    Shape::Record(kind) => Some(kind),
                    _ => None,
                };
                let control = match op.as_str() {
                    op if takes_no_value(op) => "none",
                    _ if record.is_some() => "record",
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
                    group: row.group,
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
                    record,
                    chosen: String::new(),
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
    /// 0 among the others, else its group.
    pub group: usize,
    /// The chosen field's name (for the value's label and the summary).
    pub label: String,
    pub fields: Vec<SelectOption>,
    pub ops: Vec<SelectOption>,
    /// `none`, `text`, `pair` (from … to), `select`, `multi` or `record` (a picker).
    pub control: &'static str,
    pub input_type: &'static str,
    pub inputmode: &'static str,
    pub value: String,
    pub value2: String,
    pub options: Vec<SelectOption>,
    pub error: String,
    /// The kind a `record` row picks.
    pub record: Option<picker::Kind>,
    /// The picked record's name (`conditions::name_records`).
    pub chosen: String,
}

impl RowView {
    /// Where the row's picker searches, with the row's own name for its buttons.
    pub fn suggest_url(&self) -> String {
        self.record.map_or_else(String::new, |kind| format!("{}?field={}.value", kind.suggest_url(), self.n))
    }
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

/// The rows as the page lays them out, in the order the tree holds them: runs of rows among
/// the others (group 0) and each group's rows in one place, where its first row is.
#[derive(Debug, Clone)]
pub struct Section {
    pub group: usize,
    pub rows: Vec<RowView>,
}

pub fn sections(views: &[RowView]) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for view in views {
        let at = match view.group {
            0 => sections.last().filter(|s| s.group == 0).map(|_| sections.len() - 1),
            group => sections.iter().position(|s| s.group == group),
        };
        match at {
            Some(at) => sections[at].rows.push(view.clone()),
            None => sections.push(Section { group: view.group, rows: vec![view.clone()] }),
        }
    }
    sections
}

/// Where in the tree a row's comparison is (`.or[1].and[0]`), for the check's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub path: String,
    pub row: usize,
}

/// The check's messages (`filter.or[1].and[0].value`) moved onto the rows they are about
/// (`c5` when that comparison is the sixth row); the rest stay under `filter`.
pub fn place_errors(found: ValidationErrors, placed: &[Placed]) -> ValidationErrors {
    let mut moved = ValidationErrors::default();
    for error in found.0 {
        let rest = error.field.strip_prefix("filter").unwrap_or_default();
        let within = |p: &&Placed| {
            rest == p.path || rest.strip_prefix(p.path.as_str()).is_some_and(|r| r.starts_with('.'))
        };
        let field = match placed.iter().filter(within).max_by_key(|p| p.path.len()) {
            Some(p) => format!("c{}", p.row),
            None => "filter".to_owned(),
        };
        moved.push(FieldError { field, ..error });
    }
    moved
}

/// A group's join and members, when `node` is one.
fn joined(node: &Value) -> Option<(Join, &Vec<Value>)> {
    if let Some(nodes) = node.get("and").and_then(Value::as_array) {
        Some((Join::And, nodes))
    } else {
        node.get("or").and_then(Value::as_array).map(|nodes| (Join::Or, nodes))
    }
}

#[cfg(test)]
mod tests;
