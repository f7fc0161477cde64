//! `Idempotency-Key` on POST: a client that did not hear the answer can send the same request
//! again and gets the first answer back, with nothing created twice. The key's row is claimed
//! in the database before the request runs (`ON CONFLICT DO NOTHING`), so of two simultaneous
//! requests with one key only one runs; the other waits for its answer. A key reused for a
//! different request (another body or path) is a 422. Keys are kept for a day.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::TimeDelta;
use orbita_app::api_tokens::idempotency::{self, Claim, Replay};
use sha2::{Digest, Sha256};

use crate::ApiState;
use crate::auth::Caller;
use crate::extract::read_body;
use crate::problem::ApiError;

const HEADER: &str = "idempotency-key";
/// A pending key older than this belongs to a request that died: a retry may run again.
const STALE_AFTER: TimeDelta = TimeDelta::minutes(5);
const POLL_EVERY: Duration = Duration::from_millis(50);
/// Response headers worth replaying.
const KEPT_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

pub async fn replay_or_run(State(state): State<ApiState>, request: Request, next: Next) -> Response {
    match run(&state, request, next).await {
        Ok(response) | Err(response) => response,
    }
}

async fn run(state: &ApiState, request: Request, next: Next) -> Result<Response, Response> {
    if request.method() != Method::POST {
        return Ok(next.run(request).await);
    }
    let Some(key) = request.headers().get(HEADER) else { return Ok(next.run(request).await) };
    let key = key
        .to_str()
        .ok()
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| ApiError::bad_request("Idempotency-Key must be 1 to 255 visible ASCII characters"))
        .map_err(IntoResponse::into_response)?
        .to_owned();
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return Err(ApiError::unauthorized().into_response());
    };
    let (parts, body) = request.into_parts();
    let bytes = read_body(body).await.map_err(IntoResponse::into_response)?;
    let hash = request_hash(&parts.uri.to_string(), &bytes);
    let request = Request::from_parts(parts, Body::from(bytes));
    let deadline = Instant::now() + state.config.idempotency_wait;
    loop {
        let claim = idempotency::claim(&state.db, caller.token_id, &key, &hash, STALE_AFTER)
            .await
            .map_err(|e| ApiError::from(e).into_response())?;
        match claim {
            Claim::Run => return Ok(run_and_store(state, caller.token_id, &key, request, next).await),
            Claim::Replay(replay) => return Ok(replayed(replay)),
            Claim::Mismatch => {
                return Err(ApiError::field(
                    "Idempotency-Key",
                    "idempotency-key-reused",
                    "This key was already used for a different request",
                )
                .into_response());
            }
            Claim::Pending if Instant::now() < deadline => tokio::time::sleep(POLL_EVERY).await,
            Claim::Pending => {
                return Err(ApiError::conflict(
                    "idempotency-key-in-progress",
                    "A request with this Idempotency-Key is still running; retry later",
                )
                .with_header(header::RETRY_AFTER, "1")
                .into_response());
            }
        }
    }
}

/// The same request means the same path and the same JSON (member order and whitespace aside).
fn request_hash(uri: &str, body: &[u8]) -> String {
    let canonical = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_vec(&v).ok())
        .unwrap_or_else(|| body.to_vec());
    let mut hasher = Sha256::new();
    hasher.update(uri.as_bytes());
    hasher.update([0]);
    hasher.update(&canonical);
    hex::encode(hasher.finalize())
}

async fn run_and_store(state: &ApiState, token: i64, key: &str, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if status.is_server_error() {
        // Our failure, not the client's: forget the key so that a retry runs again.
        if let Err(error) = idempotency::release(&state.db, token, key).await {
            tracing::error!(%error, "cannot release an idempotency key");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError::internal().into_response();
    };
    let headers = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = parts.headers.get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    let replay =
        Replay { status: status.as_u16(), headers, body: String::from_utf8_lossy(&bytes).into_owned() };
    if let Err(error) = idempotency::complete(&state.db, token, key, &replay).await {
        tracing::error!(%error, "cannot store an idempotent response");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replayed(replay: Replay) -> Response {
    let mut response = Response::new(Body::from(replay.body));
    *response.status_mut() = StatusCode::from_u16(replay.status).unwrap_or(StatusCode::OK);
    for (name, value) in replay.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}
