//! The register of contacts with counterparties (`GET /activities`): every call, meeting,
//! letter and note, planned or done, newest first, with the counterparty, the contact person,
//! the responsible user, the substance, the time spent and the direction. `GET
//! /activities/{id}` is one in detail; the form is in [`form`].

mod form;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use orbita_app::{Access, AppError, Db, activities, filters};
use orbita_domain::access::{Action, Area};
use orbita_domain::activity::{Activity, ActivityKind, ActivityStatus};
use orbita_domain::kind::RecordKind;
use orbita_domain::list::ActivityFilter;
use orbita_domain::{ActivityId, CompanyId, ContactId, DealId, UserId};

use super::companies::table::{Cell, ColumnChoice};
use super::custom_fields::ChosenFields;
use super::deals::common::{self, LinkNames, People};
use super::exports::export_query;
use super::{SignedIn, groups};
use crate::AppState;
use crate::error::PageError;
use crate::pages::list_query::ListQuery;
use crate::pages::wall_clock;
use crate::ui::layout::url;
use crate::ui::{Layout, Nav, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list).post(form::create))
        .route("/activities/new", get(form::new))
        .route("/activities/{id}", get(card).post(form::update))
        .route("/activities/{id}/edit", get(form::edit))
        .route("/activities/{id}/delete", post(delete))
}

const PAGE_SIZE: u64 = 50;

pub struct Link {
    pub href: String,
    pub text: String,
}

/// An activity as the list and the card print it.
pub struct ActivityView {
    pub activity: Activity,
    pub kind: String,
    pub direction: String,
    pub status: String,
    pub planned: bool,
    pub status_tone: &'static str,
    pub duration: String,
    pub responsible: String,
    pub company: Option<Link>,
    pub contact: Option<Link>,
    pub deal: Option<Link>,
    /// The chosen custom fields' cells (the list's "Columns").
    pub custom: Vec<Cell>,
}

impl ActivityView {
    /// `names`: the linked records the user may see, by name (`LinkNames::load`).
    fn new(layout: &Layout, activity: Activity, people: &People, names: &LinkNames) -> ActivityView {
        let f = &activity.fields;
        ActivityView {
            kind: layout.t(&format!("activity-kind-{}", f.kind.as_str())),
            direction: f
                .direction
                .map(|d| layout.t(&format!("activity-direction-{}", d.as_str())))
                .unwrap_or_default(),
            status: layout.t(&format!("activity-status-{}", f.status.as_str())),
            planned: f.status == ActivityStatus::Planned,
            status_tone: if f.status == ActivityStatus::Planned { "amber" } else { "green" },
            duration: f.duration_minutes.map(|m| layout.count("count-minutes", m)).unwrap_or_default(),
            responsible: people.name(f.responsible_id),
            company: f
                .company_id
                .map(|id| Link { href: format!("/companies/{id}"), text: names.company(layout, id) }),
            contact: f
                .contact_id
                .map(|id| Link { href: format!("/contacts/{id}"), text: names.contact(layout, id) }),
            deal: f.deal_id.map(|id| Link { href: format!("/deals/{id}"), text: names.deal(layout, id) }),
            custom: Vec::new(),
            activity,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "activities/list.html")]
pub struct ListPage {
    pub layout: Layout,
    /// The order choices: newest first, then each custom field that can order the register.
    pub orders: Vec<SelectOption>,
    pub rows: Vec<ActivityView>,
    pub kinds: Vec<SelectOption>,
    pub statuses: Vec<SelectOption>,
    pub responsibles: Vec<SelectOption>,
    /// The group filter (none: no groups to offer).
    pub groups: Vec<SelectOption>,
    pub from: String,
    pub to: String,
    pub links: Vec<(&'static str, String)>,
    pub next_href: String,
    pub first_href: String,
    pub reset_href: String,
    pub new_href: String,
    /// The register's query string for the export form (a background job).
    pub export_query: String,
    pub can_export: bool,
    pub filtered: bool,
    /// The condition as data (`filter=`), and the register without it.
    pub tree: String,
    pub without_tree_href: String,
    /// The "Columns" panel: the custom fields, checked when shown.
    pub columns: Vec<ColumnChoice>,
    /// The shown custom fields' names, for the header.
    pub custom_heads: Vec<String>,
    pub can_create: bool,
}

/// The register's filters from its query string: `kind`, `status`, `responsible`, `group` (its
/// members as the responsible), `from`, `to` (local days, both included) and the links
/// `company_id`, `contact_id`, `deal_id`, and a condition as data (`filter=`). The page and its
/// export read it here, so the file holds what the screen shows.
pub(super) async fn filter(
    db: &Db,
    p: &ListQuery,
    access: &Access,
    time_zone: &str,
) -> Result<ActivityFilter, AppError> {
    let responsible = p.get("responsible");
    let tree = p.get("filter");
    let (from, to) = wall_clock::period(time_zone, p.get("from"), p.get("to"));
    let responsible_id =
        if responsible == "me" { Some(access.user_id()) } else { common::id::<UserId>(responsible) };
    let responsible_ids = responsible_id.map(|r| vec![r]);
    Ok(ActivityFilter {
        kind: ActivityKind::parse(p.get("kind")),
        status: ActivityStatus::parse(p.get("status")),
        responsible_ids: groups::owners(db, access, Area::Activities, p.get("group"), responsible_ids)
            .await?,
        company_id: common::id::<CompanyId>(p.get("company_id")),
        contact_id: common::id::<ContactId>(p.get("contact_id")),
        deal_id: common::id::<DealId>(p.get("deal_id")),
        from,
        to,
        tree: filters::optional(db, Some(tree).filter(|t| !t.is_empty()), RecordKind::Activity).await?,
        ..ActivityFilter::default()
    })
}

async fn list(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Response {
    let p = ListQuery::parse(raw.as_deref());
    let access = &user.session.access;
    let layout = user.page(user.t("activities-title"), Some(Nav::Activities));
    // Custom fields as columns (`cols=custom.<key>`) and as the order (`sort=custom.<key>`),
    // the same choice the file reads.
    let chosen = match ChosenFields::load(&state.db, RecordKind::Activity, raw.as_deref()).await {
        Ok(chosen) => chosen,
        Err(error) => return PageError::from(error).into_response(),
    };
    let filter = match filter(&state.db, &p, access, &layout.time_zone).await {
        Ok(filter) => ActivityFilter { order: chosen.order, ..filter },
        Err(error) => return PageError::from(error).into_response(),
    };
    let group = p.get("group");
    let groups = match groups::options(&state.db, access, Area::Activities, &layout, group).await {
        Ok(groups) => groups,
        Err(error) => return PageError::from(error).into_response(),
    };
    let (kind, status) = (filter.kind, filter.status);
    let responsible = p.get("responsible");
    let after = orbita_domain::list::Cursor::decode(p.get("after"));
    let page = match activities::list(&state.db, access, &filter, after.as_ref(), PAGE_SIZE).await {
        Ok(page) => page,
        Err(error) => return PageError::from(error).into_response(),
    };
    let people = match orbita_app::admin::users(&state.db, access).await {
        Ok(users) => People(users),
        Err(error) => return PageError::from(error).into_response(),
    };
    let shown = chosen.shown();
    let currency = match super::custom_fields::currency(&state.db, !shown.is_empty()).await {
        Ok(currency) => currency,
        Err(error) => return PageError::from(error).into_response(),
    };
    let values = super::custom_fields::People { users: &people.0, currency };
    // The linked companies, contacts and deals by name: one query per kind for the page.
    let links = page.items.iter().map(|a| (a.fields.company_id, a.fields.contact_id, a.fields.deal_id));
    let names = match LinkNames::load(&state.db, access, links).await {
        Ok(names) => names,
        Err(error) => return PageError::from(error).into_response(),
    };
    let links: Vec<(&'static str, String)> = ["company_id", "contact_id", "deal_id"]
        .into_iter()
        .map(|k| (k, p.get(k).to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let mut pairs: Vec<(&str, String)> = vec![
        ("kind", kind.map(|k| k.as_str().to_owned()).unwrap_or_default()),
        ("status", status.map(|s| s.as_str().to_owned()).unwrap_or_default()),
        ("responsible", responsible.to_string()),
        ("group", group.to_owned()),
        ("from", p.get("from").to_owned()),
        ("to", p.get("to").to_owned()),
        ("filter", p.get("filter").to_owned()),
    ];
    pairs.extend(links.iter().cloned());
    let filtered = pairs.iter().any(|(_, v)| !v.is_empty());
    pairs.push(("cols", chosen.keys.iter().map(|k| format!("custom.{k}")).collect::<Vec<_>>().join(",")));
    pairs.push(("sort", chosen.order.map(|o| o.text()).unwrap_or_default()));
    let href = |extra: Option<(&'static str, String)>| {
        let all: Vec<(&str, &str)> =
            pairs.iter().chain(extra.iter()).map(|(k, v)| (*k, v.as_str())).collect();
        url("/activities", &all)
    };
    let next_href = page.next.as_ref().map(|c| href(Some(("after", c.encode())))).unwrap_or_default();
    let first_href = if p.get("after").is_empty() { String::new() } else { href(None) };
    let tree = p.get("filter");
    let without_tree_href = {
        let rest: Vec<(&str, &str)> =
            pairs.iter().filter(|(k, _)| *k != "filter").map(|(k, v)| (*k, v.as_str())).collect();
        url("/activities", &rest)
    };
    let any = |field: &str| format!("{}: {}", layout.t(field), layout.t("filter-any"));
    let mut kinds = vec![SelectOption::new("", any("field-kind"), kind.is_none())];
    kinds.extend(ActivityKind::ALL.iter().map(|k| {
        SelectOption::new(k.as_str(), layout.t(&format!("activity-kind-{}", k.as_str())), Some(*k) == kind)
    }));
    let mut statuses = vec![SelectOption::new("", any("field-status"), status.is_none())];
    statuses.extend(ActivityStatus::ALL.iter().map(|s| {
        SelectOption::new(
            s.as_str(),
            layout.t(&format!("activity-status-{}", s.as_str())),
            Some(*s) == status,
        )
    }));
    let mut responsibles = vec![
        SelectOption::new("", any("field-responsible"), responsible.is_empty()),
        SelectOption::new("me", layout.t("filter-mine"), responsible == "me"),
    ];
    responsibles.extend(
        people
            .visible(access, Area::Activities)
            .into_iter()
            .map(|u| SelectOption::new(u.id.to_string(), u.name.clone(), u.id.to_string() == responsible)),
    );
    let link_pairs: Vec<(&str, &str)> = links.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut new_pairs = link_pairs.clone();
    new_pairs.push(("return_to", "/activities"));
    let rows = page
        .items
        .into_iter()
        .map(|a| {
            let custom = super::companies::table::custom_cells(&layout, &shown, &a.custom, &values);
            ActivityView { custom, ..ActivityView::new(&layout, a, &people, &names) }
        })
        .collect();
    let columns = super::companies::table::custom_choices(&layout, &chosen.fields, &chosen.picked());
    let custom_heads = shown.iter().map(|f| f.label(layout.lang()).to_owned()).collect();
    ListPage {
        orders: chosen.orders(&layout, "activities-order-newest"),
        rows,
        columns,
        custom_heads,
        kinds,
        statuses,
        responsibles,
        groups,
        from: p.get("from").to_owned(),
        to: p.get("to").to_owned(),
        next_href,
        first_href,
        reset_href: url("/activities", &link_pairs),
        export_query: export_query(&href(None)),
        can_export: access.can(Area::Activities, Action::Export),
        new_href: url("/activities/new", &new_pairs),
        filtered,
        tree: tree.to_owned(),
        without_tree_href,
        can_create: access.can(Area::Activities, Action::Create),
        links,
        layout,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "activities/card.html")]
pub struct CardPage {
    pub layout: Layout,
    pub view: ActivityView,
    pub can_edit: bool,
    pub can_delete: bool,
}

/// `GET /activities/{id}`: the linked records by name where the user may see them.
async fn card(State(state): State<AppState>, user: SignedIn, Path(id): Path<i64>) -> Response {
    let access = &user.session.access;
    let db = &state.db;
    let activity = match activities::get(db, access, ActivityId(id)).await {
        Ok(activity) => activity,
        Err(error) => return PageError::from(error).into_response(),
    };
    let people = People(orbita_app::admin::users(db, access).await.unwrap_or_default());
    let title = user.t(&format!("activity-kind-{}", activity.fields.kind.as_str()));
    let layout = user.page(title, Some(Nav::Activities));
    let f = activity.fields.clone();
    let names = match LinkNames::load(db, access, [(f.company_id, f.contact_id, f.deal_id)]).await {
        Ok(names) => names,
        Err(error) => return PageError::from(error).into_response(),
    };
    let view = ActivityView::new(&layout, activity, &people, &names);
    CardPage {
        can_edit: access.covers_owner(Area::Activities, Action::Edit, f.responsible_id),
        can_delete: access.covers_owner(Area::Activities, Action::Delete, f.responsible_id),
        view,
        layout,
    }
    .into_response()
}

async fn delete(State(state): State<AppState>, user: SignedIn, Path(id): Path<i64>) -> Response {
    match activities::delete(&state.db, &user.session.access, ActivityId(id)).await {
        Ok(()) => Redirect::to("/activities?notice=deleted").into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}
