//! Orbita's HTTP delivery for people: the router for pages and health checks, with the layers
//! (security headers, session, CSRF, bad input) that wrap every route, the API's included
//! (the binary hands its routes in). Handlers parse the request, call one application
//! service and render; they hold no SQL and no rules.

mod bad_input;
pub mod error;
mod health;
mod metrics;
pub mod pages;
pub mod security;
pub mod session;
pub mod ui;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use orbita_app::Db;
use orbita_app::webhooks::Outbound;
use tokio::net::TcpListener;

/// How this instance is deployed.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` (set when users reach Orbita over HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// Webhooks: the key their secrets come from, and whether private addresses may be called.
    pub outbound: orbita_app::webhooks::Outbound,
    /// Posts one address may send to the web forms in a window; `None`: the default.
    pub web_form_posts_per_address: Option<i64>,
    /// The bearer token `/metrics` asks for; `None`: only the machine itself may read it.
    pub metrics_token: Option<String>,
}

/// What every handler can reach. Cheap to clone; no per-instance state, so any number of
/// instances can serve one database.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub config: WebConfig,
}

impl AppState {
    pub fn new(db: Db) -> Self {
        Self { db, config: WebConfig::default() }
    }
}

/// The worker's configuration with the pages' way of writing queued exports: an instance (or
/// an `orbita worker`) that writes exports needs it.
pub fn with_exports(outbound: Outbound, state: AppState) -> Outbound {
    outbound.with_exports(std::sync::Arc::new(pages::export_jobs::ExportPlanner::new(state)))
}

/// Runs the jobs due now, exports included, as a server's worker would (tests drive the queue
/// with it instead of starting a worker).
pub async fn run_due_jobs(db: &Db) -> usize {
    let outbound = with_exports(Outbound::default(), AppState::new(db.clone()));
    orbita_app::jobs::run_due_with(db, "test-worker", &outbound, orbita_domain::now()).await.unwrap_or(0)
}

/// The pages, the health checks and `more` (the API's routes), under the common layers.
pub fn router(state: AppState, more: Router<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::scrape))
        .merge(ui::routes())
        .merge(pages::routes())
        .merge(more)
        // Outermost last: headers wrap everything; the session is loaded before the CSRF check.
        .layer(from_fn(bad_input::refuse_nul))
        .layer(from_fn(security::csrf))
        .layer(from_fn_with_state(state.clone(), error::frame))
        .layer(from_fn_with_state(state.clone(), session::load_session))
        .layer(from_fn(security::headers))
        .layer(from_fn(metrics::record))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    more: Router<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state, more).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
