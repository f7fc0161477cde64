//! `/metrics` in the Prometheus text format: requests by route and status with their latency,
//! the database pools' connections, the job queue's depth by state, job runs and failures by
//! kind, sign-in failures. Each instance answers for itself (a scraper asks every instance);
//! the queue's depth is the database's, the same from any of them.
//!
//! Protected: with `ORBITA_METRICS_TOKEN` set, only `Authorization: Bearer <token>` is
//! answered; without it, only the machine itself (a loopback address). Anyone else gets 404.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;
use crate::session::ClientIp;

/// Latency buckets in seconds: a page is meant to take milliseconds, an export seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The process's recorder, installed once (tests start many routers in one process).
fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("orbita_http_request_duration_seconds".into()), &BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is installed already: ours still renders, only empty.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        }
    })
}

/// Counts and times every request under its route's pattern (`/deals/{id}`, not each id).
pub async fn record(request: Request, next: Next) -> Response {
    recorder();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("orbita_http_requests_total", &labels).increment(1);
    let route_only = [("route", labels[0].1.clone())];
    metrics::histogram!("orbita_http_request_duration_seconds", &route_only)
        .record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<AppState>, ClientIp(ip): ClientIp, headers: HeaderMap) -> Response {
    if !allowed(state.config.metrics_token.as_deref(), ip.as_deref(), &headers) {
        return StatusCode::NOT_FOUND.into_response();
    }
    for pool in state.db.pool_use() {
        let gauge = |state: &'static str, value: f64| {
            metrics::gauge!("orbita_db_pool_connections", "pool" => pool.pool, "state" => state).set(value);
        };
        gauge("open", f64::from(pool.open));
        gauge("idle", pool.idle as f64);
        gauge("max", f64::from(pool.max));
    }
    match orbita_app::jobs::depth(&state.db).await {
        Ok(counts) => {
            // Every state, an empty one at 0: a series that vanishes reads as "no data".
            for job_state in orbita_domain::job::JobState::ALL {
                let count = counts.iter().find(|(s, _)| s == job_state).map_or(0, |(_, n)| *n);
                metrics::gauge!("orbita_jobs_queued", "state" => job_state.as_str()).set(count as f64);
            }
        }
        Err(error) => tracing::warn!(%error, "/metrics: the job queue could not be counted"),
    }
    let mut response = recorder().render().into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}

fn allowed(token: Option<&str>, ip: Option<&str>, headers: &HeaderMap) -> bool {
    match token.filter(|t| !t.is_empty()) {
        Some(token) => headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| crate::security::constant_time_eq(given, token)),
        None => ip.and_then(|ip| ip.parse::<std::net::IpAddr>().ok()).is_some_and(|ip| ip.is_loopback()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_when_set_else_the_machine_itself() {
        let mut with = HeaderMap::new();
        with.insert(AUTHORIZATION, HeaderValue::from_static("Bearer s3cret"));
        assert!(allowed(Some("s3cret"), Some("10.0.0.5"), &with));
        assert!(!allowed(Some("s3cret"), Some("127.0.0.1"), &HeaderMap::new()), "the token, not the address");
        let mut wrong = HeaderMap::new();
        wrong.insert(AUTHORIZATION, HeaderValue::from_static("Bearer s3cre"));
        assert!(!allowed(Some("s3cret"), None, &wrong));
        assert!(allowed(None, Some("127.0.0.1"), &HeaderMap::new()));
        assert!(allowed(None, Some("::1"), &HeaderMap::new()));
        assert!(!allowed(None, Some("192.168.1.20"), &HeaderMap::new()));
        assert!(!allowed(None, None, &HeaderMap::new()));
    }
}
