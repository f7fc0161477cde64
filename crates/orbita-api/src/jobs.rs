//! `/api/v1/jobs`: the background job queue, for administrators: jobs by state (the dead ones
//! first of all), and a retry of a failed or dead one.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use orbita_app::jobs;
use orbita_domain::job::Job as JobRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::extract::{Id, Params};
use crate::problem::ApiError;
use crate::vocab::JobState;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(retry))
}

/// A job of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Job {
    pub id: i64,
    /// What it does, e.g. `custom_field_indexes`.
    pub kind: String,
    pub state: JobState,
    /// When it runs (a failed one: its next attempt).
    pub run_at: DateTime<Utc>,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<JobRecord> for Job {
    fn from(j: JobRecord) -> Self {
        Self {
            id: j.id,
            kind: j.kind,
            state: j.state.into(),
            run_at: j.run_at,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            last_error: j.last_error,
            created_at: j.created_at,
            updated_at: j.updated_at,
            finished_at: j.finished_at,
        }
    }
}

/// The newest jobs, at most 500; never paged.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    pub items: Vec<Job>,
    /// Always `null`.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// Only jobs in this state (default: `dead`).
    state: Option<JobState>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
}

/// List jobs (administrators).
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(JobQuery),
    responses((status = 200, description = "The newest jobs in the state", body = JobList)))]
async fn list(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<JobQuery>,
) -> Result<Json<JobList>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "limit-range", "From 1 to 500"));
    }
    let wanted = query.state.unwrap_or(JobState::Dead).into();
    let items = jobs::list(&state.db, &caller.access, &[wanted], limit).await?;
    Ok(Json(JobList { items: items.into_iter().map(Job::from).collect(), next_cursor: None }))
}

/// Retry a failed or dead job now, its attempts counted afresh (administrators).
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs",
    params(("id" = i64, Path, description = "Job id")),
    responses((status = 200, description = "The job, queued again", body = Job)))]
async fn retry(State(state): State<ApiState>, caller: Caller, Id(id): Id) -> Result<Json<Job>, ApiError> {
    Ok(Json(jobs::retry(&state.db, &caller.access, id).await?.into()))
}
