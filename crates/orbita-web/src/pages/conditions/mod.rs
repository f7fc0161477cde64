//! The condition builder (`/conditions?back=/deals?...`): a list's filter tree made of rows —
//! field, comparison, value — joined by "all" or "any", for any kind the lists show. It opens
//! with the list's current tree read into rows (when the tree is that flat shape), checks what
//! was built through the same `filters::from_json` the lists and the API use, and sends the user
//! back to the list with `filter=`. Plain GET forms, so it works without script; htmx re-renders
//! the form when a field or a comparison changes, so the value's input fits them.

mod fields;
mod rows;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::HashMap;

use orbita_app::{Access, AppError, Db, deals, filters};
use orbita_domain::kind::RecordKind;
use orbita_domain::{FieldError, ValidationErrors};

pub use self::fields::Candidate;
use self::fields::Sources;
use self::rows::{Builder, Join, sections};
pub use self::rows::{RowView, Section};
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::pages::companies::People;
use crate::pages::deals::common::LinkNames;
use crate::pages::list_query::ListQuery;
use crate::pages::picker;
use crate::ui::{ErrorItem, Layout, Nav};

pub fn routes() -> Router<AppState> {
    Router::new().route("/conditions", get(builder))
}

#[derive(Template, WebTemplate)]
#[template(path = "conditions/builder.html")]
struct BuilderPage {
    layout: Layout,
    list_label: String,
    /// The list's address this builder returns to, without its condition.
    back: String,
    join_all: bool,
    /// "Show records that match": the join's legend.
    join_legend: String,
    /// The rows as the condition holds them: runs of plain rows and each group in its place.
    sections: Vec<Section>,
    /// Where a change of a row's field or comparison is sent (htmx attributes).
    rows_hx: String,
    /// A tree the rows cannot show (nested groups), kept as text until replaced.
    foreign: String,
    error_items: Vec<ErrorItem>,
    clear_href: String,
}

/// The builder's rows inside another form: a rule's condition over deals. The form posts the
/// rows with its own fields; a row added, removed or changed shows the form again unsaved.
pub struct Embedded {
    builder: Builder,
    candidates: Vec<Candidate>,
    time_zone: String,
    /// The picked records' names, by kind and number (`Embedded::name_records`).
    names: RecordNames,
}

/// The rows as a page holding them shows them.
pub struct Shown {
    pub join_all: bool,
    pub rows: Vec<RowView>,
    /// The same rows laid out as the condition holds them (`rows::sections`).
    pub sections: Vec<Section>,
    pub foreign: String,
}

impl Embedded {
    /// The fields of `kind` a condition may name, in the signed-in user's language.
    pub async fn candidates(
        state: &AppState,
        user: &SignedIn,
        kind: RecordKind,
    ) -> Result<Vec<Candidate>, AppError> {
        let access = &user.session.access;
        let custom = orbita_app::custom_fields::fields(&state.db, access, kind).await?;
        let people = People::load(&state.db, access).await?;
        let (pipelines, stages) = if kind == RecordKind::Deal {
            deals::pipelines_and_stages(&state.db).await?
        } else {
            Default::default()
        };
        let sources = Sources { people: &people, pipelines: &pipelines, stages: &stages };
        Ok(fields::candidates(&user.layout, kind, &custom, &sources))
    }

    /// A saved condition read into rows.
    pub fn from_tree(tree: Option<&str>, candidates: Vec<Candidate>, time_zone: &str) -> Embedded {
        let builder = Builder::from_tree(tree, &candidates, time_zone);
        Embedded { builder, candidates, time_zone: time_zone.to_owned(), names: RecordNames::default() }
    }

    /// The rows as the form sent them, with the row added or removed that it asked for;
    /// `true` when it asked for one (or for the rows to be shown again), so nothing is saved.
    pub fn from_form(
        pairs: &[(String, String)],
        candidates: Vec<Candidate>,
        time_zone: &str,
    ) -> (Embedded, bool) {
        let mut builder = Builder::from_form(pairs);
        let asked = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let edited = builder.edit(pairs)
            || if asked("clear_foreign").is_some_and(|v| !v.is_empty()) {
                builder.foreign.clear();
                true
            } else {
                asked("refresh").is_some_and(|v| !v.is_empty())
            };
        (
            Embedded { builder, candidates, time_zone: time_zone.to_owned(), names: RecordNames::default() },
            edited,
        )
    }

    /// The condition the rows make (a kept nested tree when they name no field), and the
    /// rows' own mistakes (a value left blank).
    pub fn condition(&self) -> (Option<String>, ValidationErrors) {
        let missing = self.builder.missing_values(&self.candidates);
        let (tree, _) = self.builder.tree(&self.candidates, &self.time_zone);
        let kept = Some(self.builder.foreign.clone()).filter(|f| !f.is_empty());
        (tree.or(kept), missing)
    }

    /// The check's messages about the condition (`<prefix>.and[2].value`) moved onto its rows;
    /// the rest stay under `prefix`.
    pub fn place_errors(&self, found: ValidationErrors, prefix: &str) -> ValidationErrors {
        let (_, rows_at) = self.builder.tree(&self.candidates, &self.time_zone);
        let mut placed = ValidationErrors::default();
        for error in found.0 {
            match error.field.strip_prefix(prefix) {
                Some(rest) => {
                    let renamed = FieldError { field: format!("filter{rest}"), ..error };
                    for e in rows::place_errors(ValidationErrors(vec![renamed]), &rows_at).0 {
                        let field = if e.field == "filter" { prefix.to_owned() } else { e.field };
                        placed.push(FieldError { field, ..e });
                    }
                }
                None => placed.push(error),
            }
        }
        placed
    }

    /// Looks up the names of the records its rows picked, as the user may see them.
    pub async fn name_records(&mut self, db: &Db, access: &Access, layout: &Layout) -> Result<(), AppError> {
        let views = self.builder.views(layout, &self.candidates, &ValidationErrors::default());
        self.names = RecordNames::load(db, access, layout, &views).await?;
        Ok(())
    }

    pub fn show(&self, layout: &Layout, errors: &ValidationErrors) -> Shown {
        let mut rows = self.builder.views(layout, &self.candidates, errors);
        self.names.fill(&mut rows);
        Shown {
            join_all: self.builder.join == Join::And,
            sections: sections(&rows),
            rows,
            foreign: self.builder.foreign.clone(),
        }
    }

    /// The summary's items, a row's message under its field's name.
    pub fn error_items(&self, layout: &Layout, shown: &Shown, errors: &ValidationErrors) -> Vec<ErrorItem> {
        self.builder.error_items(layout, &shown.rows, errors)
    }
}

/// The names of the records rows picked (a company, a contact, a deal), by kind and number;
/// one the user may not see is shown by number, as on the lists.
#[derive(Debug, Default)]
struct RecordNames(HashMap<(picker::Kind, i64), String>);

impl RecordNames {
    async fn load(
        db: &Db,
        access: &Access,
        layout: &Layout,
        rows: &[RowView],
    ) -> Result<RecordNames, AppError> {
        let picked: Vec<(picker::Kind, i64)> = rows
            .iter()
            .filter_map(|row| Some((row.record?, row.value.parse::<i64>().ok().filter(|id| *id > 0)?)))
            .collect();
        if picked.is_empty() {
            return Ok(RecordNames::default());
        }
        let names = LinkNames::load(db, access, picked.iter().map(|(kind, id)| kind.link(*id))).await?;
        let named = picked.into_iter().map(|(kind, id)| ((kind, id), kind.record_name(&names, layout, id)));
        Ok(RecordNames(named.collect()))
    }

    fn fill(&self, rows: &mut [RowView]) {
        for row in rows {
            let Some(kind) = row.record else { continue };
            if let Some(name) = row.value.parse::<i64>().ok().and_then(|id| self.0.get(&(kind, id))) {
                row.chosen.clone_from(name);
            }
        }
    }
}

/// The list `back` points at (`/deals?…`) and its query; `None` for anything else, so the
/// builder never sends anyone off the lists.
fn list_of(back: &str) -> Option<(RecordKind, &str)> {
    let (path, query) = back.split_once('?').unwrap_or((back, ""));
    let kind = RecordKind::parse_list_key(path.strip_prefix('/')?)?;
    Some((kind, query))
}

/// The list's address with `tree` as its condition (none when empty), keeping the rest of
/// its query but the page cursor.
fn list_href(kind: RecordKind, query: &str, tree: Option<&str>) -> String {
    let add: Vec<(&str, &str)> = tree.map(|tree| ("filter", tree)).into_iter().collect();
    ListQuery::parse(Some(query)).href(&format!("/{}", kind.list_key()), &["filter"], &add)
}

async fn builder(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let pairs: Vec<(String, String)> =
        raw.as_deref().and_then(|raw| serde_urlencoded::from_str(raw).ok()).unwrap_or_default();
    let get = |name: &str| pairs.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str());
    let back = get("back").to_owned();
    let Some((kind, list_query)) = list_of(&back) else {
        return Err(AppError::NotFound.into());
    };
    let candidates = Embedded::candidates(&state, &user, kind).await?;
    let list_label = user.layout.kind_name(kind);
    let layout = user.page(user.layout.t_with("conditions-title", "list", &list_label), Some(Nav::of(kind)));

    let mut built = if pairs.iter().any(|(n, _)| n == "join") {
        Builder::from_form(&pairs)
    } else {
        Builder::from_tree(Some(get("filter")).filter(|t| !t.is_empty()), &candidates, &layout.time_zone)
    };
    let mut errors = ValidationErrors::default();
    if !built.edit(&pairs) && !get("apply").is_empty() {
        errors = built.missing_values(&candidates);
        let (tree, placed) = built.tree(&candidates, &layout.time_zone);
        match tree {
            None => return Ok(Redirect::to(&list_href(kind, list_query, None)).into_response()),
            Some(_) if !errors.is_empty() => {}
            Some(tree) => match filters::from_json(&state.db, &tree, kind).await {
                Ok(_) => return Ok(Redirect::to(&list_href(kind, list_query, Some(&tree))).into_response()),
                Err(AppError::Invalid(found)) => errors = rows::place_errors(found, &placed),
                Err(other) => return Err(other.into()),
            },
        }
    }
    let mut rows = built.views(&layout, &candidates, &errors);
    RecordNames::load(&state.db, &user.session.access, &layout, &rows).await?.fill(&mut rows);
    let page = BuilderPage {
        error_items: built.error_items(&layout, &rows, &errors),
        join_all: built.join == Join::And,
        join_legend: layout.t("conditions-join"),
        sections: sections(&rows),
        rows_hx: r##"hx-get="/conditions" hx-target="#conditions" hx-select="#conditions""##.to_owned(),
        foreign: built.foreign.clone(),
        clear_href: list_href(kind, list_query, None),
        back,
        list_label,
        layout,
    };
    Ok(page.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_returns_only_to_a_list() {
        assert_eq!(list_of("/deals?q=a"), Some((RecordKind::Deal, "q=a")));
        assert_eq!(list_of("/tasks"), Some((RecordKind::Task, "")));
        assert_eq!(list_of("https://evil.example/deals"), None);
        assert_eq!(list_of("//evil.example/deals"), None);
        assert_eq!(list_of("/admin/users"), None);
    }

    #[test]
    fn the_list_keeps_its_query_but_the_old_condition_and_the_cursor() {
        let href = list_href(RecordKind::Deal, "q=ok&filter=%7B%7D&after=xyz&sort=title", Some("{\"a\":1}"));
        assert_eq!(href, "/deals?q=ok&sort=title&filter=%7B%22a%22%3A1%7D");
        assert_eq!(list_href(RecordKind::Company, "filter=x", None), "/companies");
    }
}
