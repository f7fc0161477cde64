//! Orbita's REST API v1: JSON resources under `/api/v1/`, the OpenAPI document at
//! `/api/v1/openapi.json` and its Swagger UI at `/api/docs`. Every request carries a personal
//! API token (`Authorization: Bearer orb_…`) and acts with that user's rights, through the same
//! application services (and the same audit log) as the pages. Handlers parse, call one
//! service and render; they hold no SQL and no rules.

mod activities;
mod auth;
mod automation;
mod calendar;
mod checks;
mod companies;
mod contacts;
mod custom;
mod deals;
mod exports;
mod extract;
mod idempotency;
mod jobs;
mod listing;
mod loss_reasons;
mod notifications;
mod openapi;
mod ownership;
mod paging;
mod patch;
mod pipelines;
mod problem;
mod reports;
mod resource;
mod respond;
mod sales_targets;
mod settings;
mod tasks;
mod users;
mod vocab;
mod web_forms;
mod webhooks;

use std::time::Duration;

use axum::Router;
use axum::middleware::{from_fn_with_state, map_response};
use axum::routing::any;
use orbita_app::Db;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::openapi::ApiDoc;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// How the API behaves: limits, and what to trust about the client's address.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Requests per minute per token, counted in the database across all instances.
    pub rate_limit_per_minute: u32,
    /// How long a retry waits for the first request with the same `Idempotency-Key` to finish
    /// before it is told to try again later (409).
    pub idempotency_wait: Duration,
    /// Take the client address for the audit log from `X-Forwarded-For` (only behind a proxy
    /// that sets it).
    pub trust_forwarded_for: bool,
    /// Webhooks: the key their secrets come from, and whether private addresses may be called.
    pub outbound: orbita_app::webhooks::Outbound,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            rate_limit_per_minute: 600,
            idempotency_wait: Duration::from_secs(10),
            trust_forwarded_for: false,
            outbound: orbita_app::webhooks::Outbound::default(),
        }
    }
}

impl ApiConfig {
    /// The defaults, with the rate limit from `ORBITA_API_RATE_LIMIT` (requests per minute per
    /// token) when it is set to a positive number.
    pub fn from_env() -> Self {
        let limit = std::env::var("ORBITA_API_RATE_LIMIT").ok().and_then(|v| v.trim().parse().ok());
        Self { rate_limit_per_minute: limit.filter(|n| *n > 0).unwrap_or(600), ..Self::default() }
    }

    pub fn trust_forwarded_for(self, trust: bool) -> Self {
        Self { trust_forwarded_for: trust, ..self }
    }

    pub fn outbound(self, outbound: orbita_app::webhooks::Outbound) -> Self {
        Self { outbound, ..self }
    }
}

/// What every API handler reaches.
#[derive(Debug, Clone)]
pub(crate) struct ApiState {
    pub db: Db,
    pub config: ApiConfig,
}

fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(companies::routes())
        .merge(contacts::routes())
        .merge(deals::routes())
        .merge(custom::routes())
        .merge(tasks::routes())
        .merge(activities::routes())
        .merge(pipelines::routes())
        .merge(users::routes())
        .merge(jobs::routes())
        .merge(automation::routes())
        .merge(notifications::routes())
        .merge(webhooks::routes())
        .merge(web_forms::routes())
        .merge(loss_reasons::routes())
        .merge(ownership::routes())
        .merge(sales_targets::routes())
        .merge(reports::routes())
        .merge(settings::routes())
}

/// The whole OpenAPI document, as served at `OPENAPI_PATH`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    openapi::complete(routes().split_for_parts().1)
}

/// The API's routes, ready to merge into the application's router (any state type), with the
/// configuration from the environment (`ApiConfig::from_env`).
pub fn router<S: Clone + Send + Sync + 'static>(db: Db, trust_forwarded_for: bool) -> Router<S> {
    router_with(db, ApiConfig::from_env().trust_forwarded_for(trust_forwarded_for))
}

/// The API's routes with an explicit configuration (tests use a small rate limit).
pub fn router_with<S: Clone + Send + Sync + 'static>(db: Db, config: ApiConfig) -> Router<S> {
    let state = ApiState { db, config };
    let (resources, document) = routes().split_for_parts();
    let document = openapi::complete(document);
    let authenticated: Router = resources
        // Unknown paths under the API answer with a problem document, not the HTML 404 page.
        .route("/api/v1/{*rest}", any(problem::no_such_path))
        // Inner first: the idempotency record needs the caller the token check found.
        .layer(from_fn_with_state(state.clone(), idempotency::replay_or_run))
        .layer(from_fn_with_state(state.clone(), auth::require_token))
        .layer(map_response(problem::explain_bare_errors))
        .with_state(state);
    let docs: Router = SwaggerUi::new("/api/docs").url(OPENAPI_PATH, document).into();
    Router::new().merge(authenticated).merge(docs).with_state(())
}
