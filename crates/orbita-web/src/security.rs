//! Protections on every response and every state change: security headers, and CSRF checks
//! (same-origin request plus the session's token) on every POST/PUT/PATCH/DELETE of a page.
//! The API is exempt: it takes bearer tokens, never cookies, so a browser cannot be tricked
//! into sending its credentials.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::session::MaybeSession;

/// Scripts and styles only from our own origin: no inline script can run.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Largest form body read for the CSRF check (forms, not uploads).
pub(crate) const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

pub async fn headers(request: Request, next: Next) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    // Pages carry client data: never keep them in a shared or browser cache.
    if !is_static {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn forbidden(reason: &'static str) -> Response {
    tracing::warn!(reason, "CSRF check refused a request");
    (StatusCode::FORBIDDEN, "This form has expired or came from another site. Reload the page and try again.")
        .into_response()
}

/// Same origin, and the session's CSRF token in the form (`csrf_token`) or the
/// `X-CSRF-Token` header (htmx sends it from the page's meta tag).
pub async fn csrf(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS)
        || request.uri().path().starts_with("/api/")
        // A web form's public post comes from other sites by design, with no session; its own
        // limits guard it (pages::public_form).
        || request.uri().path().starts_with("/f/")
    {
        return next.run(request).await;
    }
    let headers = request.headers();
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|site| site == "cross-site") {
        return forbidden("cross-site request");
    }
    if let (Some(origin), Some(host)) = (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        let origin = origin.to_str().unwrap_or_default();
        let host = host.to_str().unwrap_or_default();
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        if origin_host != host {
            return forbidden("origin does not match host");
        }
    }
    // Before sign-in (the sign-in and set-up forms) there is no session token to compare;
    // the same-origin checks above and SameSite cookies protect those.
    let expected = match request.extensions().get::<MaybeSession>() {
        Some(MaybeSession(Some(session))) => session.csrf_token.clone(),
        _ => return next.run(request).await,
    };
    if let Some(token) = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if constant_time_eq(token, &expected) {
            next.run(request).await
        } else {
            forbidden("bad header token")
        };
    }
    if !is_form(&request) {
        return forbidden("no token");
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response();
    };
    let token = form_urlencoded_value(&bytes, "csrf_token");
    if !token.is_some_and(|t| constant_time_eq(&t, &expected)) {
        return forbidden("bad form token");
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Whether the body is a URL-encoded form (what every page form posts).
pub(crate) fn is_form(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"))
}

fn form_urlencoded_value(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Compares tokens without an early exit, so timing does not reveal a prefix.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd") && !constant_time_eq("abc", "ab"));
        assert_eq!(form_urlencoded_value(b"a=1&csrf_token=x%2By", "csrf_token").as_deref(), Some("x+y"));
    }
}
