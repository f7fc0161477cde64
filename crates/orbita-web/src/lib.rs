//! Orbita's HTTP delivery: the router for pages, the API and health checks. Handlers parse
//! the request, call one application service and render; they hold no SQL and no rules.

mod bad_input;
pub mod error;
mod health;
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
use tokio::net::TcpListener;

/// How this instance is deployed.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` (set when users reach Orbita over HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
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

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(ui::routes())
        .merge(pages::routes())
        .merge(orbita_api::router(state.db.clone(), state.config.trust_forwarded_for))
        // Outermost last: headers wrap everything; the session is loaded before the CSRF check.
        .layer(from_fn(bad_input::refuse_nul))
        .layer(from_fn(security::csrf))
        .layer(from_fn_with_state(state.clone(), session::load_session))
        .layer(from_fn(security::headers))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
