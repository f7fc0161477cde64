//! Downloads of every list and of the summary report, as XLSX or CSV: `GET /companies.xlsx`,
//! `/contacts.csv`, `/deals.xlsx`, `/tasks.xlsx`, `/activities.csv`, `/admin/audit.xlsx`,
//! `/reports/summary.xlsx`… Each takes exactly the query string of its page (search, filters,
//! sort), read the way that page reads it, so the file holds what the screen shows; the
//! services apply the user's rights and audit the download.
//!
//! The deals list's parser is shared (`deals::query::DealQuery`); the companies, contacts,
//! tasks, activities and audit pages build their filters inline, so those are repeated here
//! with the same parameter names — keep them in step with the pages.
//!
//! The file is written to an anonymous temporary file (memory holds one page of rows), then
//! streamed as the response with its length, so the browser shows the download's progress.

use std::fs::File;
use std::io::{Seek, SeekFrom};

use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use orbita_app::exports::{self, ExportFailure, ExportSpec, Exported, Format};
use orbita_app::reports::SummaryParams;
use orbita_domain::access::{Action, Area, Scope};
use orbita_domain::activity::{ActivityKind, ActivityStatus};
use orbita_domain::audit::AuditAction;
use orbita_domain::org::Locale;
use orbita_domain::{CompanyId, ContactId, DealId, GroupId, UserId};
use orbita_storage::activities::ActivityFilter;
use orbita_storage::audit::AuditFilter;
use orbita_storage::companies::{CompanyFilter, CompanySort};
use orbita_storage::contacts::{ContactFilter, ContactSort};
use orbita_storage::tasks::TaskFilter;
use tokio_util::io::ReaderStream;

use super::SignedIn;
use super::deals::common;
use super::deals::query::DealQuery;
use super::list_query::{ListQuery, day_end, day_start};
use super::reports::period::{DayRange, today};
use crate::AppState;
use crate::error::PageError;
use crate::ui::Layout;

type Query = RawQuery;
type St = State<AppState>;

pub fn routes() -> Router<AppState> {
    use Format::{Csv, Xlsx};
    Router::new()
        .route("/companies.xlsx", get(|s: St, u: SignedIn, q: Query| companies(s, u, q, Xlsx)))
        .route("/companies.csv", get(|s: St, u: SignedIn, q: Query| companies(s, u, q, Csv)))
        .route("/contacts.xlsx", get(|s: St, u: SignedIn, q: Query| contacts(s, u, q, Xlsx)))
        .route("/contacts.csv", get(|s: St, u: SignedIn, q: Query| contacts(s, u, q, Csv)))
        .route("/deals.xlsx", get(|s: St, u: SignedIn, q: Query| deals(s, u, q, Xlsx)))
        .route("/deals.csv", get(|s: St, u: SignedIn, q: Query| deals(s, u, q, Csv)))
        .route("/tasks.xlsx", get(|s: St, u: SignedIn, q: Query| tasks(s, u, q, Xlsx)))
        .route("/tasks.csv", get(|s: St, u: SignedIn, q: Query| tasks(s, u, q, Csv)))
        .route("/activities.xlsx", get(|s: St, u: SignedIn, q: Query| activities(s, u, q, Xlsx)))
        .route("/activities.csv", get(|s: St, u: SignedIn, q: Query| activities(s, u, q, Csv)))
        .route("/admin/audit.xlsx", get(|s: St, u: SignedIn, q: Query| audit(s, u, q, Xlsx)))
        .route("/admin/audit.csv", get(|s: St, u: SignedIn, q: Query| audit(s, u, q, Csv)))
        .route("/reports/summary.xlsx", get(|s: St, u: SignedIn, q: Query| summary(s, u, q, Xlsx)))
        .route("/reports/summary.csv", get(|s: St, u: SignedIn, q: Query| summary(s, u, q, Csv)))
}

fn log_progress(rows: u64) {
    tracing::debug!(rows, "export in progress");
}

/// A linked record the user may not see, by number, as the pages show it ("Компания № 5").
fn number(locale: Locale, key: &str, id: &str) -> String {
    crate::ui::i18n::t_args(locale, key, &[("id", id.to_owned().into())])
}

/// Headers and values in the user's language.
fn spec<'a>(layout: &Layout, format: Format, label: &'a (dyn Fn(&str) -> String + Sync)) -> ExportSpec<'a> {
    ExportSpec { format, locale: layout.locale, label, number, progress: &log_progress, tempdir: None }
}

/// Where the file is written: deleted by the system as soon as it is closed.
fn spool() -> Result<File, PageError> {
    tempfile::tempfile().map_err(|error| {
        tracing::error!(%error, "no temporary file for an export");
        PageError::Internal
    })
}

/// The finished file as the response: `companies-2026-11-23.xlsx`.
fn deliver(
    result: Result<Exported<File>, ExportFailure>,
    format: Format,
    name: &str,
    layout: &Layout,
) -> Response {
    let mut file = match result {
        Ok(exported) => exported.out,
        Err(ExportFailure::App(error)) => return PageError::from(error).into_response(),
        Err(error) => {
            tracing::error!(%error, "export failed");
            return PageError::Internal.into_response();
        }
    };
    if let Err(error) = file.seek(SeekFrom::Start(0)) {
        tracing::error!(%error, "export file unreadable");
        return PageError::Internal.into_response();
    }
    let length = file.metadata().map(|m| m.len()).ok();
    let body = Body::from_stream(ReaderStream::new(tokio::fs::File::from_std(file)));
    let filename = format!("{name}-{}.{}", today(&layout.time_zone).format("%Y-%m-%d"), format.extension());
    let disposition = format!("attachment; filename=\"{filename}\"");
    let mut response =
        ([(CONTENT_TYPE, format.content_type().to_owned()), (CONTENT_DISPOSITION, disposition)], body)
            .into_response();
    if let Some(length) = length {
        response.headers_mut().insert(CONTENT_LENGTH, length.into());
    }
    response
}

/// The list filters' owner value (`me` or an id), as `companies::owner_filter` reads it.
fn owners(raw: &str, me: UserId) -> Option<Vec<UserId>> {
    match raw {
        "" => None,
        "me" => Some(vec![me]),
        other => Some(vec![other.parse().unwrap_or(UserId(0))]),
    }
}

const COMPANY_SORTS: &[(&str, CompanySort)] =
    &[("name", CompanySort::Name), ("created", CompanySort::CreatedAt), ("updated", CompanySort::UpdatedAt)];

async fn companies(State(state): St, user: SignedIn, RawQuery(raw): Query, format: Format) -> Response {
    let query = ListQuery::parse(raw.as_deref());
    let (access, tz) = (&user.session.access, &user.layout.time_zone);
    let filter = CompanyFilter {
        q: query.opt("q"),
        owner_ids: owners(query.get("owner"), access.user_id()),
        region: query.opt("region"),
        industry: query.opt("industry"),
        source: query.opt("source"),
        created_from: query.date("created_from").map(|d| day_start(d, tz)),
        created_to: query.date("created_to").map(|d| day_end(d, tz)),
        ..CompanyFilter::default()
    };
    let sort = query.sort_as(COMPANY_SORTS, "name");
    let label = |key: &str| user.layout.t(key);
    let Ok(file) = spool() else { return PageError::Internal.into_response() };
    let spec = spec(&user.layout, format, &label);
    let result = exports::companies(&state.db, access, &filter, sort.by, sort.descending, &spec, file).await;
    deliver(result, format, "companies", &user.layout)
}

const CONTACT_SORTS: &[(&str, ContactSort)] =
    &[("name", ContactSort::Name), ("created", ContactSort::CreatedAt)];

async fn contacts(State(state): St, user: SignedIn, RawQuery(raw): Query, format: Format) -> Response {
    let query = ListQuery::parse(raw.as_deref());
    let (access, tz) = (&user.session.access, &user.layout.time_zone);
    let filter = ContactFilter {
        q: query.opt("q"),
        company_id: query.parsed::<CompanyId>("company_id"),
        owner_ids: owners(query.get("owner"), access.user_id()),
        created_from: query.date("created_from").map(|d| day_start(d, tz)),
        created_to: query.date("created_to").map(|d| day_end(d, tz)),
        ..ContactFilter::default()
    };
    let sort = query.sort_as(CONTACT_SORTS, "name");
    let label = |key: &str| user.layout.t(key);
    let Ok(file) = spool() else { return PageError::Internal.into_response() };
    let spec = spec(&user.layout, format, &label);
    let result = exports::contacts(&state.db, access, &filter, sort.by, sort.descending, &spec, file).await;
    deliver(result, format, "contacts", &user.layout)
}

async fn deals(State(state): St, user: SignedIn, RawQuery(raw): Query, format: Format) -> Response {
    let query = DealQuery::parse(raw.as_deref());
    let access = &user.session.access;
    let filter = query.filter(access.user_id(), &user.layout.time_zone);
    let (sort, descending) = query.sort();
    let label = |key: &str| user.layout.t(key);
    let Ok(file) = spool() else { return PageError::Internal.into_response() };
    let spec = spec(&user.layout, format, &label);
    let result = exports::deals(&state.db, access, &filter, sort, descending, &spec, file).await;
    deliver(result, format, "deals", &user.layout)
}

/// As "My tasks" reads it: `assignee` (`me`, `all` for the team, an id), `status=done`.
async fn tasks(State(state): St, user: SignedIn, RawQuery(raw): Query, format: Format) -> Response {
    let p = common::Params::parse(raw.as_deref());
    let access = &user.session.access;
    let me = access.user_id();
    let team = access.permissions.scope(Area::Tasks, Action::View).is_some_and(|s| s != Scope::Own);
    let assignee_ids = match p.get("assignee").as_str() {
        "all" if team => None,
        "" | "me" => Some(vec![me]),
        other => Some(vec![common::id::<UserId>(other).unwrap_or(me)]),
    };
    let filter = TaskFilter { assignee_ids, done: Some(p.get("status") == "done"), ..TaskFilter::default() };
    let label = |key: &str| user.layout.t(key);
    let Ok(file) = spool() else { return PageError::Internal.into_response() };
    let spec = spec(&user.layout, format, &label);
    let result = exports::tasks(&state.db, access, &filter, &spec, file).await;
    deliver(result, format, "tasks", &user.layout)
}

/// As the register of activities reads it: `kind`, `status`, `responsible`, `from`, `to`
/// (days, both included) and the links `company_id`, `contact_id`, `deal_id`.
async fn activities(State(state): St, user: SignedIn, RawQuery(raw): Query, format: Format) -> Response {
    let p = common::Params::parse(raw.as_deref());
    let access = &user.session.access;
    let responsible = p.get("responsible");
    let responsible_id =
        if responsible == "me" { Some(access.user_id()) } else { common::id::<UserId>(&responsible) };
    let (from, to) = common::period(&user.layout.time_zone, &p.get("from"), &p.get("to"));
    let filter = ActivityFilter {
        kind: ActivityKind::parse(&p.get("kind")),
        status: ActivityStatus::parse(&p.get("status")),
        responsible_ids: responsible_id.map(|r| vec![r]),
        company_id: common::id::<CompanyId>(&p.get("company_id")),
        contact_id: common::id::<ContactId>(&p.get("contact_id")),
        deal_id: common::id::<DealId>(&p.get("deal_id")),
        from,
        to,
        ..ActivityFilter::default()
    };
    let label = |key: &str| user.layout.t(key);
    let Ok(file) = spool() else { return PageError::Internal.into_response() };
    let spec = spec(&user.layout, format, &label);
    let result = exports::activities(&state.db, access, &filter, &spec, file).await;
    deliver(result, format, "activities", &user.layout)
}

const AUDIT_ENTITIES: &[&str] = &["company", "contact", "deal", "task", "activity", "user", "group", "role"];

/// As the audit log page reads it: `user`, `entity`, `action`, `from`, `to`.
async fn audit(State(state): St, user: SignedIn, RawQuery(raw): Query, format: Format) -> Response {
    let query = ListQuery::parse(raw.as_deref());
    let tz = &user.layout.time_zone;
    let filter = AuditFilter {
        actor_id: query.parsed::<UserId>("user"),
        entity: AUDIT_ENTITIES.iter().find(|e| **e == query.get("entity")).map(|e| (*e).to_owned()),
        entity_id: None,
        action: AuditAction::parse(query.get("action")),
        from: query.date("from").map(|d| day_start(d, tz)),
        to: query.date("to").map(|d| day_end(d, tz)),
    };
    let label = |key: &str| user.layout.t(key);
    let Ok(file) = spool() else { return PageError::Internal.into_response() };
    let spec = spec(&user.layout, format, &label);
    let result = exports::audit_log(&state.db, &user.session.access, &filter, &spec, file).await;
    deliver(result, format, "audit", &user.layout)
}

/// As the summary report reads it: `from`, `to` (this month by default), `group`.
async fn summary(State(state): St, user: SignedIn, RawQuery(raw): Query, format: Format) -> Response {
    let query = ListQuery::parse(raw.as_deref());
    let range = DayRange::from_query(&query, DayRange::month(today(&user.layout.time_zone)));
    let params =
        SummaryParams { from: range.from, to: range.end(), group: query.parsed::<i64>("group").map(GroupId) };
    let label = |key: &str| user.layout.t(key);
    let Ok(file) = spool() else { return PageError::Internal.into_response() };
    let spec = spec(&user.layout, format, &label);
    let result = exports::summary_report(&state.db, &user.session.access, &params, &spec, file).await;
    deliver(result, format, "summary-report", &user.layout)
}
