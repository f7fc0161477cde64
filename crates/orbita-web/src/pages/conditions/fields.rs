//! What the condition builder offers for a kind: its fields (built-in and custom) in the
//! user's language, the comparisons that fit each, and the input a value needs. The domain's
//! `Filter::parse` stays the judge of what is valid; this only chooses what is worth offering
//! (no comparison of a moment with "equals", no id typed by hand: a record is picked).

use orbita_domain::custom::{CustomField, CustomType};
use orbita_domain::fields::{FieldSpec, FieldType};
use orbita_domain::kind::RecordKind;
use orbita_domain::pipeline::{Pipeline, Stage};

use crate::pages::companies::People;
use crate::pages::deals::{pipeline_options, stage_options};
use crate::pages::picker;
use crate::ui::{Layout, SelectOption};

/// How a field's value is typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Free text, searched by "contains".
    Text,
    /// Text compared whole (an e-mail, a phone).
    Exact,
    Number,
    Date,
    /// A moment, typed as local date and time.
    Moment,
    /// One of these (value, label).
    Choice(Vec<(String, String)>),
    /// A multi-list: "has this option".
    Options(Vec<(String, String)>),
    /// A company, contact or deal, found by its picker's search.
    Record(picker::Kind),
}

/// A field one may build a condition on.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// As filters name it: `amount`, `custom.window_type`.
    pub key: String,
    pub label: String,
    pub shape: Shape,
    /// Whether "empty" / "filled in" make sense.
    pub optional: bool,
}

/// Relative periods, in the order offered.
const PERIODS: &[&str] = &[
    "today",
    "yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_quarter",
    "this_year",
    "overdue",
];

impl Candidate {
    /// The comparisons offered, as the filter's `op` names them.
    pub fn ops(&self) -> Vec<&'static str> {
        let mut ops: Vec<&'static str> = match self.shape {
            Shape::Text => vec!["contains", "eq", "ne"],
            Shape::Exact => vec!["eq", "ne"],
            Shape::Number => vec!["eq", "ne", "gt", "gte", "lt", "lte", "between"],
            Shape::Date => [&["eq", "lt", "gt", "between"][..], PERIODS].concat(),
            Shape::Moment => [&["lt", "gt", "between"][..], PERIODS].concat(),
            Shape::Choice(_) => vec!["eq", "ne", "in"],
            Shape::Options(_) => vec!["eq"],
            Shape::Record(_) => vec!["eq", "ne"],
        };
        if self.optional {
            ops.extend(["empty", "not_empty"]);
        }
        ops
    }

    /// The label of `op` for this field: a date is "before", a multi-list "has".
    pub fn op_label(&self, layout: &Layout, op: &str) -> String {
        let word = match (&self.shape, op) {
            (Shape::Date | Shape::Moment, "lt") => "before",
            (Shape::Date | Shape::Moment, "gt") => "after",
            (Shape::Options(_), "eq") => "has",
            _ => op,
        };
        layout.t(&format!("conditions-op-{word}"))
    }

    /// The values to pick from, for a choice or a multi-list.
    pub fn options(&self) -> &[(String, String)] {
        match &self.shape {
            Shape::Choice(options) | Shape::Options(options) => options,
            _ => &[],
        }
    }
}

/// Whether `op` takes no value (a period, "empty").
pub fn takes_no_value(op: &str) -> bool {
    op == "empty" || op == "not_empty" || PERIODS.contains(&op)
}

/// What the fields' choices are made of: the users and, for deals, the pipelines and stages.
pub struct Sources<'a> {
    pub people: &'a People,
    pub pipelines: &'a [Pipeline],
    pub stages: &'a [Stage],
}

/// Every field of `kind` a condition can be built on: built-in first, then custom.
pub fn candidates(
    layout: &Layout,
    kind: RecordKind,
    custom: &[CustomField],
    sources: &Sources<'_>,
) -> Vec<Candidate> {
    let mut all: Vec<Candidate> =
        kind.fields().iter().filter_map(|spec| builtin(layout, kind, spec, sources)).collect();
    all.extend(custom.iter().filter(|f| f.is_active()).filter_map(|f| custom_candidate(layout, f, sources)));
    all
}

/// The active users, by name (`People::active`), as a field's choices.
fn people(people: &People) -> Vec<(String, String)> {
    people.active().map(|u| (u.id.to_string(), u.name.clone())).collect()
}

/// A list's select options as a field's choices.
fn choices(options: Vec<SelectOption>) -> Vec<(String, String)> {
    options.into_iter().map(|o| (o.value, o.label)).collect()
}

fn builtin(layout: &Layout, kind: RecordKind, spec: &FieldSpec, sources: &Sources<'_>) -> Option<Candidate> {
    let shape = match spec.ty {
        FieldType::Text => Shape::Text,
        FieldType::Integer | FieldType::Money => Shape::Number,
        FieldType::Date => Shape::Date,
        FieldType::DateTime => Shape::Moment,
        FieldType::Choice(values) => Shape::Choice(
            values
                .iter()
                .map(|v| {
                    let key = format!("{}-{}-{v}", kind.key(), spec.key);
                    ((*v).to_owned(), layout.t_or(&key, v))
                })
                .collect(),
        ),
        FieldType::User => Shape::Choice(people(sources.people)),
        // The pipeline and the stage are offered as the deals list's own filters label them; a
        // company, contact or deal is found by its picker.
        FieldType::Reference if spec.key == "pipeline_id" => {
            Shape::Choice(choices(pipeline_options(layout, sources.pipelines, "", false)))
        }
        FieldType::Reference if spec.key == "stage_id" => {
            Shape::Choice(choices(stage_options(layout, sources.pipelines, sources.stages, "", false)))
        }
        FieldType::Reference => match spec.key {
            "company_id" => Shape::Record(picker::Kind::Company),
            "contact_id" => Shape::Record(picker::Kind::Contact),
            "deal_id" => Shape::Record(picker::Kind::Deal),
            _ => return None,
        },
    };
    Some(Candidate {
        key: spec.key.to_owned(),
        label: layout.field_label(spec.key),
        shape,
        optional: spec.optional,
    })
}

fn custom_candidate(layout: &Layout, field: &CustomField, sources: &Sources<'_>) -> Option<Candidate> {
    let listed = || field.options.iter().map(|o| (o.clone(), o.clone())).collect();
    let shape = match field.ty {
        CustomType::Text | CustomType::LongText | CustomType::Url => Shape::Text,
        CustomType::Email | CustomType::Phone => Shape::Exact,
        CustomType::Number | CustomType::Money => Shape::Number,
        CustomType::Date => Shape::Date,
        CustomType::DateTime => Shape::Moment,
        CustomType::Bool => Shape::Choice(vec![
            ("true".into(), layout.t("custom-yes")),
            ("false".into(), layout.t("custom-no")),
        ]),
        CustomType::List => Shape::Choice(listed()),
        CustomType::MultiList => Shape::Options(listed()),
        CustomType::User => Shape::Choice(people(sources.people)),
        CustomType::Link => match field.link_kind.and_then(picker::Kind::of) {
            Some(kind) => Shape::Record(kind),
            // Tasks and activities have no picker to find them by.
            None => return None,
        },
    };
    Some(Candidate { key: field.path(), label: field.label(layout.lang()).to_owned(), shape, optional: true })
}
