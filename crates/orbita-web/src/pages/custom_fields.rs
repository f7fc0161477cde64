//! Custom fields on the pages, for every kind alike: their inputs on a record's form (named
//! `custom.<key>`; a multi-list's boxes `custom.<key>.<n>`), what the form sends to the
//! service, and their rows on the card, under their groups.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use orbita_domain::custom::{self, CustomField, CustomSort, CustomType, CustomValues};
use orbita_domain::list::CustomOrder;
use orbita_domain::local_time;
use orbita_domain::user::User;
use orbita_domain::validation::{Currency, Money};
use orbita_domain::{UserId, ValidationErrors};
use serde_json::{Map, Value};

use crate::pages::list_query::ListQuery;
use crate::ui::format::time_zone;
use crate::ui::{Layout, SelectOption};

/// What a form holds of custom fields as typed: `custom.<key>` → text.
pub type Typed = BTreeMap<String, String>;

/// One input of a form.
#[derive(Debug, Clone)]
pub struct CustomInput {
    pub name: String,
    pub label: String,
    /// `text`, `textarea`, `select` or `checks` (a multi-list's boxes).
    pub control: &'static str,
    /// The `<input type>` of a `text` control.
    pub input_type: &'static str,
    pub inputmode: &'static str,
    pub value: String,
    pub options: Vec<SelectOption>,
    pub required: bool,
    pub error: String,
    pub group: String,
    /// Whether a group heading goes before it (the first of its group).
    pub starts_group: bool,
}

fn name(field: &CustomField) -> String {
    field.path()
}

/// The form's text of a record's stored values (an edit form's starting point).
pub fn typed(layout: &Layout, fields: &[CustomField], values: &CustomValues) -> Typed {
    let mut typed = Typed::new();
    for field in fields {
        let Some(stored) = values.get(&field.key) else { continue };
        match (field.ty, stored) {
            (CustomType::MultiList, Value::Array(items)) => {
                for (n, option) in field.options.iter().enumerate() {
                    if items.iter().any(|i| i.as_str() == Some(option)) {
                        typed.insert(format!("{}.{n}", name(field)), option.clone());
                    }
                }
            }
            (CustomType::DateTime, Value::String(text)) => {
                let local = custom::moment_of(text).map(|at| {
                    at.with_timezone(&time_zone(&layout.time_zone)).format("%Y-%m-%dT%H:%M").to_string()
                });
                typed.insert(name(field), local.unwrap_or_default());
            }
            _ => {
                typed.insert(name(field), custom::input_text(field, stored));
            }
        }
    }
    typed
}

/// What the form sends the service: every active field's value, `null` when left empty (a
/// value cleared on the form is cleared in the record).
pub fn sent(layout: &Layout, fields: &[CustomField], typed: &Typed) -> Map<String, Value> {
    let mut sent = Map::new();
    for field in fields.iter().filter(|f| f.is_active()) {
        let text = typed.get(&name(field)).map(|t| t.trim()).unwrap_or_default();
        let value = match field.ty {
            CustomType::MultiList => Value::Array(
                (0..field.options.len())
                    .filter_map(|n| typed.get(&format!("{}.{n}", name(field))))
                    .map(|o| Value::String(o.clone()))
                    .collect(),
            ),
            _ if text.is_empty() => Value::Null,
            // `datetime-local` is the organisation's local time, without a zone.
            CustomType::DateTime => match NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M") {
                Ok(local) => {
                    Value::String(local_time::instant(local, &time_zone(&layout.time_zone)).to_rfc3339())
                }
                Err(_) => Value::String(text.to_owned()),
            },
            _ => Value::String(text.to_owned()),
        };
        sent.insert(field.key.clone(), value);
    }
    sent
}

/// The inputs of a form, with the typed values and their messages.
pub fn inputs(
    layout: &Layout,
    fields: &[CustomField],
    typed: &Typed,
    errors: &ValidationErrors,
    users: &[User],
) -> Vec<CustomInput> {
    let mut last_group: Option<String> = None;
    fields
        .iter()
        .filter(|f| f.is_active())
        .map(|field| {
            let value = typed.get(&name(field)).cloned().unwrap_or_default();
            let choice = |options: Vec<(String, String)>| {
                let mut all = vec![SelectOption::new("", "—", value.is_empty())];
                all.extend(options.into_iter().map(|(v, l)| {
                    let selected = v == value;
                    SelectOption::new(v, l, selected)
                }));
                all
            };
            let (control, input_type, inputmode, options) = match field.ty {
                CustomType::LongText => ("textarea", "text", "", Vec::new()),
                CustomType::Number | CustomType::Money => ("text", "text", "decimal", Vec::new()),
                CustomType::Date => ("text", "date", "", Vec::new()),
                CustomType::DateTime => ("text", "datetime-local", "", Vec::new()),
                CustomType::Url => ("text", "url", "", Vec::new()),
                CustomType::Email => ("text", "email", "", Vec::new()),
                CustomType::Phone => ("text", "tel", "", Vec::new()),
                CustomType::Link => ("text", "text", "numeric", Vec::new()),
                CustomType::Text => ("text", "text", "", Vec::new()),
                CustomType::Bool => {
                    let yes_no = vec![
                        ("true".into(), layout.t("custom-yes")),
                        ("false".into(), layout.t("custom-no")),
                    ];
                    ("select", "", "", choice(yes_no))
                }
                CustomType::List => {
                    ("select", "", "", choice(field.options.iter().map(|o| (o.clone(), o.clone())).collect()))
                }
                CustomType::User => {
                    let people = users.iter().filter(|u| u.is_active || u.id.to_string() == value);
                    ("select", "", "", choice(people.map(|u| (u.id.to_string(), u.name.clone())).collect()))
                }
                CustomType::MultiList => {
                    let boxes = field.options.iter().enumerate().map(|(n, option)| {
                        let checked = typed.get(&format!("{}.{n}", name(field))).is_some_and(|v| v == option);
                        SelectOption::new(format!("{}.{n}", name(field)), option.clone(), checked)
                    });
                    ("checks", "", "", boxes.collect())
                }
            };
            let group = field.group.clone().unwrap_or_default();
            let starts_group = !group.is_empty() && last_group.as_deref() != Some(group.as_str());
            last_group = Some(group.clone());
            CustomInput {
                name: name(field),
                label: field.label(layout.lang()).to_owned(),
                control,
                input_type,
                inputmode,
                value,
                options,
                required: field.required,
                error: layout.field_error(errors, &name(field)),
                group,
                starts_group,
            }
        })
        .collect()
}

/// What showing a value needs besides the field: the organisation's currency (custom money is
/// in it) and the users a user field names.
pub struct People<'a> {
    pub users: &'a [User],
    pub currency: Currency,
}

/// The organisation's currency (custom money is in it), read only when a page shows custom
/// values: a list without custom columns spares the query.
pub async fn currency(db: &orbita_app::Db, needed: bool) -> Result<Currency, orbita_app::AppError> {
    if needed { Ok(orbita_app::setup::settings(db).await?.currency) } else { Ok(Currency::RUB) }
}

/// A fixed-column list's custom columns (tasks, activities): the kind's active fields, which
/// its Columns panel offers, and the keys its address chose (`cols=custom.<key>`, read by
/// `ListQuery::custom_columns`). The page, the row htmx swaps in and the file read it alike.
pub struct ChosenFields {
    pub fields: Vec<CustomField>,
    pub keys: Vec<String>,
    /// `sort=custom.<key>`: the list ordered by one of them instead of its own order.
    pub order: Option<CustomOrder>,
}

impl ChosenFields {
    pub async fn load(
        db: &orbita_app::Db,
        kind: orbita_domain::kind::RecordKind,
        query: Option<&str>,
    ) -> Result<ChosenFields, orbita_app::AppError> {
        let fields = orbita_app::custom_fields::active(db, kind).await?;
        let query = ListQuery::parse(query);
        let keys = query.custom_columns(&fields).iter().map(|f| f.key.clone()).collect();
        let order = CustomOrder::parse(query.sort(), &fields);
        Ok(ChosenFields { fields, keys, order })
    }

    /// The list's order choices: its own (`own`, a label key) first, then each field that can
    /// order a list, ascending and descending; none when no field can.
    pub fn orders(&self, layout: &Layout, own: &str) -> Vec<SelectOption> {
        let current = self.order.map(|o| o.text()).unwrap_or_default();
        let mut options: Vec<SelectOption> = self
            .fields
            .iter()
            .filter_map(|f| CustomSort::of(f).map(|by| (f, by)))
            .flat_map(|(f, by)| {
                let label = f.label(layout.lang());
                [false, true].map(|descending| {
                    let value = CustomOrder { by, descending }.text();
                    let key = if descending { "list-order-descending" } else { "list-order-ascending" };
                    let selected = value == current;
                    SelectOption::new(value, layout.t_with(key, "field", label), selected)
                })
            })
            .collect();
        if !options.is_empty() {
            options.insert(0, SelectOption::new("", layout.t(own), current.is_empty()));
        }
        options
    }

    /// The label of the field the list is ordered by, when it is.
    pub fn order_label(&self, layout: &Layout) -> Option<String> {
        let key = self.order?.by;
        self.fields.iter().find(|f| f.key == key.key()).map(|f| f.label(layout.lang()).to_owned())
    }

    /// The fields shown, in the kind's order: the chosen ones, and the one the list is ordered
    /// by (its values explain the order).
    pub fn shown(&self) -> Vec<&CustomField> {
        let ordered_by = self.order.map(|o| o.by);
        let shown =
            |f: &&CustomField| self.keys.contains(&f.key) || ordered_by.is_some_and(|by| by.key() == f.key);
        self.fields.iter().filter(shown).collect()
    }

    /// The fields chosen as columns (the Columns panel's checked ones).
    pub fn picked(&self) -> Vec<&CustomField> {
        self.fields.iter().filter(|f| self.keys.contains(&f.key)).collect()
    }

    /// The keys of `shown`: a file's custom columns, as the screen shows them.
    pub fn shown_keys(&self) -> Vec<String> {
        self.shown().iter().map(|f| f.key.clone()).collect()
    }
}

/// One row of a card.
#[derive(Debug, Clone)]
pub struct CardRow {
    pub label: String,
    pub text: String,
    /// Where a link or an address leads.
    pub href: String,
    pub group: String,
    pub starts_group: bool,
}

/// A value as a card, a list cell or a file shows it in the user's language.
pub fn display(layout: &Layout, field: &CustomField, stored: &Value, people: &People<'_>) -> String {
    match (field.ty, stored) {
        (CustomType::Money, v) => v
            .as_i64()
            .map(|minor| layout.money(Money::from_minor(minor, people.currency)))
            .unwrap_or_default(),
        (CustomType::Bool, Value::Bool(b)) => layout.t(if *b { "custom-yes" } else { "custom-no" }),
        (CustomType::Date, Value::String(text)) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(|d| layout.date(d))
            .unwrap_or_else(|_| text.clone()),
        (CustomType::DateTime, Value::String(text)) => {
            custom::moment_of(text).map(|at| layout.datetime(at)).unwrap_or_else(|| text.clone())
        }
        (CustomType::User, v) => v
            .as_i64()
            .map(|id| {
                people
                    .users
                    .iter()
                    .find(|u| u.id == UserId(id))
                    .map_or_else(|| format!("#{id}"), |u| u.name.clone())
            })
            .unwrap_or_default(),
        (CustomType::Link, v) => v.as_i64().map(|id| format!("№ {id}")).unwrap_or_default(),
        (CustomType::Phone, Value::String(text)) => orbita_domain::validation::Phone::parse(text)
            .map(|p| p.display())
            .unwrap_or_else(|_| text.clone()),
        _ => custom::input_text(field, stored),
    }
}

/// The card's rows of a record's values (every active field; an empty one shows a dash).
pub fn card_rows(
    layout: &Layout,
    fields: &[CustomField],
    values: &CustomValues,
    people: &People<'_>,
) -> Vec<CardRow> {
    let mut last_group: Option<String> = None;
    fields
        .iter()
        .filter(|f| f.is_active())
        .map(|field| {
            let stored = values.get(&field.key);
            let text = stored.map(|v| display(layout, field, v, people)).unwrap_or_default();
            let href = match (field.ty, field.link_kind, stored) {
                (CustomType::Link, Some(kind), Some(v)) => {
                    v.as_i64().map(|id| format!("/{}/{id}", kind.list_key())).unwrap_or_default()
                }
                (CustomType::Url, _, Some(Value::String(url))) => url.clone(),
                (CustomType::Email, _, Some(Value::String(email))) => format!("mailto:{email}"),
                _ => String::new(),
            };
            let group = field.group.clone().unwrap_or_default();
            let starts_group = !group.is_empty() && last_group.as_deref() != Some(group.as_str());
            last_group = Some(group.clone());
            CardRow { label: field.label(layout.lang()).to_owned(), text, href, group, starts_group }
        })
        .collect()
}

/// The error summary's items, each custom field's named by its label rather than its key.
pub fn error_items(
    layout: &Layout,
    errors: &ValidationErrors,
    inputs: &[CustomInput],
) -> Vec<crate::ui::ErrorItem> {
    let mut items = layout.error_items(errors);
    for item in &mut items {
        if let Some(input) = inputs.iter().find(|i| item.target == format!("f-{}", i.name)) {
            item.label.clone_from(&input.label);
        }
    }
    items
}
