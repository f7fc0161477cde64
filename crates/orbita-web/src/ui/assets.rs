//! Static files (CSS, htmx, icons) compiled into the binary, so `orbita serve` needs no
//! directory next to it and never loads anything from a CDN. Pages link them through
//! [`asset_url`], which appends a content hash: a file can then be cached for a year, and a
//! new release still reaches every browser at once.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

#[derive(rust_embed::Embed)]
#[folder = "static/"]
struct Static;

/// The URL prefix every asset is served under.
pub const PREFIX: &str = "/static/";

/// Short content hashes by file name, computed once: pages ask for them on every render.
static HASHES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    Static::iter()
        .filter_map(|name| {
            let file = Static::get(&name)?;
            let hash: String =
                file.metadata.sha256_hash().iter().take(6).map(|b| format!("{b:02x}")).collect();
            Some((name.into_owned(), hash))
        })
        .collect()
});

/// `/static/app.css?v=3f9a…`: the URL to put in a page. A name that is not embedded gets no
/// version (and will answer 404), which a test of the page then catches.
pub fn asset_url(name: &str) -> String {
    match HASHES.get(name) {
        Some(hash) => format!("{PREFIX}{name}?v={hash}"),
        None => format!("{PREFIX}{name}"),
    }
}

/// `GET /static/{*path}`.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new().route("/static/{*path}", get(serve))
}

async fn serve(Path(path): Path<String>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let Some(file) = Static::get(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let hash = HASHES.get(path.as_str()).cloned().unwrap_or_default();
    let etag = format!("\"{hash}\"");
    // Only a URL carrying the current hash may be cached for good; a bare URL (typed by hand,
    // or from an old page) is revalidated so it cannot pin an old file for a year.
    let versioned = query
        .as_deref()
        .is_some_and(|q| q.split('&').any(|pair| pair.strip_prefix("v=") == Some(hash.as_str())));
    let cache = if versioned { "public, max-age=31536000, immutable" } else { "no-cache" };

    let mut response = if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(&etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(file.data.into_owned()))
    };
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, content_type(file.metadata.mimetype()));
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    out.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, value);
    }
    response
}

/// Text types get an explicit charset: the CSS holds Cyrillic in `content:` strings.
fn content_type(mime: &str) -> HeaderValue {
    let text = mime.starts_with("text/") || mime.ends_with("javascript") || mime == "image/svg+xml";
    let value = if text { format!("{mime}; charset=utf-8") } else { mime.to_owned() };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_a_content_hash() {
        let url = asset_url("app.css");
        let hash = url.strip_prefix("/static/app.css?v=").expect("versioned URL");
        assert_eq!(hash.len(), 12);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(asset_url("missing.css"), "/static/missing.css");
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("text/css"), "text/css; charset=utf-8");
        assert_eq!(content_type("image/png"), "image/png");
    }
}
