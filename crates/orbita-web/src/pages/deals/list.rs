//! `GET /deals`: the deals list with search, filters, sort, columns, saved views and export
//! links; `POST /deals/views` saves the current view under a name; `GET /deals/suggest`, the
//! deal picker's choices.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use orbita_app::{AppError, deals, views};
use orbita_domain::ValidationErrors;
use orbita_domain::access::{Action, Area};
use orbita_domain::deal::{Deal, DealStatus};
use orbita_domain::list::{DealFilter, DealSort};
use orbita_domain::pipeline::{Pipeline, Stage};
use serde::Deserialize;

use super::common::{self, LinkNames, People};
use super::query::DealQuery;
use crate::AppState;
use crate::error::PageError;
use crate::pages::custom_fields;
use crate::pages::picker::{self, LIMIT, Search};
use crate::pages::{SignedIn, groups};
use crate::ui::layout::tone;
use crate::ui::{Column, Layout, Nav, SelectOption};
use orbita_app::exports::{DealColumn, ListColumn};
use orbita_domain::custom::CustomType;
use orbita_domain::kind::RecordKind;

const PAGE_SIZE: u64 = 50;

/// One cell of the table, ready to print.
pub struct Cell {
    pub text: String,
    pub href: String,
    /// A badge colour; empty for plain text.
    pub tone: &'static str,
    pub numeric: bool,
    pub title: String,
    pub primary: bool,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            href: String::new(),
            tone: "",
            numeric: false,
            title: String::new(),
            primary: false,
        }
    }
}

pub struct Choice {
    pub key: String,
    pub label: String,
    pub checked: bool,
}

pub struct ViewLink {
    pub id: i64,
    pub name: String,
    pub href: String,
    pub current: bool,
    /// Saved by this user: they may remove it.
    pub mine: bool,
    /// The group it is shared with, by name; empty when private.
    pub shared_with: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "deals/list.html")]
pub struct ListPage {
    pub layout: Layout,
    pub query: DealQuery,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub next_href: String,
    pub first_href: String,
    pub owners: Vec<SelectOption>,
    /// The group filter (none: no groups to offer).
    pub groups: Vec<SelectOption>,
    pub pipelines: Vec<SelectOption>,
    pub stages: Vec<SelectOption>,
    pub statuses: Vec<SelectOption>,
    pub choices: Vec<Choice>,
    /// Hidden inputs that keep the filters and sort when the column form is sent.
    pub keep: Vec<(&'static str, String)>,
    pub views: Vec<ViewLink>,
    /// Whom a new view may be shared with: "only me", then the user's groups.
    pub share_options: Vec<SelectOption>,
    pub view_query: String,
    pub view_name: String,
    pub view_errors: ValidationErrors,
    /// The view's query string for the export form (a background job).
    pub export_query: String,
    pub kanban_href: String,
    pub reset_href: String,
    /// The same view without its filter tree.
    pub without_tree_href: String,
    pub can_create: bool,
    pub filtered: bool,
}

pub async fn list(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Response {
    let query = DealQuery::parse(raw.as_deref());
    match render(&state, &user, query, String::new(), ValidationErrors::default()).await {
        Ok(page) => page.into_response(),
        Err(error) => error.into_response(),
    }
}

pub async fn render(
    state: &AppState,
    user: &SignedIn,
    query: DealQuery,
    view_name: String,
    view_errors: ValidationErrors,
) -> Result<ListPage, PageError> {
    let access = &user.session.access;
    let layout = user.page(user.t("nav-deals"), Some(Nav::Deals));
    let tz = layout.time_zone.clone();
    let fields = orbita_app::custom_fields::active(&state.db, RecordKind::Deal).await?;
    let (sort, descending) = query.sort_in(&fields);
    let filter = query.filter_in_group(&state.db, access, &tz).await?;
    let page =
        deals::list(&state.db, access, &filter, sort, descending, query.cursor().as_ref(), PAGE_SIZE).await?;
    let (pipelines, stages) = deals::pipelines_and_stages(&state.db).await?;
    let people = People(orbita_app::admin::users(&state.db, access).await?);
    let (saved, share_groups) = views::list_and_groups(&state.db, access, "deals").await?;

    let base = DealQuery::link("/deals", &{
        let mut pairs = query.filter_pairs();
        pairs.push(query.cols_pair());
        pairs
    });
    let shown = query.columns();
    let custom = query.custom_columns(&fields);
    let mut columns: Vec<Column> = shown
        .iter()
        .map(|c| {
            let label = layout.t(c.header());
            let column = match c.sort() {
                Some(key) => Column::sortable(label, key, query.sort_key(), &base),
                None => Column::plain(label),
            };
            if c.numeric() { column.numeric() } else { column }
        })
        .collect();
    columns.extend(custom.iter().map(|f| {
        let label = f.label(layout.lang()).to_owned();
        let column = if f.ty.is_sortable() {
            Column::sortable(label, &f.path(), query.sort_key(), &base)
        } else {
            Column::plain(label)
        };
        if matches!(f.ty, CustomType::Money | CustomType::Number) { column.numeric() } else { column }
    }));
    let currency = custom_fields::currency(&state.db, !custom.is_empty()).await?;
    let shown_people = custom_fields::People { users: &people.0, currency };
    // The companies and contacts by name, one query each for the page and only for a column
    // that is shown (those the user may not see: by number).
    let (with_company, with_contact) =
        (shown.contains(&DealColumn::Company), shown.contains(&DealColumn::Contact));
    let links = page.items.iter().map(|d| {
        (d.fields.company_id.filter(|_| with_company), d.fields.contact_id.filter(|_| with_contact), None)
    });
    let names = LinkNames::load(&state.db, access, links).await?;
    let rows = page
        .items
        .iter()
        .map(|deal| {
            let mut cells = row(&layout, deal, &shown, &stages, &people, &names);
            cells.extend(custom.iter().map(|f| {
                let text =
                    deal.custom.get(&f.key).map(|v| custom_fields::display(&layout, f, v, &shown_people));
                let numeric = matches!(f.ty, CustomType::Money | CustomType::Number);
                Cell { numeric, ..Cell::text(text.unwrap_or_default()) }
            }));
            cells
        })
        .collect();

    let mut next_pairs = query.view_pairs();
    let next_href = match &page.next {
        Some(cursor) => {
            next_pairs.push(("after", cursor.encode()));
            DealQuery::link("/deals", &next_pairs)
        }
        None => String::new(),
    };
    let first_href =
        if query.after.is_empty() { String::new() } else { DealQuery::link("/deals", &query.view_pairs()) };

    let view_query = query.view_query();
    let owner_blank = format!("{}: {}", layout.t("field-owner"), layout.t("filter-any"));
    let mut owners = vec![
        SelectOption::new("", owner_blank, query.owner.is_empty()),
        SelectOption::new("me", layout.t("filter-mine"), query.owner == "me"),
    ];
    owners.extend(
        people
            .visible(access, Area::Deals)
            .into_iter()
            .map(|u| SelectOption::new(u.id.to_string(), u.name.clone(), u.id.to_string() == query.owner)),
    );
    let groups = groups::options(&state.db, access, Area::Deals, &layout, &query.group).await?;
    let filtered = query.filter_pairs().iter().any(|(_, v)| !v.is_empty());
    Ok(ListPage {
        columns,
        rows,
        next_href,
        first_href,
        owners,
        groups,
        pipelines: pipeline_options(&layout, &pipelines, &query.pipeline, true),
        stages: stage_options(&layout, &pipelines, &stages, &query.stage, true),
        statuses: status_options(&layout, &query.status),
        choices: DealColumn::ALL
            .iter()
            .filter(|c| **c != DealColumn::Title)
            .map(|c| Choice {
                key: c.key().to_owned(),
                label: layout.t(c.header()),
                checked: shown.contains(c),
            })
            .chain(fields.iter().map(|f| Choice {
                key: f.path(),
                label: f.label(layout.lang()).to_owned(),
                checked: custom.iter().any(|c| c.key == f.key),
            }))
            .collect(),
        keep: {
            let mut keep = query.filter_pairs();
            keep.push(("sort", query.sort.clone()));
            keep.retain(|(_, v)| !v.is_empty());
            keep
        },
        views: saved
            .into_iter()
            .map(|v| ViewLink {
                mine: v.user_id == access.user_id().0,
                shared_with: v
                    .group_id
                    .and_then(|g| share_groups.iter().find(|sg| sg.id.0 == g))
                    .map(|g| g.name.clone())
                    .unwrap_or_default(),
                id: v.id,
                current: v.query == view_query && !view_query.is_empty(),
                href: if v.query.is_empty() { "/deals".to_owned() } else { format!("/deals?{}", v.query) },
                name: v.name,
            })
            .collect(),
        // The view with the columns on screen named, so the file holds them whatever the URL
        // chose.
        export_query: {
            let mut pairs = query.filter_pairs();
            pairs.push(("sort", query.sort.clone()));
            pairs.push(("cols", query.columns().iter().map(|c| c.key()).collect::<Vec<_>>().join(",")));
            DealQuery::link("", &pairs).trim_start_matches('?').to_owned()
        },
        kanban_href: DealQuery::link("/deals/kanban", &{
            let mut pairs = query.filter_pairs();
            pairs.retain(|(k, _)| *k != "stage");
            pairs
        }),
        without_tree_href: DealQuery::link("/deals", &{
            let mut pairs = query.view_pairs();
            pairs.retain(|(k, _)| *k != "filter");
            pairs
        }),
        reset_href: DealQuery::link("/deals", &[query.cols_pair()]),
        can_create: access.can(Area::Deals, Action::Create),
        filtered,
        view_query,
        view_name,
        share_options: crate::pages::companies::table::share_options(&layout, &share_groups),
        view_errors,
        query,
        layout,
    })
}

fn row(
    layout: &Layout,
    deal: &Deal,
    shown: &[DealColumn],
    stages: &[Stage],
    people: &People,
    names: &LinkNames,
) -> Vec<Cell> {
    let stage = stages.iter().find(|s| s.id == deal.stage_id);
    shown
        .iter()
        .map(|c| match c {
            DealColumn::Title => Cell {
                href: format!("/deals/{}", deal.id),
                primary: true,
                title: deal.fields.title.clone(),
                ..Cell::text(deal.fields.title.clone())
            },
            DealColumn::Company => match deal.fields.company_id {
                Some(id) => {
                    Cell { href: format!("/companies/{id}"), ..Cell::text(names.company(layout, id)) }
                }
                None => Cell::text("—"),
            },
            DealColumn::Contact => match deal.fields.contact_id {
                Some(id) => Cell { href: format!("/contacts/{id}"), ..Cell::text(names.contact(layout, id)) },
                None => Cell::text("—"),
            },
            DealColumn::Amount => Cell { numeric: true, ..Cell::text(layout.money(deal.fields.amount)) },
            DealColumn::Stage => {
                Cell::text(stage.map(|s| common::stage_name(layout.locale, s)).unwrap_or_default())
            }
            DealColumn::Status => Cell {
                tone: tone::deal_status(deal.status),
                title: deal.lost_reason.clone().unwrap_or_default(),
                ..Cell::text(layout.t(&format!("deal-status-{}", deal.status.as_str())))
            },
            DealColumn::Probability => Cell { numeric: true, ..Cell::text(layout.percent(deal.probability)) },
            DealColumn::Owner => Cell::text(people.name(deal.owner_id)),
            DealColumn::Source => Cell::text(deal.fields.source.clone().unwrap_or_default()),
            DealColumn::ExpectedClose => {
                Cell::text(deal.fields.expected_close_date.map(|d| layout.date(d)).unwrap_or_default())
            }
            DealColumn::Created => Cell {
                title: layout.datetime(deal.created_at),
                ..Cell::text(layout.date_of(deal.created_at))
            },
            DealColumn::Updated => Cell {
                title: layout.datetime(deal.updated_at),
                ..Cell::text(layout.date_of(deal.updated_at))
            },
            DealColumn::Closed => match deal.closed_at {
                Some(at) => Cell { title: layout.datetime(at), ..Cell::text(layout.date_of(at)) },
                None => Cell::text(""),
            },
        })
        .collect()
}

/// `GET /deals/suggest?deal_q=`: the deal picker's choices (`pages::picker`), by title through
/// the list's own search, the latest first, each with its budget and stage.
pub async fn suggest(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let search = Search::parse(raw.as_deref(), picker::Kind::Deal);
    let mut choices = Vec::new();
    if let Some(text) = search.text() {
        let (db, access, layout) = (&state.db, &user.session.access, &user.layout);
        let filter = DealFilter { q: Some(text.to_owned()), ..DealFilter::default() };
        let found = deals::list(db, access, &filter, DealSort::UpdatedAt, true, None, LIMIT).await?.items;
        let stages = if found.is_empty() { Vec::new() } else { deals::pipelines_and_stages(db).await?.1 };
        choices = found
            .into_iter()
            .map(|d| {
                let stage = stages.iter().find(|s| s.id == d.stage_id);
                let meta = [
                    Some(layout.money(d.fields.amount)),
                    stage.map(|s| common::stage_name(layout.locale, s)),
                ];
                picker::Choice::new(d.id, d.fields.title, meta)
            })
            .collect();
    }
    Ok(search.answer(&state.db, &user.session.access, user.layout, choices).await?)
}

pub fn pipeline_options(
    layout: &Layout,
    pipelines: &[Pipeline],
    selected: &str,
    any: bool,
) -> Vec<SelectOption> {
    let mut options = Vec::new();
    if any {
        let label = format!("{}: {}", layout.t("field-pipeline"), layout.t("filter-any"));
        options.push(SelectOption::new("", label, selected.is_empty()));
    }
    options.extend(pipelines.iter().map(|p| {
        SelectOption::new(
            p.id.to_string(),
            common::pipeline_name(layout.locale, p),
            p.id.to_string() == selected,
        )
    }));
    options
}

/// Stages labelled with their pipeline when there are several pipelines.
pub fn stage_options(
    layout: &Layout,
    pipelines: &[Pipeline],
    stages: &[Stage],
    selected: &str,
    any: bool,
) -> Vec<SelectOption> {
    let mut options = Vec::new();
    if any {
        let label = format!("{}: {}", layout.t("field-stage"), layout.t("filter-any"));
        options.push(SelectOption::new("", label, selected.is_empty()));
    }
    options.extend(stages.iter().map(|s| {
        let mut label = common::stage_name(layout.locale, s);
        if pipelines.len() > 1
            && let Some(p) = pipelines.iter().find(|p| p.id == s.pipeline_id)
        {
            let pipeline = match layout.locale {
                crate::ui::Locale::Ru => &p.name_ru,
                crate::ui::Locale::En => &p.name_en,
            };
            label = format!("{pipeline}: {label}");
        }
        SelectOption::new(s.id.to_string(), label, s.id.to_string() == selected)
    }));
    options
}

fn status_options(layout: &Layout, selected: &str) -> Vec<SelectOption> {
    let any = format!("{}: {}", layout.t("field-status"), layout.t("filter-any"));
    let mut options = vec![SelectOption::new("", any, selected.is_empty())];
    options.extend(DealStatus::ALL.iter().map(|s| {
        SelectOption::new(
            s.as_str(),
            layout.t(&format!("deal-status-{}", s.as_str())),
            s.as_str() == selected,
        )
    }));
    options
}

#[derive(Deserialize)]
pub struct ViewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
    /// A group to share it with; empty: private.
    #[serde(default)]
    share_group: String,
}

/// `POST /deals/views`: saves the current filters under a name, then shows them.
pub async fn save_view(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<ViewForm>,
) -> Response {
    let access = &user.session.access;
    // Only what the list understands is kept, encoded as the list writes it.
    let query = DealQuery::parse(Some(form.query.trim_start_matches('?')));
    let saved = query.view_query();
    let group = form.share_group.trim().parse().ok().map(orbita_domain::GroupId);
    match views::save_shared(&state.db, access, "deals", &form.name, &saved, group).await {
        Ok(_) => {
            let target = if saved.is_empty() { "/deals".to_owned() } else { format!("/deals?{saved}") };
            Redirect::to(&target).into_response()
        }
        Err(AppError::Invalid(errors)) => match render(&state, &user, query, form.name, errors).await {
            Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
            Err(error) => error.into_response(),
        },
        Err(error) => PageError::from(error).into_response(),
    }
}

/// `POST /deals/views/{id}/delete`.
pub async fn delete_view(State(state): State<AppState>, user: SignedIn, Path(id): Path<i64>) -> Response {
    match views::delete(&state.db, &user.session.access, id).await {
        Ok(()) => Redirect::to("/deals").into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}
