//! `/f/{key}`: a web form's public side. `GET` is the hosted page (works on a phone, needs no
//! script); `POST` takes a request from that page, from the plain `<form>` a site embeds, or
//! from a site builder's JSON or form-encoded call with its own field names. There is no
//! session here and no CSRF token: a post is not a signed-in user's act. What protects it is
//! the form's own limits: the trap field and the fill time, the posts counted per address and
//! per form in the database, a small body, and CORS only for the form's own sites. Nothing in
//! an answer tells whether the person was already known.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::{ACCEPT, ACCEPT_LANGUAGE, CONTENT_TYPE, HOST, ORIGIN, REFERER, RETRY_AFTER, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use orbita_app::{AppError, web_forms};
use orbita_domain::ValidationErrors;
use orbita_domain::web_form::{self, WebForm};
use serde_json::{Value, json};

use crate::AppState;
use crate::session::ClientIp;
use crate::ui::{Layout, i18n};

/// The largest post taken: a form's answers are a few kilobytes.
const MAX_POST_BYTES: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/f/{key}", get(page).post(post).options(preflight))
        .layer(DefaultBodyLimit::max(MAX_POST_BYTES))
}

/// One box of the hosted page.
struct Box_ {
    name: String,
    label: String,
    kind: &'static str,
    long: bool,
    required: bool,
    value: String,
    error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "public_form/page.html")]
struct FormPage {
    layout: Layout,
    key: String,
    boxes: Vec<Box_>,
    consent: bool,
    /// The words consented to: the form's, or the standard ones.
    consent_text: String,
    consent_error: String,
    /// A refusal no box owns.
    form_error: String,
    opened_at: i64,
    /// Taken: the thank-you text instead of the boxes.
    done: Option<String>,
}

fn locale(headers: &HeaderMap) -> i18n::Locale {
    i18n::negotiate(headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

/// The hosted page; `org`: the organisation's name, shown above the form.
fn render(
    form: &WebForm,
    org: &str,
    headers: &HeaderMap,
    sent: &BTreeMap<String, String>,
    errors: &ValidationErrors,
) -> FormPage {
    let mut layout = Layout::new(locale(headers), form.fields.name.clone());
    layout.org_name = org.to_owned();
    let lang = layout.lang();
    let message = |field: &str| errors.field(field).map(|e| layout.error_message(e)).unwrap_or_default();
    let boxes = form
        .fields
        .fields
        .iter()
        .map(|f| {
            let kind = match f.maps_to.as_string().as_str() {
                "contact.phone" => "tel",
                "contact.email" => "email",
                _ => "text",
            };
            Box_ {
                name: f.name.clone(),
                label: f.label(lang).to_owned(),
                kind,
                long: f.is_long(),
                required: f.required,
                value: sent.get(&f.name).cloned().unwrap_or_default(),
                error: message(&f.name),
            }
        })
        .collect();
    FormPage {
        key: form.key.clone(),
        boxes,
        consent: form.fields.consent,
        consent_text: form.fields.consent_text.clone().unwrap_or_else(|| layout.t("web-form-consent")),
        consent_error: message(web_form::CONSENT),
        form_error: message(""),
        opened_at: orbita_domain::now().timestamp_millis(),
        done: None,
        layout,
    }
}

/// The organisation's name; none when it is still the product's own default or unreadable.
async fn org_name(state: &AppState) -> String {
    let name = orbita_app::setup::settings(&state.db).await.map(|s| s.name).unwrap_or_default();
    if name == "Orbita" { String::new() } else { name }
}

fn not_found(headers: &HeaderMap) -> Response {
    let ru = Layout::new(locale(headers), "").lang() == "ru";
    let text = if ru { "Такой формы нет" } else { "There is no such form" };
    (StatusCode::NOT_FOUND, text).into_response()
}

async fn page(State(state): State<AppState>, Path(key): Path<String>, headers: HeaderMap) -> Response {
    match web_forms::public(&state.db, &key).await {
        Ok(form) => {
            let org = org_name(&state).await;
            render(&form, &org, &headers, &BTreeMap::new(), &ValidationErrors::default()).into_response()
        }
        Err(_) => not_found(&headers),
    }
}

/// The origin a post came from, when it is another site's.
fn foreign_origin(headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(ORIGIN)?.to_str().ok()?;
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    (origin_host != host && origin != "null").then(|| origin.to_owned())
}

/// CORS: the form's own sites may read the answer to their script's post; any other may not.
fn allow(response: &mut Response, form: &WebForm, origin: Option<&str>) {
    let headers = response.headers_mut();
    headers.insert(VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin.filter(|o| form.fields.allowed_origins.iter().any(|a| a == o))
        && let Ok(value) = HeaderValue::from_str(origin)
    {
        headers.insert("access-control-allow-origin", value);
        headers.insert("access-control-allow-methods", HeaderValue::from_static("POST"));
        headers.insert("access-control-allow-headers", HeaderValue::from_static("content-type"));
        headers.insert("access-control-max-age", HeaderValue::from_static("600"));
    }
}

async fn preflight(State(state): State<AppState>, Path(key): Path<String>, headers: HeaderMap) -> Response {
    let Ok(form) = web_forms::public(&state.db, &key).await else { return not_found(&headers) };
    let mut response = StatusCode::NO_CONTENT.into_response();
    allow(&mut response, &form, foreign_origin(&headers).as_deref());
    response
}

/// A post's names and values: JSON (strings, numbers and yes/no taken as typed),
/// `multipart/form-data` (as some site builders send it; attached files are not answers and
/// are passed over) or form-encoded. `None`: it could not be read.
async fn read_body(headers: &HeaderMap, body: &Bytes) -> Option<BTreeMap<String, String>> {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        return read_multipart(content_type, body.clone()).await;
    }
    if content_type.contains("json") {
        let Value::Object(map) = serde_json::from_slice(body).ok()? else { return None };
        let text = |v: Value| match v {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        return Some(map.into_iter().filter_map(|(k, v)| text(v).map(|v| (k, v))).collect());
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    Some(pairs.into_iter().collect())
}

async fn read_multipart(content_type: &str, body: Bytes) -> Option<BTreeMap<String, String>> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    // The body is whole already (64 KB at most): one chunk.
    let chunks = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut parts = multer::Multipart::new(chunks, boundary);
    let mut answers = BTreeMap::new();
    while let Some(part) = parts.next_field().await.ok()? {
        let Some(name) = part.name().filter(|_| part.file_name().is_none()).map(str::to_owned) else {
            continue;
        };
        answers.insert(name, part.text().await.ok()?);
    }
    Some(answers)
}

fn wants_json(headers: &HeaderMap) -> bool {
    let header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).unwrap_or_default();
    header(CONTENT_TYPE).contains("json")
        || (header(ACCEPT).contains("json") && !header(ACCEPT).contains("html"))
}

async fn post(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(form) = web_forms::public(&state.db, &key).await else { return not_found(&headers) };
    let origin = foreign_origin(&headers);
    let mut response = answer(&state, &form, ip.as_deref(), origin.as_deref(), &headers, &body).await;
    allow(&mut response, &form, origin.as_deref());
    response
}

async fn answer(
    state: &AppState,
    form: &WebForm,
    ip: Option<&str>,
    origin: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let json = wants_json(headers);
    let listed = &form.fields.allowed_origins;
    if let Some(origin) = origin
        && !listed.is_empty()
        && !listed.iter().any(|o| o == origin)
    {
        return refusal(json, StatusCode::FORBIDDEN, "This site may not post the form");
    }
    let per_address = state.config.web_form_posts_per_address.unwrap_or(web_forms::POSTS_PER_ADDRESS);
    if let Err(error) = web_forms::admit(&state.db, form, ip, per_address, orbita_domain::now()).await {
        return failure(json, error);
    }
    let Some(mut sent) = read_body(headers, body).await else {
        return refusal(json, StatusCode::BAD_REQUEST, "The form's answers could not be read");
    };
    // A site's own form with no script: the page it was on is the one the browser names.
    if !sent.contains_key(web_form::PAGE)
        && let Some(page) = headers.get(REFERER).and_then(|v| v.to_str().ok()).filter(|_| origin.is_some())
    {
        sent.insert(web_form::PAGE.to_owned(), page.to_owned());
    }
    match web_forms::submit(&state.db, form, &sent, ip).await {
        Ok(accepted) if json => {
            let body =
                json!({"ok": true, "thank_you": accepted.thank_you, "redirect_url": accepted.redirect_url});
            (StatusCode::OK, axum::Json(body)).into_response()
        }
        Ok(accepted) => match accepted.redirect_url {
            Some(url) => Redirect::to(&url).into_response(),
            None => {
                let org = org_name(state).await;
                let mut page = render(form, &org, headers, &BTreeMap::new(), &ValidationErrors::default());
                page.done = Some(accepted.thank_you.unwrap_or_else(|| page.layout.t("web-form-thanks")));
                page.into_response()
            }
        },
        Err(AppError::Invalid(errors)) if json => {
            let body = json!({
                "type": "/problems/validation", "title": "Check the input", "status": 422,
                "errors": errors.0,
            });
            let mut response = (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response();
            response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
            response
        }
        Err(AppError::Invalid(errors)) => {
            let org = org_name(state).await;
            (StatusCode::UNPROCESSABLE_ENTITY, render(form, &org, headers, &sent, &errors)).into_response()
        }
        Err(error) => failure(json, error),
    }
}

fn refusal(json: bool, status: StatusCode, detail: &str) -> Response {
    if json {
        let body = json!({"type": "about:blank", "title": detail, "status": status.as_u16()});
        return (status, axum::Json(body)).into_response();
    }
    (status, detail.to_owned()).into_response()
}

fn failure(json: bool, error: AppError) -> Response {
    match error {
        AppError::Quota(quota) => {
            let mut response =
                refusal(json, StatusCode::TOO_MANY_REQUESTS, "Too many requests; try again later");
            if let Ok(value) = HeaderValue::from_str(&quota.retry_after_seconds().to_string()) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            response
        }
        AppError::NotFound => refusal(json, StatusCode::NOT_FOUND, "There is no such form"),
        other => {
            tracing::error!(error = %other, "a web form's post failed");
            refusal(json, StatusCode::SERVICE_UNAVAILABLE, "The request could not be saved; try again")
        }
    }
}
