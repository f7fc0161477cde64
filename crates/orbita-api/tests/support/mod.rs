//! An in-process API client: requests go through the real router (`tower::ServiceExt::oneshot`)
//! with a bearer token; people with built-in roles and their tokens are made through the
//! application services, as the CLI does.

#![allow(dead_code)] // Each test binary uses its own part of this module.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use orbita_api::{ApiConfig, router_with};
use orbita_app::api_tokens::TokenInput;
use orbita_app::{RequestContext, api_tokens, setup, users};
use orbita_domain::UserId;
use orbita_storage::Db;
use serde_json::Value;
use tower::ServiceExt;

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Response {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    pub fn id(&self) -> i64 {
        self.body["id"].as_i64().unwrap_or_else(|| panic!("no id in {}", self.body))
    }

    /// The `field` of every error of a problem document.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    pub fn error_codes(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["code"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    /// Asserts the status, and that an error is a problem document with that status.
    pub fn expect(self, status: StatusCode) -> Self {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        if status.is_client_error() {
            assert_eq!(self.header("content-type"), "application/problem+json");
            assert_eq!(self.body["status"].as_u64(), Some(u64::from(status.as_u16())), "{}", self.body);
            assert!(
                self.body["type"].is_string()
                    && self.body["title"].is_string()
                    && self.body["detail"].is_string()
            );
        }
        self
    }
}

/// A client of one router, sending one token.
#[derive(Clone)]
pub struct Client {
    pub app: Router,
    pub token: Option<String>,
}

impl Client {
    pub fn as_token(&self, token: &str) -> Client {
        Client { app: self.app.clone(), token: Some(token.to_owned()) }
    }

    pub fn anonymous(&self) -> Client {
        Client { app: self.app.clone(), token: None }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        extra: &[(&str, &str)],
    ) -> Response {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = &self.token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if body.is_some() {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
        }
        for (name, value) in extra {
            builder = builder.header(*name, *value);
        }
        let body = body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty);
        self.raw(builder.body(body).expect("request")).await
    }

    pub async fn raw(&self, request: Request<Body>) -> Response {
        let response = self.app.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Response { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(Method::POST, path, Some(&body), &[]).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.send(Method::PATCH, path, Some(&body), &[]).await
    }

    pub async fn patch_if(&self, path: &str, etag: &str, body: Value) -> Response {
        self.send(Method::PATCH, path, Some(&body), &[("if-match", etag)]).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.send(Method::DELETE, path, None, &[]).await
    }
}

/// An organisation: an administrator, two managers in different teams, a read-only user, and
/// a token for each.
pub struct Org {
    pub client: Client,
    pub admin: UserId,
    pub manager1: UserId,
    pub manager2: UserId,
    pub reader: UserId,
    pub admin_token: String,
    pub manager1_token: String,
    pub manager2_token: String,
    pub reader_token: String,
}

impl Org {
    pub fn admin(&self) -> Client {
        self.client.as_token(&self.admin_token)
    }

    pub fn manager1(&self) -> Client {
        self.client.as_token(&self.manager1_token)
    }

    pub fn manager2(&self) -> Client {
        self.client.as_token(&self.manager2_token)
    }

    pub fn reader(&self) -> Client {
        self.client.as_token(&self.reader_token)
    }
}

pub async fn person(db: &Db, email: &str, role: &str) -> UserId {
    users::create_user(db, &RequestContext::system(), email, email, role, "a good long password")
        .await
        .expect("user")
}

pub async fn token_for(db: &Db, email: &str) -> String {
    api_tokens::create_for_email(db, &RequestContext::system(), email, &TokenInput::named("tests"))
        .await
        .expect("token")
        .secret
}

pub async fn org(db: &Db) -> Org {
    org_with(db, ApiConfig::default()).await
}

pub async fn org_with(db: &Db, config: ApiConfig) -> Org {
    setup::bootstrap(db).await.expect("bootstrap");
    let admin = person(db, "admin@x.ru", "administrator").await;
    let manager1 = person(db, "m1@x.ru", "manager").await;
    let manager2 = person(db, "m2@x.ru", "manager").await;
    let reader = person(db, "reader@x.ru", "read_only").await;
    Org {
        client: Client { app: router_with(db.clone(), config), token: None },
        admin,
        manager1,
        manager2,
        reader,
        admin_token: token_for(db, "admin@x.ru").await,
        manager1_token: token_for(db, "m1@x.ru").await,
        manager2_token: token_for(db, "m2@x.ru").await,
        reader_token: token_for(db, "reader@x.ru").await,
    }
}

/// An answer whose body is kept as bytes (a downloaded file).
pub struct File {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl File {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

impl Client {
    /// A `GET` whose body is read as bytes.
    pub async fn download(&self, path: &str) -> File {
        let mut builder = Request::builder().method(Method::GET).uri(path);
        if let Some(token) = &self.token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let response =
            self.app.clone().oneshot(builder.body(Body::empty()).expect("request")).await.expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes().to_vec();
        File { status, headers, bytes }
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.send(Method::PUT, path, Some(&body), &[]).await
    }
}
