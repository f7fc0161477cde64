//! Signing in and out, the first administrator's set-up page, changing one's password.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header::{ACCEPT_LANGUAGE, RETRY_AFTER, SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use orbita_app::AppError;
use orbita_app::auth::{self, SignInError};
use orbita_domain::ValidationErrors;
use serde::Deserialize;

use super::SignedIn;
use crate::AppState;
use crate::error::PageError;
use crate::session::{ClientIp, MaybeSession, safe_next, session_cookie};
use crate::ui::{ErrorItem, Flash, FlashKind, Layout, i18n};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/setup/{token}", get(setup_form).post(setup))
        .route("/account/password", get(password_form).post(change_password))
}

fn visitor_layout(headers: &HeaderMap, title_key: &str) -> Layout {
    let locale = i18n::negotiate(headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let mut layout = Layout::new(locale, String::new());
    layout.title = layout.t(title_key);
    layout
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    error: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(
    headers: HeaderMap,
    MaybeSession(session): MaybeSession,
    Query(q): Query<NextQuery>,
) -> Response {
    if session.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let layout = visitor_layout(&headers, "login-title");
    LoginPage { layout, email: String::new(), next: safe_next(q.next.as_deref()), error: String::new() }
        .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Response {
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let next = safe_next(form.next.as_deref());
    match auth::sign_in(&state.db, &form.email, &form.password, ip.as_deref(), user_agent).await {
        Ok(tokens) => {
            let cookie = session_cookie(Some(&tokens.token), state.config.secure_cookies);
            ([(SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(SignInError::InvalidCredentials) => {
            let layout = visitor_layout(&headers, "login-title");
            let error = layout.t("login-failed");
            (StatusCode::UNAUTHORIZED, LoginPage { layout, email: form.email, next, error }).into_response()
        }
        Err(SignInError::RateLimited(throttled)) => {
            let layout = visitor_layout(&headers, "login-title");
            let seconds = throttled.retry_after_seconds();
            let error = layout.t_with("login-rate-limited", "seconds", &seconds.to_string());
            let page = LoginPage { layout, email: form.email, next, error };
            (StatusCode::TOO_MANY_REQUESTS, [(RETRY_AFTER, seconds.to_string())], page).into_response()
        }
        Err(SignInError::App(error)) => PageError::from(error).into_response(),
    }
}

async fn logout(State(state): State<AppState>, MaybeSession(session): MaybeSession) -> Response {
    if let Some(session) = session
        && let Err(error) = auth::sign_out(&state.db, &session).await
    {
        return PageError::from(error).into_response();
    }
    let cookie = session_cookie(None, state.config.secure_cookies);
    ([(SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/setup.html")]
struct SetupPage {
    layout: Layout,
    token: String,
    form: SetupForm,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
}

#[derive(Deserialize, Default)]
struct SetupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default, skip_serializing)]
    password: String,
}

async fn setup_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    match auth::first_run_token_valid(&state.db, &token).await {
        Ok(true) => {
            let layout = visitor_layout(&headers, "setup-title");
            let page = SetupPage {
                layout,
                token,
                form: SetupForm::default(),
                errors: ValidationErrors::default(),
                error_items: Vec::new(),
            };
            page.into_response()
        }
        Ok(false) => PageError::NotFound.into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}

async fn setup(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    Form(form): Form<SetupForm>,
) -> Response {
    match auth::create_first_admin(&state.db, &token, &form.email, &form.name, &form.password, ip.clone())
        .await
    {
        Ok(_) => {
            // Straight in: the administrator has just chosen the password.
            let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
            match auth::sign_in(&state.db, &form.email, &form.password, ip.as_deref(), user_agent).await {
                Ok(tokens) => {
                    let cookie = session_cookie(Some(&tokens.token), state.config.secure_cookies);
                    ([(SET_COOKIE, cookie)], Redirect::to("/admin/users")).into_response()
                }
                Err(_) => Redirect::to("/login").into_response(),
            }
        }
        Err(AppError::Invalid(errors)) => {
            let layout = visitor_layout(&headers, "setup-title");
            let error_items = layout.error_items(&errors);
            let form = SetupForm { password: String::new(), ..form };
            (StatusCode::UNPROCESSABLE_ENTITY, SetupPage { layout, token, form, errors, error_items })
                .into_response()
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    layout: Layout,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
}

async fn password_form(user: SignedIn) -> PasswordPage {
    let layout = user.page(user.t("password-title"), None);
    PasswordPage { layout, errors: ValidationErrors::default(), error_items: Vec::new() }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<PasswordForm>,
) -> Response {
    let mut layout = user.page(user.t("password-title"), None);
    match auth::change_password(&state.db, &user.session, &form.current_password, &form.new_password).await {
        Ok(()) => {
            layout.flashes.push(Flash { kind: FlashKind::Success, message: layout.t("password-changed") });
            PasswordPage { layout, errors: ValidationErrors::default(), error_items: Vec::new() }
                .into_response()
        }
        Err(AppError::Invalid(errors)) => {
            // The new password's rules speak of `password`; on this form the field is `new_password`.
            let errors = ValidationErrors(
                errors
                    .0
                    .into_iter()
                    .map(|e| if e.field == "password" { e.for_field("new_password") } else { e })
                    .collect(),
            );
            let error_items = layout.error_items(&errors);
            (StatusCode::UNPROCESSABLE_ENTITY, PasswordPage { layout, errors, error_items }).into_response()
        }
        Err(error) => PageError::from(error).into_response(),
    }
}
