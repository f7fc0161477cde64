//! `/api/v1/webhooks`: outgoing webhooks, for administrators — register a URL for events
//! (the signing secret is in the answer to the create, and never again), list, change, delete,
//! and read its delivery log.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use orbita_app::webhooks;
use orbita_domain::webhook::{Delivery as DomainDelivery, Webhook as DomainWebhook, WebhookInput};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::extract::{Body, Id, Params};
use crate::patch;
use crate::problem::ApiError;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, change, delete))
        .routes(routes!(deliveries))
}

/// What a webhook says, as written and read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookWrite {
    /// The receiver: http:// or https://. Loopback and private addresses are refused when
    /// called unless the server runs with `--webhooks-allow-private`.
    #[serde(default)]
    pub url: String,
    /// `company.created`, `company.updated`, `company.deleted` (likewise `contact.`, `deal.`,
    /// `task.`, `activity.`) and `deal.stage_changed`.
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub description: String,
    /// Default `true`. Switching a webhook on again clears its failures.
    pub active: Option<bool>,
}

impl WebhookWrite {
    fn input(&self) -> WebhookInput {
        WebhookInput {
            url: self.url.clone(),
            events: self.events.clone(),
            description: self.description.clone(),
            active: self.active,
        }
    }
}

impl From<&DomainWebhook> for WebhookWrite {
    fn from(h: &DomainWebhook) -> Self {
        WebhookWrite {
            url: h.fields.url.clone(),
            events: h.fields.events.iter().map(|e| e.as_str().to_owned()).collect(),
            description: h.fields.description.clone().unwrap_or_default(),
            active: Some(h.fields.active),
        }
    }
}

/// A webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub description: String,
    pub active: bool,
    /// Failed deliveries in a row.
    pub failures: i64,
    /// When it was switched off after too many failures; `null` while it sends.
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&DomainWebhook> for Webhook {
    fn from(h: &DomainWebhook) -> Self {
        Webhook {
            id: h.id,
            url: h.fields.url.clone(),
            events: h.fields.events.iter().map(|e| e.as_str().to_owned()).collect(),
            description: h.fields.description.clone().unwrap_or_default(),
            active: h.fields.active,
            failures: h.failures,
            disabled_at: h.disabled_at,
            created_at: h.created_at,
            updated_at: h.updated_at,
        }
    }
}

/// A new webhook with its signing secret, shown only now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// Verify `X-Orbita-Signature: t=<unix seconds>,v1=<hex>` as HMAC-SHA256 of `"<t>.<body>"`
    /// with this secret.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<Webhook>,
    /// Always `null`.
    pub next_cursor: Option<String>,
}

/// List webhooks (administrators).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, description = "The webhooks", body = WebhookList)))]
async fn list(State(state): State<ApiState>, caller: Caller) -> Result<Json<WebhookList>, ApiError> {
    let items = webhooks::list(&state.db, &caller.access).await?;
    Ok(Json(WebhookList { items: items.iter().map(Webhook::from).collect(), next_cursor: None }))
}

/// Register a webhook; the answer holds its signing secret, shown this once (administrators).
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = WebhookWrite,
    responses((status = 201, description = "Created, with its secret", body = CreatedWebhook)))]
async fn create(
    State(state): State<ApiState>,
    caller: Caller,
    Body(body): Body<WebhookWrite>,
) -> Result<Response, ApiError> {
    let (hook, secret) =
        webhooks::create(&state.db, &caller.access, &state.config.outbound, &body.input()).await?;
    let created = CreatedWebhook { webhook: Webhook::from(&hook), secret };
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Read a webhook (administrators).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "Webhook id")),
    responses((status = 200, description = "The webhook", body = Webhook)))]
async fn get(State(state): State<ApiState>, caller: Caller, Id(id): Id) -> Result<Json<Webhook>, ApiError> {
    Ok(Json(Webhook::from(&webhooks::get(&state.db, &caller.access, id).await?)))
}

/// Change a webhook: a JSON merge patch (administrators).
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "Webhook id")), request_body = WebhookWrite,
    responses((status = 200, description = "The changed webhook", body = Webhook)))]
async fn change(
    State(state): State<ApiState>,
    caller: Caller,
    Id(id): Id,
    Body(body): Body<Value>,
) -> Result<Json<Webhook>, ApiError> {
    let before = webhooks::get(&state.db, &caller.access, id).await?;
    let merged: WebhookWrite = patch::apply(&WebhookWrite::from(&before), &body)?;
    Ok(Json(Webhook::from(&webhooks::update(&state.db, &caller.access, id, &merged.input()).await?)))
}

/// Delete a webhook with its log (administrators).
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "Webhook id")),
    responses((status = 204, description = "Deleted")))]
async fn delete(State(state): State<ApiState>, caller: Caller, Id(id): Id) -> Result<StatusCode, ApiError> {
    webhooks::delete(&state.db, &caller.access, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One delivery attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub event: String,
    /// The receiver's HTTP status; `null` when it did not answer (see `error`).
    pub status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub delivered_at: DateTime<Utc>,
}

impl From<DomainDelivery> for Delivery {
    fn from(d: DomainDelivery) -> Self {
        Delivery {
            id: d.id,
            event: d.event,
            status: d.status,
            error: d.error,
            duration_ms: d.duration_ms,
            delivered_at: d.delivered_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<Delivery>,
    /// Pass as `cursor` for older ones; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// A webhook's delivery log, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path, description = "Webhook id"), DeliveryQuery),
    responses((status = 200, description = "The latest deliveries", body = DeliveryList)))]
async fn deliveries(
    State(state): State<ApiState>,
    caller: Caller,
    Id(id): Id,
    Params(query): Params<DeliveryQuery>,
) -> Result<Json<DeliveryList>, ApiError> {
    let before = crate::paging::id_cursor(query.cursor.as_deref())?;
    let items = webhooks::deliveries(&state.db, &caller.access, id, before).await?;
    let full = items.len() as u64 == webhooks::DELIVERIES_SHOWN;
    let next_cursor = if full { items.last().map(|d| d.id.to_string()) } else { None };
    Ok(Json(DeliveryList { items: items.into_iter().map(Delivery::from).collect(), next_cursor }))
}
