//! The session cookie: read once per request by `load_session`, handed to handlers by the
//! `CurrentUser` extractor. The cookie holds a random token; the session itself is in the
//! database, so every instance behind a load balancer accepts it.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use orbita_app::auth::{self, Session};

use crate::AppState;

pub const SESSION_COOKIE: &str = "orbita_session";

/// The request's session, if it has a valid one (set by `load_session`).
#[derive(Clone)]
pub struct MaybeSession(pub Option<Session>);

/// The client's address: the socket's, or the proxy's `X-Forwarded-For` when configured to
/// trust it (never by default: anyone can send that header).
#[derive(Clone, Debug)]
pub struct ClientIp(pub Option<String>);

fn client_ip(state: &AppState, headers: &HeaderMap, socket: Option<SocketAddr>) -> Option<String> {
    if state.config.trust_forwarded_for
        && let Some(forwarded) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(first) = forwarded.split(',').next().map(str::trim).filter(|s| !s.is_empty())
    {
        return Some(first.to_owned());
    }
    socket.map(|s| s.ip().to_string())
}

pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == SESSION_COOKIE && !value.is_empty()).then(|| value.to_owned())
        })
}

/// Authenticates the cookie (if any) once and stores the result for the extractors.
pub async fn load_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    // Static files and health checks need no session: spare the database a query.
    let path = request.uri().path();
    if path.starts_with("/static/") || path == "/healthz" || path == "/readyz" {
        request.extensions_mut().insert(MaybeSession(None));
        return next.run(request).await;
    }
    let socket = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ip = client_ip(&state, request.headers(), socket);
    let session = match session_token(request.headers()) {
        Some(token) => match auth::authenticate(&state.db, &token, ip.clone()).await {
            Ok(session) => session,
            Err(error) => return crate::error::PageError::from(error).into_response(),
        },
        None => None,
    };
    request.extensions_mut().insert(ClientIp(ip));
    request.extensions_mut().insert(MaybeSession(session));
    next.run(request).await
}

/// The signed-in user. Pages without one send the browser to the sign-in page and back.
pub struct CurrentUser(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<MaybeSession>() {
            Some(MaybeSession(Some(session))) => Ok(CurrentUser(session.clone())),
            _ => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let target = format!("/login?next={}", urlencoding_path(next));
                if parts.headers.contains_key("hx-request") {
                    // htmx follows this header with a full page load instead of swapping in a form.
                    let mut response = axum::http::StatusCode::UNAUTHORIZED.into_response();
                    if let Ok(value) = HeaderValue::from_str(&target) {
                        response.headers_mut().insert("hx-redirect", value);
                    }
                    return Err(response);
                }
                Err(Redirect::to(&target).into_response())
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientIp>().cloned().unwrap_or(ClientIp(None)))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<MaybeSession>().cloned().unwrap_or(MaybeSession(None)))
    }
}

/// Percent-encodes a path and query for use as a query value.
fn urlencoding_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The longest `next` followed; a longer one is not a page of ours.
const MAX_NEXT_LEN: usize = 2048;

/// Only a path on this site is followed after sign-in, never another site. Browsers drop tabs
/// and newlines from a `Location` (`/\t/evil.example` becomes `//evil.example`) and read `\`
/// as `/`, and a control character cannot be sent in a header at all; so the path must be
/// visible ASCII only, start with a single `/` and hold no backslash. Anything else is the
/// home page. Checked before sign-in writes anything.
pub fn safe_next(next: Option<&str>) -> String {
    let is_local_path = |path: &str| {
        path.len() <= MAX_NEXT_LEN
            && path.starts_with('/')
            && !path.starts_with("//")
            && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
    };
    match next {
        Some(path) if is_local_path(path) => path.to_owned(),
        _ => "/".to_owned(),
    }
}

/// The `Set-Cookie` value for a new session, or for clearing it (`token = None`).
pub fn session_cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(token) => {
            let max_age = auth::ABSOLUTE_TIMEOUT.num_seconds();
            format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
        }
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/deals?status=open")), "/deals?status=open");
        for bad in [
            "//evil.example/x",
            "https://evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "/\t/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/\0",
            "/ space",
            "/é",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn the_cookie_is_http_only_and_same_site() {
        let cookie = session_cookie(Some("abc"), true);
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.ends_with("; Secure")
        );
        assert!(session_cookie(None, false).contains("Max-Age=0"));
    }
}
