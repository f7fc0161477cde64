//! An in-process browser for page tests: keeps the session cookie, reads the CSRF token from
//! pages, posts forms. Requests go through the real router (`tower::ServiceExt::oneshot`).

#![allow(dead_code)] // Each test binary uses its own part of this module.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use orbita_app::{RequestContext, setup, users};
use orbita_storage::Db;
use orbita_web::{AppState, router};
use tower::ServiceExt;

pub const PASSWORD: &str = "a good long password";

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Response {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

pub struct Browser {
    app: Router,
    /// The server's database: tests run its job queue, as a server's worker would.
    pub db: Db,
    cookie: Option<String>,
    csrf: Option<String>,
    /// The client address the server sees (through a trusted `X-Forwarded-For`).
    address: Option<String>,
}

/// The pages with the API beside them, as the binary composes them.
fn app(state: AppState) -> Router {
    let api = orbita_api::router(state.db.clone(), state.config.trust_forwarded_for);
    router(state, api)
}

impl Browser {
    pub fn new(db: &Db) -> Browser {
        Browser {
            db: db.clone(),
            app: app(AppState::new(db.clone())),
            cookie: None,
            csrf: None,
            address: None,
        }
    }

    /// A browser of a server configured as given (webhooks' key).
    pub fn with_config(db: &Db, config: orbita_web::WebConfig) -> Browser {
        let state = AppState { db: db.clone(), config };
        Browser { db: state.db.clone(), app: app(state), cookie: None, csrf: None, address: None }
    }

    /// A browser at a given address, behind a proxy the server trusts to name it.
    pub fn at_address(db: &Db, address: &str) -> Browser {
        let mut state = AppState::new(db.clone());
        state.config.trust_forwarded_for = true;
        Browser {
            db: state.db.clone(),
            app: app(state),
            cookie: None,
            csrf: None,
            address: Some(address.to_owned()),
        }
    }

    pub async fn send(&mut self, request: Request<Body>) -> Response {
        let response = self.app.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(set) = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
            let value = set.split(';').next().unwrap_or_default().to_owned();
            self.cookie =
                value.strip_prefix("orbita_session=").filter(|v| !v.is_empty()).map(|_| value.clone());
        }
        let body = String::from_utf8_lossy(&response.into_body().collect().await.expect("body").to_bytes())
            .into_owned();
        if let Some(token) = hidden_value(&body, "csrf_token") {
            self.csrf = Some(token);
        }
        Response { status, headers, body }
    }

    /// A request with this browser's cookie and address, for a test that sets its own headers.
    pub fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut builder = Request::builder().method(method).uri(path).header(header::HOST, "localhost");
        if let Some(cookie) = &self.cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        if let Some(address) = &self.address {
            builder = builder.header("x-forwarded-for", address);
        }
        builder
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let request = self.request("GET", path).body(Body::empty()).expect("request");
        self.send(request).await
    }

    /// A GET as htmx makes it (`hx-request`): the answer is a fragment, not a page.
    pub async fn get_fragment(&mut self, path: &str) -> Response {
        let request =
            self.request("GET", path).header("hx-request", "true").body(Body::empty()).expect("request");
        self.send(request).await
    }

    /// Posts a form with the CSRF token of the last page seen added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut fields: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone().unwrap_or_default();
        fields.push(("csrf_token", &csrf));
        self.post_raw(path, &fields).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = serde_urlencoded::to_string(fields).expect("form");
        let request = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// Signs in through the form; the session cookie is kept for later requests.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Response {
        self.get("/login").await;
        let response = self.post_raw("/login", &[("email", email), ("password", password)]).await;
        // The next page seen carries the session's CSRF token.
        if response.status.is_redirection() {
            self.get("/account/password").await;
        }
        response
    }

    pub fn signed_in(&self) -> bool {
        self.cookie.is_some()
    }
}

/// The `value` of the first hidden input with this name.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// A bootstrapped database with one user of the given role.
pub async fn with_user(db: &Db, email: &str, role: &str) -> orbita_domain::UserId {
    setup::bootstrap(db).await.expect("bootstrap");
    users::create_user(db, &RequestContext::system(), email, email, role, PASSWORD).await.expect("user")
}
