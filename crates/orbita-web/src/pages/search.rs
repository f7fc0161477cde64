//! The global search: `GET /search?q=` (companies, contacts and deals the user may see, a
//! page of each) and `GET /search/suggest?q=` (a few of each, for the header's search box,
//! which htmx loads as the user types). Rights are the services'.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use orbita_app::search::{self, SearchResults};
use orbita_app::{Db, deals};
use orbita_domain::access::{Action, Area};
use orbita_domain::org::Locale;
use orbita_domain::pipeline::Stage;
use serde::Deserialize;

use super::SignedIn;
use super::list_query::ListQuery;
use crate::AppState;
use crate::error::PageError;
use crate::ui::Layout;
use crate::ui::layout::tone;

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(results)).route("/search/suggest", get(suggest))
}

/// How many of each kind the results page and the suggestions show.
const PAGE_PER_KIND: u64 = 20;
const SUGGEST_PER_KIND: u64 = 5;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SearchQuery {
    q: String,
}

/// One found record.
#[derive(Debug, Clone)]
struct Hit {
    href: String,
    title: String,
    detail: String,
    badge: String,
    tone: &'static str,
}

/// One kind of record found: its hits and the link to the whole list searched the same way.
#[derive(Debug, Clone)]
struct Group {
    title: String,
    hits: Vec<Hit>,
    /// More may exist than shown.
    more: bool,
    all_href: String,
}

async fn groups(
    db: &Db,
    layout: &Layout,
    found: SearchResults,
    q: &str,
    per_kind: u64,
) -> Result<Vec<Group>, PageError> {
    let full = |n: usize| u64::try_from(n).unwrap_or(u64::MAX) >= per_kind;
    let list_href = |path: &str| ListQuery::default().href(path, &[], &[("q", q)]);
    let companies = Group {
        title: layout.t("nav-companies"),
        more: full(found.companies.len()),
        all_href: list_href("/companies"),
        hits: found
            .companies
            .iter()
            .map(|c| {
                let f = &c.fields;
                let detail: Vec<String> = [
                    f.inn.as_ref().map(|v| format!("{} {}", layout.t("field-inn"), v.as_str())),
                    f.kpp.as_ref().map(|v| format!("{} {}", layout.t("field-kpp"), v.as_str())),
                    f.region.clone(),
                ]
                .into_iter()
                .flatten()
                .collect();
                Hit {
                    href: format!("/companies/{}", c.id),
                    title: f.name.clone(),
                    detail: detail.join(" · "),
                    badge: String::new(),
                    tone: "neutral",
                }
            })
            .collect(),
    };
    let contacts = Group {
        title: layout.t("nav-contacts"),
        more: full(found.contacts.len()),
        all_href: list_href("/contacts"),
        hits: found
            .contacts
            .iter()
            .map(|c| {
                let f = &c.fields;
                let detail: Vec<String> = [
                    f.position.clone(),
                    f.phones.first().map(|p| p.display()),
                    f.emails.first().map(|e| e.as_str().to_owned()),
                ]
                .into_iter()
                .flatten()
                .collect();
                Hit {
                    href: format!("/contacts/{}", c.id),
                    title: f.full_name(),
                    detail: detail.join(" · "),
                    badge: String::new(),
                    tone: "neutral",
                }
            })
            .collect(),
    };
    let stages: Vec<Stage> =
        if found.deals.is_empty() { Vec::new() } else { deals::pipelines_and_stages(db).await?.1 };
    let deals = Group {
        title: layout.t("nav-deals"),
        more: full(found.deals.len()),
        all_href: list_href("/deals"),
        hits: found
            .deals
            .iter()
            .map(|d| {
                let stage = stages.iter().find(|s| s.id == d.stage_id);
                Hit {
                    href: format!("/deals/{}", d.id),
                    title: d.fields.title.clone(),
                    detail: layout.money(d.fields.amount),
                    badge: stage
                        .map(|s| match layout.locale {
                            Locale::Ru => s.name_ru.clone(),
                            Locale::En => s.name_en.clone(),
                        })
                        .unwrap_or_default(),
                    tone: tone::deal_status(d.status),
                }
            })
            .collect(),
    };
    Ok([companies, contacts, deals].into_iter().filter(|g| !g.hits.is_empty()).collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "search/results.html")]
struct ResultsPage {
    layout: Layout,
    q: String,
    groups: Vec<Group>,
    /// "Add company" when nothing is found and the user may add one, with the query typed in.
    add_href: String,
}

async fn results(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let q = query.q.trim().to_owned();
    let found = search::global(&state.db, &user.session.access, &q, PAGE_PER_KIND).await?;
    let mut layout = user.page(user.t("search-title"), None);
    layout.search_query = q.clone();
    let groups = groups(&state.db, &layout, found, &q, PAGE_PER_KIND).await?;
    let can_create = user.session.access.can(Area::Companies, Action::Create);
    let add_href = if can_create { super::companies::new_company_href(&q) } else { String::new() };
    Ok(ResultsPage { layout, q, groups, add_href }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "search/suggest.html")]
struct Suggestions {
    layout: Layout,
    q: String,
    groups: Vec<Group>,
}

async fn suggest(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let q = query.q.trim().to_owned();
    // One or two characters match too much to be of use as the user starts typing.
    if q.chars().count() < 2 {
        return Ok(Suggestions { layout: user.layout, q: String::new(), groups: Vec::new() }.into_response());
    }
    let found = search::global(&state.db, &user.session.access, &q, SUGGEST_PER_KIND).await?;
    let groups = groups(&state.db, &user.layout, found, &q, SUGGEST_PER_KIND).await?;
    Ok(Suggestions { layout: user.layout, q, groups }.into_response())
}
