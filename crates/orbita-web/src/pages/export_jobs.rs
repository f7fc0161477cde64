//! Background exports from the list pages: the export buttons post the list's name, the
//! format and the list's query string to `POST /exports`, which starts a job and sends the
//! browser to `/exports/{id}`: the rows written so far and the time taken, refreshed by htmx
//! every second (`/exports/{id}/status`, a fragment that stops polling once the job ends; a
//! "Refresh" link without JavaScript), then the download `/exports/{id}/file`, streamed from
//! the database chunk by chunk. `GET /exports` lists the user's recent jobs. A job is its
//! owner's only: anyone else gets "not found".

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use std::pin::Pin;

use orbita_app::auth::Session;
use orbita_app::export_jobs::{self, ExportJob, JobSpec, JobState, Plan, Planner, Queued};
use orbita_app::exports::Format;
use orbita_app::{Access, AppError};
use orbita_domain::now;
use orbita_domain::{FieldError, ValidationErrors};
use serde::Deserialize;

use super::SignedIn;
use super::exports;
use crate::AppState;
use crate::error::PageError;
use crate::ui::{Layout, i18n};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/exports", get(list).post(start))
        .route("/exports/{id}", get(page))
        .route("/exports/{id}/status", get(status))
        .route("/exports/{id}/file", get(file))
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    list: String,
    #[serde(default)]
    format: String,
    /// The list's query string as the page had it (search, filters, sort).
    #[serde(default)]
    query: String,
}

async fn start(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<StartForm>,
) -> Result<Redirect, PageError> {
    let query = form.query.trim_start_matches('?');
    let format = Format::from_extension(&form.format).ok_or(PageError::NotFound)?;
    // Read here so that a list or query the page would refuse is refused now, not in the job.
    let request =
        exports::request(&state, &form.list, Some(query), &user).await?.ok_or(PageError::NotFound)?;
    let access = &user.session.access;
    let id = export_jobs::start(&state.db, access, &request, format, query, user.layout.locale).await?;
    Ok(Redirect::to(&format!("/exports/{id}")))
}

/// The pages' way of reading a queued export's list again, for the worker that writes it: the
/// same query string through the same parsers, for the job's owner as they are now.
pub struct ExportPlanner {
    state: AppState,
}

impl ExportPlanner {
    pub fn new(state: AppState) -> ExportPlanner {
        ExportPlanner { state }
    }

    async fn plan_for(&self, job: &Queued) -> Result<Plan, AppError> {
        let access = Access::load(&self.state.db, job.user_id, None).await?;
        let user = SignedIn::with(&self.state.db, Session::for_background(access), job.locale).await?;
        let request = exports::request(&self.state, &job.list, Some(&job.query), &user)
            .await
            .map_err(refusal)?
            .ok_or(AppError::NotFound)?;
        let how = JobSpec {
            format: job.format,
            locale: job.locale,
            label: i18n::t,
            number: exports::number,
            file_name: exports::file_name(&request, job.format, &user.layout),
        };
        Ok(Plan { access: user.session.access, request, how })
    }
}

impl Planner for ExportPlanner {
    fn plan<'a>(
        &'a self,
        job: &'a Queued,
    ) -> Pin<Box<dyn Future<Output = Result<Plan, AppError>> + Send + 'a>> {
        Box::pin(self.plan_for(job))
    }
}

/// Why a page would refuse the list, as the job records it.
fn refusal(error: PageError) -> AppError {
    match error {
        PageError::NotFound => AppError::NotFound,
        PageError::Forbidden => AppError::Forbidden,
        PageError::Unavailable(why) => AppError::Unavailable(why),
        PageError::Quota(quota) => AppError::Quota(quota),
        other => {
            let why = match other {
                PageError::Invalid(why) => why,
                _ => "the list's query cannot be read".to_owned(),
            };
            AppError::Invalid(ValidationErrors(vec![FieldError::new("query", "export-query", why)]))
        }
    }
}

/// A job as the pages show it, texts in the user's language.
struct JobView {
    id: i64,
    list: String,
    format: &'static str,
    /// `running`, `done`, `failed` or `stopped`: the badge and what follows.
    state: &'static str,
    state_label: String,
    rows: String,
    /// Rows written and expected, when the total is known: the progress bar.
    progress: Option<(u64, u64)>,
    elapsed: String,
    started: String,
    size: String,
    error: String,
    /// The list the export came from, with its filters.
    list_href: String,
}

impl JobView {
    fn new(job: &ExportJob, layout: &Layout) -> JobView {
        let (state, state_key) = match &job.state {
            JobState::Running => ("running", "exports-status-running"),
            JobState::Done => ("done", "exports-status-done"),
            JobState::Failed(_) => ("failed", "exports-status-failed"),
            JobState::Stopped => ("stopped", "exports-status-stopped"),
        };
        let error = match &job.state {
            JobState::Failed(reason) => layout.t_with("exports-failed-detail", "error", reason),
            JobState::Stopped => layout.t("exports-stopped-detail"),
            _ => String::new(),
        };
        let (list_key, path) = list_page(&job.list);
        let size = job.byte_size.map(|bytes| layout.count("exports-size-kb", bytes.div_ceil(1024)));
        JobView {
            id: job.id,
            list: layout.t(list_key),
            format: match job.format {
                Format::Xlsx => "XLSX",
                Format::Csv => "CSV",
            },
            state,
            state_label: layout.t(state_key),
            rows: layout.count("exports-rows-written", job.rows_written),
            progress: job
                .rows_total
                .filter(|total| *total > 0)
                .map(|total| (job.rows_written.min(total), total)),
            elapsed: duration(job.elapsed(now()).num_seconds()),
            started: layout.datetime(job.created_at),
            size: size.unwrap_or_default(),
            error,
            list_href: if job.query.is_empty() { path.to_owned() } else { format!("{path}?{}", job.query) },
        }
    }

    fn running(&self) -> bool {
        self.state == "running"
    }
}

/// The list's name (the key its export sheet uses) and its page.
fn list_page(list: &str) -> (&'static str, &'static str) {
    match list {
        "companies" => ("nav-companies", "/companies"),
        "contacts" => ("nav-contacts", "/contacts"),
        "deals" => ("nav-deals", "/deals"),
        "tasks" => ("nav-tasks", "/tasks"),
        "activities" => ("nav-activities", "/activities"),
        "audit" => ("admin-audit", "/admin/audit"),
        "funnel" => ("report-funnel-title", "/reports/funnel"),
        "sources" => ("report-sources-title", "/reports/sources"),
        "targets" => ("report-targets-title", "/reports/targets"),
        _ => ("nav-reports", "/reports"),
    }
}

/// `0:07`, `12:40`, `1:02:03`: minutes and seconds read the same in both languages.
fn duration(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

#[derive(Template, WebTemplate)]
#[template(path = "exports/job.html")]
struct JobPage {
    layout: Layout,
    job: JobView,
}

/// What htmx swaps in every second while the job runs.
#[derive(Template, WebTemplate)]
#[template(path = "exports/_status.html")]
struct StatusFragment {
    layout: Layout,
    job: JobView,
}

async fn page(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
) -> Result<JobPage, PageError> {
    let job = export_jobs::get(&state.db, &user.session.access, id).await?;
    let layout = user.page(user.t("exports-title"), None);
    Ok(JobPage { job: JobView::new(&job, &layout), layout })
}

async fn status(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
) -> Result<StatusFragment, PageError> {
    let job = export_jobs::get(&state.db, &user.session.access, id).await?;
    Ok(StatusFragment { job: JobView::new(&job, &user.layout), layout: user.layout })
}

/// The finished file, read from the database one chunk at a time as the client takes it.
async fn file(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let file = export_jobs::file(&state.db, &user.session.access, id).await?;
    let headers = [
        (CONTENT_TYPE, file.format.content_type().to_owned()),
        (CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.file_name)),
        (CONTENT_LENGTH, file.byte_size.to_string()),
    ];
    let chunks =
        futures_util::stream::try_unfold((state.db, file, 0i64), move |(db, file, seq)| async move {
            match file.chunk(&db, seq).await {
                Ok(Some(piece)) => Ok(Some((piece, (db, file, seq + 1)))),
                Ok(None) => Ok(None),
                Err(error) => {
                    tracing::error!(%error, job = id, "export file unreadable");
                    Err(std::io::Error::other(error.to_string()))
                }
            }
        });
    Ok((headers, Body::from_stream(chunks)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "exports/list.html")]
struct ListPage {
    layout: Layout,
    jobs: Vec<JobView>,
}

async fn list(State(state): State<AppState>, user: SignedIn) -> Result<ListPage, PageError> {
    let jobs = export_jobs::list_mine(&state.db, &user.session.access).await?;
    let layout = user.page(user.t("exports-my-title"), None);
    Ok(ListPage { jobs: jobs.iter().map(|job| JobView::new(job, &layout)).collect(), layout })
}
