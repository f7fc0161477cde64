//! Extractors whose rejections are problem documents: a JSON body (415 for another content
//! type, 400 for broken JSON, 422 naming the field for JSON of the wrong shape), query
//! parameters and path ids (400), and the `If-Match` precondition.

use axum::body::Body as HttpBody;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use orbita_domain::{FieldError, ValidationErrors};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::problem::ApiError;

/// The largest request body read.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON body deserialized into `T`.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        let value = json_value(request).await?;
        from_json(value).map(Body)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    // `application/json`, and `application/merge-patch+json` or any other `+json` type.
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads the body as JSON, refusing other content types, broken JSON and NUL characters.
pub async fn json_value(request: Request<HttpBody>) -> Result<Value, ApiError> {
    if !is_json(request.headers()) {
        return Err(ApiError::unsupported_media_type());
    }
    let bytes = read_body(request.into_body()).await?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| ApiError::malformed_json(e.to_string()))?;
    reject_nul(&value, String::new())?;
    Ok(value)
}

/// The body's bytes, up to `MAX_BODY_BYTES`.
pub async fn read_body(body: HttpBody) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|e| {
        let too_large = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
            .any(|e| e.to_string().contains("length limit"));
        if too_large {
            ApiError::payload_too_large(MAX_BODY_BYTES)
        } else {
            ApiError::bad_request("The request body could not be read")
        }
    })
}

/// Text with NUL characters cannot be stored (PostgreSQL refuses them): a 422 on the field.
fn reject_nul(value: &Value, path: String) -> Result<(), ApiError> {
    match value {
        Value::String(s) if s.contains('\0') => Err(ApiError::field(
            if path.is_empty() { "body".to_owned() } else { path },
            "nul-character",
            "Text cannot contain NUL characters",
        )),
        Value::Array(items) => {
            items.iter().enumerate().try_for_each(|(i, item)| reject_nul(item, format!("{path}[{i}]")))
        }
        Value::Object(members) => members.iter().try_for_each(|(name, item)| {
            if name.contains('\0') {
                return Err(ApiError::bad_request("Member names cannot contain NUL characters"));
            }
            reject_nul(item, if path.is_empty() { name.clone() } else { format!("{path}.{name}") })
        }),
        _ => Ok(()),
    }
}

/// Deserializes parsed JSON into `T`; a mismatch is a 422 naming the field.
pub fn from_json<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner().to_string();
        let (field, code) = match backticked(&inner) {
            Some(name) if inner.starts_with("missing field") => (name, "required"),
            Some(name) if inner.starts_with("unknown field") => (join_path(&path, &name), "unknown-field"),
            _ => (path, "invalid-type"),
        };
        let field = if field == "." { "body".to_owned() } else { field };
        let message = match code {
            "required" => "Fill in this field".to_owned(),
            "unknown-field" => "There is no such field (or it cannot be written)".to_owned(),
            _ => first_clause(&inner),
        };
        ApiError::invalid(ValidationErrors::from(FieldError::new(field, code, message)))
    })
}

/// The first `` `name` `` in a serde message.
fn backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

fn join_path(path: &str, name: &str) -> String {
    if path == "." || path.is_empty() || path == name || path.ends_with(&format!(".{name}")) {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// serde's message up to its position note ("… at line 1 column 9").
fn first_clause(message: &str) -> String {
    message.split(" at line ").next().unwrap_or(message).to_owned()
}

/// Query parameters deserialized into `T`; an unreadable query is a 400.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|_| ApiError::bad_request("The query string is not valid URL encoding"))?;
        if let Some((name, _)) = pairs.iter().find(|(n, v)| n.contains('\0') || v.contains('\0')) {
            return Err(ApiError::bad_request(format!("Query parameter {name:?} contains a NUL character")));
        }
        // Empty values (`?owner_id=`) mean "no filter", as in the UI's list URLs.
        let pairs: Vec<(String, String)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let encoded = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        serde_urlencoded::from_str(&encoded)
            .map(Params)
            .map_err(|e| ApiError::bad_request(format!("Bad query parameter: {e}")))
    }
}

/// The record id in the path (`/companies/{id}`).
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<i64>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(Id(id)),
            Err(_) => Err(ApiError::bad_request("The id in the path must be an integer")),
        }
    }
}

/// The `If-Match` header: which versions of the record the client's change was based on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// No header (or `*`): the change applies to whatever the current version is.
    Any,
    /// Entity tags (`"3"`, `W/"3"`); one that is no version number never matches.
    Versions(Vec<i64>),
}

impl IfMatch {
    pub fn from_headers(headers: &HeaderMap) -> IfMatch {
        let values: Vec<&str> = headers
            .get_all(header::IF_MATCH)
            .iter()
            .map(|v| v.to_str().unwrap_or("\"invalid\""))
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() || values.contains(&"*") {
            return IfMatch::Any;
        }
        IfMatch::Versions(
            values
                .iter()
                .filter_map(|tag| tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"').parse().ok())
                .collect(),
        )
    }

    pub fn is_any(&self) -> bool {
        matches!(self, IfMatch::Any)
    }

    /// Refuses (412) when the record's current version is not one the client named.
    pub fn check(&self, current: i64) -> Result<(), ApiError> {
        match self {
            IfMatch::Versions(versions) if !versions.contains(&current) => {
                Err(ApiError::precondition_failed())
            }
            _ => Ok(()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(IfMatch::from_headers(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn if_match_reads_strong_weak_and_any() {
        let mut headers = HeaderMap::new();
        assert_eq!(IfMatch::from_headers(&headers), IfMatch::Any);
        headers.insert(header::IF_MATCH, HeaderValue::from_static("\"3\", W/\"4\""));
        let tags = IfMatch::from_headers(&headers);
        assert_eq!(tags, IfMatch::Versions(vec![3, 4]));
        assert!(tags.check(4).is_ok() && tags.check(5).is_err());
        headers.insert(header::IF_MATCH, HeaderValue::from_static("\"abc\""));
        assert!(IfMatch::from_headers(&headers).check(1).is_err());
        headers.insert(header::IF_MATCH, HeaderValue::from_static("*"));
        assert_eq!(IfMatch::from_headers(&headers), IfMatch::Any);
    }

    #[test]
    fn shape_errors_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            name: String,
            phones: Vec<String>,
        }
        let problem = |v: Value| from_json::<T>(v).expect_err("rejected").problem();
        let missing = problem(serde_json::json!({"phones": []}));
        assert_eq!((missing.errors[0].field.as_str(), missing.errors[0].code.as_str()), ("name", "required"));
        let wrong = problem(serde_json::json!({"name": "x", "phones": ["a", 5]}));
        assert_eq!(wrong.errors[0].field, "phones[1]");
        let unknown = problem(serde_json::json!({"name": "x", "phones": [], "nmae": 1}));
        assert_eq!(
            (unknown.errors[0].field.as_str(), unknown.errors[0].code.as_str()),
            ("nmae", "unknown-field")
        );
    }
}
