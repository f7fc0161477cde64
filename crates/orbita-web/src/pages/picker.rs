//! The record pickers of the forms (a deal's company and contact; a task's or an activity's
//! deal, company and contact): a fieldset of radio buttons, the `picker` macro of
//! `macros.html`, with a search box that asks `GET /companies/suggest`, `/contacts/suggest` or
//! `/deals/suggest` for more as the user types. Picking needs no script: the radio buttons
//! carry the field's name (`company_id`, …), so the form sends the record's number.
//!
//! Each suggest handler searches with the service list function of its list page, so the
//! user's rights and scope apply, and answers through [`Search::answer`]. A form shows the
//! chosen records by name through [`Chosen::load`].

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};
use orbita_app::{Access, AppError, Db};
use orbita_domain::kind::RecordKind;
use orbita_domain::{CompanyId, ContactId, DealId};

use super::deals::common::{self, LinkNames};
use crate::pages::list_query::ListQuery;
use crate::ui::Layout;

/// How many records a search offers: enough to pick from, few enough to read at a glance.
pub const LIMIT: u64 = 8;

/// One record offered: the radio button's value, the record's name and a few details.
pub struct Choice {
    pub value: String,
    pub name: String,
    /// The details, "·" between them.
    pub meta: String,
    /// The record picked among the previous search's choices.
    pub checked: bool,
}

impl Choice {
    /// The details that are there, in this order.
    pub fn new(value: impl ToString, name: String, meta: impl IntoIterator<Item = Option<String>>) -> Choice {
        let meta: Vec<String> = meta.into_iter().flatten().filter(|m| !m.trim().is_empty()).collect();
        Choice { value: value.to_string(), name, meta: meta.join(" · "), checked: false }
    }
}

/// What was typed in a picker's search box. The box belongs to no form (Enter there must not
/// send the form half-filled), so htmx sends its value under the box's own name, `<kind>_q`;
/// `q` works too. The box also sends the record picked among the choices it shows now
/// (`<kind>_id`, or the condition row's `field`), so a second search does not drop it.
pub struct Search {
    kind: Kind,
    /// The radio buttons' name: `<kind>_id`.
    field: String,
    query: String,
    picked: Option<i64>,
}

/// The kinds of record a picker picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Company,
    Contact,
    Deal,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Company => "company",
            Kind::Contact => "contact",
            Kind::Deal => "deal",
        }
    }

    /// The record `id` of this kind as `LinkNames::load` takes it.
    pub fn link(self, id: i64) -> (Option<CompanyId>, Option<ContactId>, Option<DealId>) {
        match self {
            Kind::Company => (Some(CompanyId(id)), None, None),
            Kind::Contact => (None, Some(ContactId(id)), None),
            Kind::Deal => (None, None, Some(DealId(id))),
        }
    }

    /// The name of the record `id` of this kind among `names` (by number if the user may not
    /// see it).
    pub fn record_name(self, names: &LinkNames, layout: &Layout, id: i64) -> String {
        match self {
            Kind::Company => names.company(layout, CompanyId(id)),
            Kind::Contact => names.contact(layout, ContactId(id)),
            Kind::Deal => names.deal(layout, DealId(id)),
        }
    }

    /// The picker of records of `kind`, if it has one (tasks and activities have none).
    pub fn of(kind: RecordKind) -> Option<Kind> {
        match kind {
            RecordKind::Company => Some(Kind::Company),
            RecordKind::Contact => Some(Kind::Contact),
            RecordKind::Deal => Some(Kind::Deal),
            RecordKind::Task | RecordKind::Activity => None,
        }
    }

    /// Where its picker asks for records.
    pub fn suggest_url(self) -> &'static str {
        match self {
            Kind::Company => "/companies/suggest",
            Kind::Contact => "/contacts/suggest",
            Kind::Deal => "/deals/suggest",
        }
    }
}

/// A condition builder's row value (`3.value`): a picker there names its radio buttons so.
fn is_row_value(name: &str) -> bool {
    name.split_once('.').is_some_and(|(n, rest)| {
        rest == "value" && (1..=2).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())
    })
}

impl Search {
    pub fn parse(raw: Option<&str>, kind: Kind) -> Search {
        let params = ListQuery::parse(raw);
        let name = kind.name();
        let mut query = params.get("q");
        if query.is_empty() {
            query = params.get(&format!("{name}_q"));
        }
        // A condition row's picker (`field=3.value`) names its buttons after the row.
        let row = params.get("field");
        let field = if is_row_value(row) { row.to_owned() } else { format!("{name}_id") };
        let picked = params.get(&field).trim().parse().ok().filter(|id| *id > 0);
        Search { kind, field, query: query.to_owned(), picked }
    }

    /// The text to search for; `None` while it is too short to be of use (one letter matches
    /// half the base).
    pub fn text(&self) -> Option<&str> {
        (self.query.chars().count() >= 2).then_some(self.query.as_str())
    }

    /// The radio buttons for `choices`, or "nothing found"; the record picked before stays
    /// checked, first if this search did not find it.
    pub async fn answer(
        self,
        db: &Db,
        access: &Access,
        layout: Layout,
        mut choices: Vec<Choice>,
    ) -> Result<Response, AppError> {
        if let Some(picked) = self.picked {
            let value = picked.to_string();
            match choices.iter_mut().find(|c| c.value == value) {
                Some(choice) => choice.checked = true,
                None => {
                    let names = LinkNames::load(db, access, [self.kind.link(picked)]).await?;
                    let name = self.kind.record_name(&names, &layout, picked);
                    choices.insert(0, Choice { value, name, meta: String::new(), checked: true });
                }
            }
        }
        let query = if self.text().is_some() { self.query } else { String::new() };
        Ok(Suggestions { layout, name: self.field, query, choices }.into_response())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "picker/suggest.html")]
struct Suggestions {
    layout: Layout,
    name: String,
    query: String,
    choices: Vec<Choice>,
}

/// The names of the records a form links to, for its pickers' checked radio buttons; one the
/// user may not see is shown by number ("Сделка № 5"), as on the lists. Empty for no link.
#[derive(Debug, Default)]
pub struct Chosen {
    pub company: String,
    pub contact: String,
    pub deal: String,
}

impl Chosen {
    /// From the form's raw fields (a value that is not a number names itself).
    pub async fn load(
        db: &Db,
        access: &Access,
        layout: &Layout,
        company: &str,
        contact: &str,
        deal: &str,
    ) -> Result<Chosen, AppError> {
        let ids =
            (common::id::<CompanyId>(company), common::id::<ContactId>(contact), common::id::<DealId>(deal));
        let names = LinkNames::load(db, access, [ids]).await?;
        let name = |raw: &str, found: Option<String>| found.unwrap_or_else(|| raw.trim().to_owned());
        Ok(Chosen {
            company: name(company, ids.0.map(|id| names.company(layout, id))),
            contact: name(contact, ids.1.map(|id| names.contact(layout, id))),
            deal: name(deal, ids.2.map(|id| names.deal(layout, id))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_condition_rows_picker_names_its_buttons_after_the_row_and_nothing_else() {
        let search = Search::parse(Some("field=3.value&q=Альфа&3.value=7"), Kind::Company);
        assert_eq!((search.field.as_str(), search.picked), ("3.value", Some(7)));
        for odd in ["x.value", "3.values", "123.value", "3.value\"><script>", ""] {
            let search = Search::parse(Some(&format!("field={}", urlencoding(odd))), Kind::Deal);
            assert_eq!(search.field, "deal_id", "{odd}");
        }
    }

    fn urlencoding(raw: &str) -> String {
        serde_urlencoded::to_string([("", raw)]).expect("encoded").trim_start_matches('=').to_owned()
    }
}
