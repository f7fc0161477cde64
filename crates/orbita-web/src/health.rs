//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers
//! and takes a write), for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;

use orbita_app::{StorageError, Unavailable};

use crate::AppState;

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if let Err(error) = state.db.ping().await {
        tracing::warn!(%error, "readiness check: database unreachable");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable");
    }
    // Reads alone would say "ready" on a full disk while every write fails.
    match state.db.check_writable().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(StorageError::Unavailable(Unavailable::StorageFull)) => {
            tracing::warn!("readiness check: storage full");
            (StatusCode::SERVICE_UNAVAILABLE, "storage full")
        }
        Err(error) => {
            tracing::warn!(%error, "readiness check: database takes no writes");
            (StatusCode::SERVICE_UNAVAILABLE, "database takes no writes")
        }
    }
}
