//! `/api/v1/pipelines`: the sales pipelines with their stages, in board order: what a client
//! needs to create deals at a stage and to move them.

use axum::Json;
use axum::extract::State;
use orbita_app::deals;
use orbita_domain::pipeline::Stage as DomainStage;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::problem::ApiError;
use crate::vocab::StageKind;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Pipeline {
    pub id: i64,
    pub name_ru: String,
    pub name_en: String,
    /// New deals go here unless told otherwise.
    pub is_default: bool,
    pub position: i32,
    /// In board order.
    pub stages: Vec<Stage>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stage {
    pub id: i64,
    pub name_ru: String,
    pub name_en: String,
    pub kind: StageKind,
    /// 0–100: the chance that a deal at this stage is won.
    #[schema(minimum = 0, maximum = 100)]
    pub probability: u8,
    pub position: i32,
}

impl From<&DomainStage> for Stage {
    fn from(s: &DomainStage) -> Self {
        Stage {
            id: s.id.0,
            name_ru: s.name_ru.clone(),
            name_en: s.name_en.clone(),
            kind: s.kind.into(),
            probability: s.probability,
            position: s.position,
        }
    }
}

/// All pipelines; never paged (an organisation has a few).
#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineList {
    pub items: Vec<Pipeline>,
    /// Always `null`: one page holds them all.
    pub next_cursor: Option<String>,
}

/// List pipelines and their stages.
#[utoipa::path(get, path = "/api/v1/pipelines", tag = "pipelines",
    responses((status = 200, description = "Every pipeline with its stages", body = PipelineList)))]
async fn list(State(state): State<ApiState>, _caller: Caller) -> Result<Json<PipelineList>, ApiError> {
    let (pipelines, stages) = deals::pipelines_and_stages(&state.db).await?;
    let items = pipelines
        .into_iter()
        .map(|p| Pipeline {
            stages: stages.iter().filter(|s| s.pipeline_id == p.id).map(Stage::from).collect(),
            id: p.id.0,
            name_ru: p.name_ru,
            name_en: p.name_en,
            is_default: p.is_default,
            position: p.position,
        })
        .collect();
    Ok(Json(PipelineList { items, next_cursor: None }))
}
