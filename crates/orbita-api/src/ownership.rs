//! `POST /api/v1/ownership-transfers`: hands everything of some kinds a user owns to another
//! user, in one transaction, with an `owner_change` audit event per record. For a head of
//! sales (within their group) and an administrator; the same service as the admin page.

use axum::Json;
use axum::extract::State;
use orbita_app::ownership::{self, OwnedKind, TransferRequest};
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

impl From<Kind> for OwnedKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Companies => OwnedKind::Companies,
            Kind::Contacts => OwnedKind::Contacts,
            Kind::Deals => OwnedKind::Deals,
            Kind::Tasks => OwnedKind::Tasks,
        }
    }
}

impl From<OwnedKind> for Kind {
    fn from(kind: OwnedKind) -> Self {
        match kind {
            OwnedKind::Companies => Kind::Companies,
            OwnedKind::Contacts => Kind::Contacts,
            OwnedKind::Deals => Kind::Deals,
            OwnedKind::Tasks => Kind::Tasks,
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
        kinds: body.kinds.iter().map(|k| OwnedKind::from(*k)).collect(),
        open_only: body.open_only,
    };
    let counts = ownership::transfer(&state.db, &caller.access, &request).await?;
    Ok(Json(Transfer {
        from_user_id: body.from_user_id,
        to_user_id: body.to_user_id,
        moved: counts.into_iter().map(|(kind, count)| Moved { kind: kind.into(), count }).collect(),
    }))
}
