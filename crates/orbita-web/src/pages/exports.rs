//! Downloads of every list and report, as XLSX or CSV: `GET /companies.xlsx`,
//! `/contacts.csv`, `/deals.xlsx`, `/tasks.xlsx`, `/activities.csv`, `/admin/audit.xlsx`,
//! `/reports/summary.xlsx`, `/reports/funnel.csv`, `/reports/targets.xlsx`… Each takes exactly
//! the query string of its page (search, filters, sort, the chosen columns), read the way that
//! page reads it, so the file holds what the screen shows; the services apply the user's
//! rights and audit the download.
//!
//! The same reading serves the background export the list pages start (`POST /exports`,
//! `pages::export_jobs`): [`request`] turns a list's name and query string into the
//! `ExportRequest` both paths hand to `orbita_app::export_jobs::write`.
//!
//! The deals list's and the funnel's parsers are shared (`deals::query::DealQuery`,
//! `reports::funnel::params`); the companies, contacts,
//! tasks, activities and audit pages build their filters inline, so those are repeated here
//! with the same parameter names — keep them in step with the pages. A list's `group` becomes
//! its members here, once, as on the page (`pages::groups`): a background job exports the
//! records of the members the group had when it started.
//!
//! A direct download is written to an anonymous temporary file (memory holds one page of
//! rows), then streamed as the response with its length, so the browser shows the download's
//! progress. The REST API and bookmarks use these; the pages start a background job instead.

use std::fs::File;
use std::io::{Seek, SeekFrom};

use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use orbita_app::deals as deal_service;
use orbita_app::export_jobs::{self, ExportRequest};
use orbita_app::exports::columns::{self, ListColumn};
use orbita_app::exports::{ExportFailure, ExportSpec, Exported, FixedExport, Format, ListExport};
use orbita_app::reports::SummaryParams;
use orbita_app::{AppError, Db};
use orbita_domain::GroupId;
use orbita_domain::kind::RecordKind;
use orbita_domain::list::{ActivityFilter, TaskFilter};
use orbita_domain::org::Locale;
use tokio_util::io::ReaderStream;

use super::SignedIn;
use super::admin::audit::AuditQuery;
use super::custom_fields::ChosenFields;
use super::deals::query::DealQuery;
use super::list_query::ListQuery;
use super::reports::funnel;
use super::reports::period::today;
use super::tasks::query::TasksQuery;
use crate::AppState;
use crate::error::PageError;
use crate::ui::Layout;

pub fn routes() -> Router<AppState> {
    use Format::{Csv, Xlsx};
    Router::new()
        .route("/companies.xlsx", download("companies", Xlsx))
        .route("/companies.csv", download("companies", Csv))
        .route("/contacts.xlsx", download("contacts", Xlsx))
        .route("/contacts.csv", download("contacts", Csv))
        .route("/deals.xlsx", download("deals", Xlsx))
        .route("/deals.csv", download("deals", Csv))
        .route("/tasks.xlsx", download("tasks", Xlsx))
        .route("/tasks.csv", download("tasks", Csv))
        .route("/activities.xlsx", download("activities", Xlsx))
        .route("/activities.csv", download("activities", Csv))
        .route("/admin/audit.xlsx", download("audit", Xlsx))
        .route("/admin/audit.csv", download("audit", Csv))
        .route("/reports/summary.xlsx", download("summary", Xlsx))
        .route("/reports/summary.csv", download("summary", Csv))
        .route("/reports/funnel.xlsx", download("funnel", Xlsx))
        .route("/reports/funnel.csv", download("funnel", Csv))
        .route("/reports/sources.xlsx", download("sources", Xlsx))
        .route("/reports/sources.csv", download("sources", Csv))
        .route("/reports/targets.xlsx", download("targets", Xlsx))
        .route("/reports/targets.csv", download("targets", Csv))
}

fn download(list: &'static str, format: Format) -> MethodRouter<AppState> {
    get(move |State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery| async move {
        match request(&state, list, raw.as_deref(), &user).await {
            Ok(Some(request)) => direct(&state, &user, &request, format).await,
            Ok(None) => PageError::NotFound.into_response(),
            Err(error) => error.into_response(),
        }
    })
}

/// The export a list's page would show for this query string, read as that page reads it;
/// `None` for a list that has no export (or a funnel without any pipeline). Async because the
/// funnel, as its page, falls back to the default pipeline, which only the database knows.
pub(super) async fn request(
    state: &AppState,
    list: &str,
    raw: Option<&str>,
    user: &SignedIn,
) -> Result<Option<ExportRequest>, PageError> {
    Ok(Some(match list {
        "companies" => companies(&state.db, raw, user).await?,
        "contacts" => contacts(&state.db, raw, user).await?,
        "deals" => deals(&state.db, raw, user).await?,
        "tasks" => tasks(&state.db, raw, user).await?,
        "activities" => activities(&state.db, raw, user).await?,
        "audit" => audit(raw, user),
        "summary" => summary(raw, user),
        "sources" => sources(raw, user),
        "targets" => return targets(raw, user),
        "funnel" => return funnel_request(state, raw, user).await,
        _ => return Ok(None),
    }))
}

fn log_progress(rows: u64) {
    tracing::debug!(rows, "export in progress");
}

/// A linked record the user may not see, by number, as the pages show it ("Компания № 5").
pub(super) fn number(locale: Locale, key: &str, id: &str) -> String {
    crate::ui::i18n::t_args(locale, key, &[("id", id.to_owned().into())])
}

/// The download's name: `companies-2026-11-23.xlsx`, dated in the organisation's zone.
pub(super) fn file_name(request: &ExportRequest, format: Format, layout: &Layout) -> String {
    let day = today(&layout.time_zone).format("%Y-%m-%d");
    format!("{}-{day}.{}", request.file_stem(), format.extension())
}

/// Writes the file while the request waits, then streams it.
async fn direct(state: &AppState, user: &SignedIn, request: &ExportRequest, format: Format) -> Response {
    let label = |key: &str| user.layout.t(key);
    let Ok(file) = spool() else { return PageError::Internal.into_response() };
    // Headers and values in the user's language.
    let spec = ExportSpec {
        format,
        locale: user.layout.locale,
        label: &label,
        number,
        progress: &log_progress,
        tempdir: None,
    };
    let result = export_jobs::write(&state.db, &user.session.access, request, &spec, file).await;
    deliver(result, format, &file_name(request, format, &user.layout))
}

/// Where the file is written: deleted by the system as soon as it is closed.
fn spool() -> Result<File, PageError> {
    tempfile::tempfile().map_err(|error| {
        tracing::error!(%error, "no temporary file for an export");
        PageError::Internal
    })
}

/// The finished file as the response.
fn deliver(result: Result<Exported<File>, ExportFailure>, format: Format, filename: &str) -> Response {
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
    let disposition = format!("attachment; filename=\"{filename}\"");
    let mut response =
        ([(CONTENT_TYPE, format.content_type().to_owned()), (CONTENT_DISPOSITION, disposition)], body)
            .into_response();
    if let Some(length) = length {
        response.headers_mut().insert(CONTENT_LENGTH, length.into());
    }
    response
}

async fn companies(db: &Db, raw: Option<&str>, user: &SignedIn) -> Result<ExportRequest, AppError> {
    let query = ListQuery::parse(raw);
    let filter =
        super::companies::list::filter(db, &user.session.access, &user.layout.time_zone, &query).await?;
    let fields = orbita_app::custom_fields::active(db, RecordKind::Company).await?;
    let sort = super::companies::list::sort(&query, &fields);
    let custom: Vec<String> = query.custom_columns(&fields).iter().map(|f| f.key.clone()).collect();
    let columns = chosen_columns(&query);
    Ok(ExportRequest::Companies(ListExport {
        filter,
        sort: sort.by,
        descending: sort.descending,
        columns,
        custom,
    }))
}

/// The columns the list shows for its `cols=` (repeated or comma-separated, as
/// `ListQuery::columns` reads them); none known: the list's default set.
fn chosen_columns<C: ListColumn>(query: &ListQuery) -> Vec<C> {
    let available: Vec<&'static str> = C::ALL.iter().map(|c| c.key()).collect();
    columns::choose(&query.columns(&available, &C::default_keys()))
}

async fn contacts(db: &Db, raw: Option<&str>, user: &SignedIn) -> Result<ExportRequest, AppError> {
    let query = ListQuery::parse(raw);
    let filter = super::contacts::filter(db, &user.session.access, &user.layout.time_zone, &query).await?;
    let fields = orbita_app::custom_fields::active(db, RecordKind::Contact).await?;
    let sort = super::contacts::sort(&query, &fields);
    let custom: Vec<String> = query.custom_columns(&fields).iter().map(|f| f.key.clone()).collect();
    let columns = chosen_columns(&query);
    Ok(ExportRequest::Contacts(ListExport {
        filter,
        sort: sort.by,
        descending: sort.descending,
        columns,
        custom,
    }))
}

async fn deals(db: &Db, raw: Option<&str>, user: &SignedIn) -> Result<ExportRequest, AppError> {
    let query = DealQuery::parse(raw);
    let filter = query.filter_in_group(db, &user.session.access, &user.layout.time_zone).await?;
    let fields = orbita_app::custom_fields::active(db, orbita_domain::kind::RecordKind::Deal).await?;
    let (sort, descending) = query.sort_in(&fields);
    let custom = query.custom_columns(&fields).iter().map(|f| f.key.clone()).collect();
    Ok(ExportRequest::Deals(ListExport { filter, sort, descending, columns: query.columns(), custom }))
}

/// As the tasks list reads it (`tasks::query`).
async fn tasks(db: &Db, raw: Option<&str>, user: &SignedIn) -> Result<ExportRequest, AppError> {
    let access = &user.session.access;
    let query = TasksQuery::parse(raw, access);
    let now = orbita_domain::now();
    let filter = query.filter_in_group(db, access, &user.layout.time_zone, now).await?;
    let chosen = ChosenFields::load(db, RecordKind::Task, raw).await?;
    let filter = TaskFilter { order: chosen.order, ..filter };
    Ok(ExportRequest::Tasks(FixedExport { filter, custom: chosen.shown_keys() }))
}

/// As the register of activities reads it (`activities::filter`).
async fn activities(db: &Db, raw: Option<&str>, user: &SignedIn) -> Result<ExportRequest, AppError> {
    let p = ListQuery::parse(raw);
    let filter = super::activities::filter(db, &p, &user.session.access, &user.layout.time_zone).await?;
    let chosen = ChosenFields::load(db, RecordKind::Activity, raw).await?;
    let filter = ActivityFilter { order: chosen.order, ..filter };
    Ok(ExportRequest::Activities(FixedExport { filter, custom: chosen.shown_keys() }))
}

/// As the audit log page reads it (`admin::audit::AuditQuery`).
fn audit(raw: Option<&str>, user: &SignedIn) -> ExportRequest {
    ExportRequest::AuditLog(AuditQuery::parse(raw).filter(&user.layout.time_zone))
}

/// The query string of a list's own link (`/tasks?status=done` → `status=done`): what its
/// export form posts, so the job reads the list exactly as the page did.
pub(super) fn export_query(href: &str) -> String {
    href.split_once('?').map(|(_, query)| query.to_owned()).unwrap_or_default()
}

/// As the summary report reads it: `from`, `to` (this month by default), `group`.
fn summary(raw: Option<&str>, user: &SignedIn) -> ExportRequest {
    let query = ListQuery::parse(raw);
    let range = super::reports::summary::range(&query, &user.layout.time_zone);
    ExportRequest::Summary(SummaryParams {
        from: range.from,
        to: range.end(),
        group: query.parsed::<i64>("group").map(GroupId),
    })
}

/// As the sources report's page reads it: the period and the group.
fn sources(raw: Option<&str>, user: &SignedIn) -> ExportRequest {
    let query = ListQuery::parse(raw);
    let range = super::reports::sources::range(&query, &user.layout.time_zone);
    ExportRequest::Sources(orbita_app::reports::SourcesParams {
        from: range.from,
        to: range.end(),
        group: query.parsed::<i64>("group").map(GroupId),
    })
}

/// As the targets grid reads it: the months `from` and `to` (`YYYY-MM`; this month and the
/// next two by default). A malformed month is refused as the page reports it.
fn targets(raw: Option<&str>, user: &SignedIn) -> Result<Option<ExportRequest>, PageError> {
    let query = ListQuery::parse(raw);
    match super::targets::window(&query, &user.layout.time_zone)? {
        (_, _, Some(error)) => Err(PageError::Invalid(user.layout.error_message(&error))),
        (first, last, None) => Ok(Some(ExportRequest::Targets { first, last })),
    }
}

/// As the funnel page reads it: `pipeline` (the default one when missing or unknown), `from`,
/// `to` (this year by default), `owner`, `group`, `source`, `region`, `industry`.
async fn funnel_request(
    state: &AppState,
    raw: Option<&str>,
    user: &SignedIn,
) -> Result<Option<ExportRequest>, PageError> {
    let query = ListQuery::parse(raw);
    let (pipelines, _) = deal_service::pipelines_and_stages(&state.db).await?;
    let range = funnel::range(&query, &user.layout.time_zone);
    Ok(funnel::params(&query, &pipelines, range).map(ExportRequest::Funnel))
}
