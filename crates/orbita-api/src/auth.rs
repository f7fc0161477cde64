//! Bearer tokens: every API request names a personal token and acts with its user's rights.
//! Unknown, revoked or expired tokens are 401; a token over its per-minute limit is 429 with
//! `Retry-After`; a read-only token that asks to change something is 403 `token-read-only`.
//! The scope is enforced here, once, so that no handler can forget it. Cookies are never read
//! here, so a browser cannot be tricked into sending credentials to the API (which is why it
//! needs no CSRF check).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use orbita_app::Access;
use orbita_app::api_tokens::{self, Authenticated, TokenScope};

use crate::ApiState;
use crate::problem::ApiError;

/// Who is calling: the token and its user's rights.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: i64,
    pub access: Arc<Access>,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

fn client_ip(state: &ApiState, request: &Request) -> Option<String> {
    if state.config.trust_forwarded_for
        && let Some(forwarded) = request.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(first) = forwarded.split(',').next().map(str::trim).filter(|s| !s.is_empty())
    {
        return Some(first.to_owned());
    }
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
}

/// Reading methods are allowed to every token; anything else (POST, PUT, PATCH, DELETE, and
/// methods we do not know) changes data or might, so it needs a read-write token.
fn scope_allows(scope: TokenScope, method: &Method) -> bool {
    scope.allows_writes() || matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Authenticates the bearer token and counts the request against the token's limit.
pub async fn require_token(State(state): State<ApiState>, mut request: Request, next: Next) -> Response {
    let Some(secret) = bearer(request.headers()) else { return ApiError::unauthorized().into_response() };
    let ip = client_ip(&state, &request);
    let outcome = api_tokens::authenticate(&state.db, secret, ip, state.config.rate_limit_per_minute).await;
    match outcome {
        Ok(Authenticated::Valid { scope, .. }) if !scope_allows(scope, request.method()) => {
            ApiError::token_read_only().into_response()
        }
        Ok(Authenticated::Valid { token_id, access, .. }) => {
            request.extensions_mut().insert(Caller { token_id, access: Arc::new(access) });
            next.run(request).await
        }
        Ok(Authenticated::Unknown) => ApiError::unauthorized().into_response(),
        Ok(Authenticated::Expired) => ApiError::token_expired().into_response(),
        Ok(Authenticated::Limited { retry_after_secs }) => {
            ApiError::too_many_requests(retry_after_secs).into_response()
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(ApiError::unauthorized)
    }
}
