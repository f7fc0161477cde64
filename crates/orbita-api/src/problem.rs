//! Errors as RFC 9457 problem details (`application/problem+json`). Everything a client can
//! send wrong ends here with a 4xx and a reason; only our own failures are a 500, and their
//! details go to the log, never into the response.

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orbita_app::{AppError, Quota, Unavailable};
use orbita_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Identifies the kind of problem: `urn:orbita:problem:<code>`.
    #[schema(example = "urn:orbita:problem:validation")]
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// For 422: every rejected field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One rejected field of a 422.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field (a body member such as `inn`, `phones[1]`, or a query parameter).
    pub field: String,
    /// English text for people.
    pub message: String,
    /// A stable machine-readable key, such as `inn-check-digits` or `required`.
    pub code: String,
}

impl From<FieldError> for FieldProblem {
    fn from(e: FieldError) -> Self {
        Self { field: e.field, message: e.message, code: e.code.to_owned() }
    }
}

/// An error answer of any handler or middleware of the API.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
    errors: Vec<FieldProblem>,
    headers: Vec<(HeaderName, String)>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, title, detail: detail.into(), errors: Vec::new(), headers: Vec::new() }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request", detail)
    }

    pub fn malformed_json(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed-json", "Malformed JSON", detail)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            "Send a valid API token: Authorization: Bearer <token>",
        )
        .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"orbita\"")
    }

    /// A token past its expiry: a 401 like an unknown token, saying why so that its owner
    /// knows to make a new one rather than look for a typo.
    pub fn token_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "token-expired",
            "The token has expired",
            "This API token is past its expiry date: create a new one",
        )
        .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"orbita\", error=\"invalid_token\"")
    }

    /// A read-only token asked to change something.
    pub fn token_read_only() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "token-read-only",
            "The token is read-only",
            "This API token may only read (GET, HEAD, OPTIONS): use a read-write token to change data",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", "Your role does not allow this")
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "There is no such record, or you cannot see it",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            "This resource does not support this method",
        )
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, "Conflict", detail)
    }

    pub fn precondition_failed() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            "Precondition failed",
            "The record was changed since the version in If-Match: read it again and reapply your change",
        )
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
            format!("The body is larger than {limit} bytes"),
        )
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "Send the body as application/json (Content-Type: application/json)",
        )
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            format!("This token's request limit per minute is used up; retry in {retry_after_secs} s"),
        )
        .with_header(header::RETRY_AFTER, retry_after_secs.to_string())
    }

    /// A per-user allowance is used up (e.g. exports a day).
    pub fn quota(quota: Quota) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, quota.code(), "Limit reached", quota.to_string())
            .with_header(header::RETRY_AFTER, quota.retry_after_seconds().to_string())
    }

    /// The database cannot take the request now; nothing was written.
    pub fn unavailable(reason: Unavailable) -> Self {
        let (code, title, detail) = match reason {
            Unavailable::StorageFull => (
                "storage-full",
                "Storage full",
                "The server's disk is full: nothing was written; retry once space is freed",
            ),
            Unavailable::Busy => ("busy", "Database busy", "Nothing was written; retry in a few seconds"),
        };
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code, title, detail).with_header(header::RETRY_AFTER, "5")
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal server error",
            "Something went wrong on our side; it was logged",
        )
    }

    /// A 422 with the rejected fields.
    pub fn invalid(errors: ValidationErrors) -> Self {
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Validation failed",
            "Some fields were rejected; see errors",
        );
        error.errors = errors.0.into_iter().map(FieldProblem::from).collect();
        error
    }

    /// A 422 on one field.
    pub fn field(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self::invalid(FieldError::new(field, code, message).into())
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:orbita:problem:{}", self.code),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Invalid(errors) => ApiError::invalid(errors),
            AppError::NotFound => ApiError::not_found(),
            AppError::Forbidden => ApiError::forbidden(),
            AppError::Stale => ApiError::precondition_failed(),
            AppError::Quota(quota) => ApiError::quota(quota),
            AppError::Unavailable(reason) => {
                tracing::warn!(%reason, "API request refused: database unavailable");
                ApiError::unavailable(reason)
            }
            AppError::ReferenceGone => ApiError::conflict(
                "reference-gone",
                "A record this one refers to was deleted meanwhile: check its ids and retry",
            ),
            other => {
                tracing::error!(error = %other, "API request failed");
                ApiError::internal()
            }
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::invalid(errors)
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        ApiError::invalid(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.problem())).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        response
    }
}

/// `/api/v1/…` paths that do not exist.
pub async fn no_such_path() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no-such-path", "Not found", "There is no such API path")
}

/// Errors that axum answers by itself without a body (a method the path does not support)
/// become problem documents too.
pub async fn explain_bare_errors(response: Response) -> Response {
    let bare = response.status().is_client_error() && !response.headers().contains_key(header::CONTENT_TYPE);
    match response.status() {
        StatusCode::METHOD_NOT_ALLOWED if bare => {
            let allow = response.headers().get(header::ALLOW).cloned();
            let mut problem = ApiError::method_not_allowed().into_response();
            if let Some(allow) = allow {
                problem.headers_mut().insert(header::ALLOW, allow);
            }
            problem
        }
        _ => response,
    }
}
