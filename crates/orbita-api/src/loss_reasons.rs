//! `/api/v1/loss-reasons`: the list a manager picks from when a deal is lost — read by anyone,
//! kept by administrators (create; change with a JSON merge patch: rename, move to one
//! pipeline or all, retire with `"active": false`). A lost deal keeps the reason's words in its
//! `lost_reason`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use orbita_app::loss_reasons;
use orbita_domain::PipelineId;
use orbita_domain::loss_reason::{LossReason as DomainReason, LossReasonInput};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::extract::{Body, Id};
use crate::patch;
use crate::problem::ApiError;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(change))
}

/// A reason as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LossReasonWrite {
    /// The words (at most 100 characters), e.g. `Дорого`.
    #[serde(default)]
    pub name: String,
    /// Offered only in this pipeline; `null`: in every pipeline.
    pub pipeline_id: Option<i64>,
    /// Default `true`; a retired reason is no longer offered.
    pub active: Option<bool>,
}

impl LossReasonWrite {
    fn input(&self) -> LossReasonInput {
        LossReasonInput {
            name: self.name.clone(),
            pipeline_id: self.pipeline_id.map(PipelineId),
            active: self.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LossReason {
    pub id: i64,
    pub name: String,
    pub pipeline_id: Option<i64>,
    pub active: bool,
    /// Its place in its list.
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&DomainReason> for LossReason {
    fn from(r: &DomainReason) -> Self {
        LossReason {
            id: r.id,
            name: r.name.clone(),
            pipeline_id: r.pipeline_id.map(|p| p.0),
            active: r.active,
            position: r.position,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LossReasonList {
    pub items: Vec<LossReason>,
    pub next_cursor: Option<String>,
}

/// The reasons, retired ones too: those for every pipeline first, each list in its order.
#[utoipa::path(get, path = "/api/v1/loss-reasons", tag = "loss-reasons",
    responses((status = 200, description = "The reasons", body = LossReasonList)))]
async fn list(State(state): State<ApiState>, _caller: Caller) -> Result<Json<LossReasonList>, ApiError> {
    let items = loss_reasons::list(&state.db).await?;
    Ok(Json(LossReasonList { items: items.iter().map(LossReason::from).collect(), next_cursor: None }))
}

/// Add a reason at the end of its list (administrators).
#[utoipa::path(post, path = "/api/v1/loss-reasons", tag = "loss-reasons", request_body = LossReasonWrite,
    responses((status = 201, description = "Created", body = LossReason)))]
async fn create(
    State(state): State<ApiState>,
    caller: Caller,
    Body(body): Body<LossReasonWrite>,
) -> Result<Response, ApiError> {
    let reason = loss_reasons::create(&state.db, &caller.access, &body.input()).await?;
    Ok((StatusCode::CREATED, Json(LossReason::from(&reason))).into_response())
}

/// Change a reason: a JSON merge patch (administrators).
#[utoipa::path(patch, path = "/api/v1/loss-reasons/{id}", tag = "loss-reasons",
    params(("id" = i64, Path, description = "Reason id")), request_body = LossReasonWrite,
    responses((status = 200, description = "The changed reason", body = LossReason)))]
async fn change(
    State(state): State<ApiState>,
    caller: Caller,
    Id(id): Id,
    Body(body): Body<Value>,
) -> Result<Json<LossReason>, ApiError> {
    let before = loss_reasons::list(&state.db).await?.into_iter().find(|r| r.id == id);
    let before = before.ok_or(orbita_app::AppError::NotFound)?;
    let written = LossReasonWrite {
        name: before.name.clone(),
        pipeline_id: before.pipeline_id.map(|p| p.0),
        active: Some(before.active),
    };
    let merged: LossReasonWrite = patch::apply(&written, &body)?;
    Ok(Json(LossReason::from(&loss_reasons::update(&state.db, &caller.access, id, &merged.input()).await?)))
}
