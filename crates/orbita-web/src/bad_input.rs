//! The rule for text at the edge, the same as the API's: a NUL character cannot be stored
//! (PostgreSQL refuses it in text) and no person types one, so a page request carrying one in
//! its query or form is refused with a 400 before any handler sees it — never a 500 from the
//! database, never a value SQLite keeps and the API would refuse.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::PageError;
use crate::security::{MAX_FORM_BYTES, is_form};

pub async fn refuse_nul(request: Request, next: Next) -> Response {
    // The API answers in problem JSON, field by field, from its own extractors.
    if request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    if request.uri().query().is_some_and(|query| has_nul(query.as_bytes())) {
        return refused();
    }
    if !is_form(&request) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return PageError::TooLarge.into_response();
    };
    if has_nul(&bytes) {
        return refused();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn refused() -> Response {
    tracing::info!("a request with a NUL character refused");
    PageError::BadInput("NUL").into_response()
}

/// Whether URL-encoded text decodes to a NUL anywhere: `%00`, or a raw zero byte.
fn has_nul(encoded: &[u8]) -> bool {
    encoded.contains(&0) || encoded.windows(3).any(|w| w == b"%00")
}

#[cfg(test)]
mod tests {
    use super::has_nul;

    #[test]
    fn finds_encoded_and_raw_nul_only() {
        for text in ["q=%00", "q=a%00b", "%00=x", "q=%%00", "q=\0"] {
            assert!(has_nul(text.as_bytes()), "{text:?}");
        }
        for text in ["", "q=%2500", "q=0", "q=%20%30%30", "q=%0"] {
            assert!(!has_nul(text.as_bytes()), "{text:?}");
        }
    }
}
