//! `POST /api/v1/ownership-transfers`: hands everything of some kinds a user owns to another
//! user, in one transaction, with an `owner_change` audit event per record. For a head of
//! sales (within their group) and an administrator; the same service as the admin page.

use axum::Json;
use axum::extract::State;
use orbita_app::ownership::{self, RecordKind, TransferRequest};
use orbita_domain::{FieldError, UserId, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::extract::Body;
use crate::problem::ApiError;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new().routes(routes!(transfer))
}

/// What kinds of records a transfer moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Companies,
    Contacts,
    Deals,
    Tasks,
}

impl From<Kind> for RecordKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Companies => RecordKind::Company,
            Kind::Contacts => RecordKind::Contact,
            Kind::Deals => RecordKind::Deal,
            Kind::Tasks => RecordKind::Task,
        }
    }
}

impl Kind {
    /// The API's name of a kind a hand-over moves; `None` for one it never moves.
    fn of(kind: RecordKind) -> Option<Kind> {
        match kind {
            RecordKind::Company => Some(Kind::Companies),
            RecordKind::Contact => Some(Kind::Contacts),
            RecordKind::Deal => Some(Kind::Deals),
            RecordKind::Task => Some(Kind::Tasks),
            RecordKind::Activity => None,
        }
    }
}

/// Everything of `kinds` that `from_user_id` owns (tasks: is assigned) goes to `to_user_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferWrite {
    pub from_user_id: i64,
    pub to_user_id: i64,
    #[schema(min_items = 1)]
    pub kinds: Vec<Kind>,
    /// Only deals still open and tasks not done (companies and contacts move all the same).
    #[serde(default)]
    pub open_only: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Moved {
    pub kind: Kind,
    /// How many records changed hands.
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Transfer {
    pub from_user_id: i64,
    pub to_user_id: i64,
    pub moved: Vec<Moved>,
}

/// Transfer ownership in bulk.
#[utoipa::path(post, path = "/api/v1/ownership-transfers", tag = "ownership",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body return the first response",
        min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = TransferWrite,
    responses((status = 200, description = "Done: how many records of each kind moved", body = Transfer)))]
async fn transfer(
    State(state): State<ApiState>,
    caller: Caller,
    Body(body): Body<TransferWrite>,
) -> Result<Json<Transfer>, ApiError> {
    if body.kinds.is_empty() {
        let errors: ValidationErrors =
            FieldError::new("kinds", "kinds-empty", "Choose what to hand over").into();
        return Err(errors.into());
    }
    let request = TransferRequest {
        from: UserId(body.from_user_id),
        to: UserId(body.to_user_id),
        kinds: body.kinds.iter().map(|k| RecordKind::from(*k)).collect(),
        open_only: body.open_only,
    };
    let counts = ownership::transfer(&state.db, &caller.access, &request).await?;
    Ok(Json(Transfer {
        from_user_id: body.from_user_id,
        to_user_id: body.to_user_id,
        moved: counts
            .into_iter()
            .filter_map(|(kind, count)| Kind::of(kind).map(|kind| Moved { kind, count }))
            .collect(),
    }))
}
