//! Orbita's HTTP delivery: the router for pages, the API and health checks. Handlers parse
//! the request, call one application service and render; they hold no SQL and no rules.

mod health;
pub mod ui;

use std::future::Future;

use axum::Router;
use axum::routing::get;
use orbita_app::Db;
use tokio::net::TcpListener;

/// What every handler can reach. Cheap to clone; no per-instance state, so any number of
/// instances can serve one database.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(ui::routes())
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
