//! Background jobs (`/admin/jobs`): how many are queued, running, waiting after a failure or
//! dead, and the troubled ones with their errors and a "Retry" button. Administrators only;
//! the service checks.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use orbita_app::jobs;
use orbita_domain::job::JobState;

use super::Tab;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::ui::{Layout, Nav};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/jobs", get(page)).route("/admin/jobs/{id}/retry", post(retry))
}

struct Count {
    label: String,
    count: i64,
    /// A badge's tone: dead ones stand out.
    tone: &'static str,
}

struct Row {
    id: i64,
    kind: String,
    state: String,
    tone: &'static str,
    attempts: String,
    error: String,
    /// When it was last tried; for a waiting one, also when it is tried next.
    when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/jobs.html")]
struct JobsPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    counts: Vec<Count>,
    rows: Vec<Row>,
}

fn tone(state: JobState) -> &'static str {
    match state {
        JobState::Dead => "red",
        JobState::Failed => "amber",
        JobState::Running => "blue",
        JobState::Queued | JobState::Done => "neutral",
    }
}

async fn page(State(state): State<AppState>, user: SignedIn) -> Result<Response, PageError> {
    let overview = jobs::overview(&state.db, &user.session.access).await?;
    let layout = user.page(user.t("admin-jobs"), Some(Nav::Admin));
    let label = |s: JobState| layout.t(&format!("job-state-{}", s.as_str()));
    let counts = JobState::ALL
        .iter()
        .map(|s| Count {
            label: label(*s),
            count: overview.counts.iter().find(|(c, _)| c == s).map_or(0, |(_, n)| *n),
            tone: tone(*s),
        })
        .collect();
    let rows = overview
        .troubled
        .iter()
        .map(|job| {
            let tried = layout.datetime(job.updated_at);
            let when = match job.state {
                JobState::Failed => layout.t_with("jobs-next-attempt", "at", &layout.datetime(job.run_at)),
                _ => tried,
            };
            Row {
                id: job.id,
                kind: layout.t_or(&format!("job-kind-{}", job.kind), &job.kind),
                state: label(job.state),
                tone: tone(job.state),
                attempts: format!("{} / {}", job.attempts, job.max_attempts),
                error: job.last_error.clone().unwrap_or_default(),
                when,
            }
        })
        .collect();
    Ok(JobsPage { layout, tab: Tab::Jobs, tabs: Tab::ALL, counts, rows }.into_response())
}

async fn retry(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    jobs::retry(&state.db, &user.session.access, id).await?;
    Ok(Redirect::to("/admin/jobs").into_response())
}
