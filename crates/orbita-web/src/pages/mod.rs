//! The HTML pages. Each module owns one area's routes; handlers take `SignedIn` (the session
//! and a ready page frame), call one application service and render a template.

mod activities;
mod admin;
mod auth;
mod companies;
mod conditions;
mod contacts;
pub mod custom_fields;
mod deals;
pub mod export_jobs;
mod exports;
mod groups;
mod kanban;
pub mod list_query;
mod my_day;
pub mod notice;
mod notifications;
mod picker;
mod public_form;
mod reports;
mod search;
mod targets;
mod tasks;
mod tokens;
pub mod wall_clock;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use orbita_app::AppError;
use orbita_app::auth::Session;
use orbita_domain::access::{Action, Area};
use orbita_domain::org::Locale;

use crate::AppState;
use crate::error::PageError;
use crate::session::CurrentUser;
use crate::ui::{Layout, Nav, i18n};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(my_day::home))
        .merge(auth::routes())
        .merge(tokens::routes())
        .merge(admin::routes())
        .merge(companies::routes())
        .merge(contacts::routes())
        .merge(search::routes())
        .merge(deals::routes())
        .merge(kanban::routes())
        .merge(tasks::routes())
        .merge(activities::routes())
        .merge(reports::routes())
        .merge(targets::routes())
        .merge(exports::routes())
        .merge(conditions::routes())
        .merge(export_jobs::routes())
        .merge(notifications::routes())
        .merge(public_form::routes())
}

/// A signed-in request: its session and the page frame in the user's language, with the
/// organisation's name and time zone. Without a session: off to the sign-in page.
pub struct SignedIn {
    pub session: Session,
    pub layout: Layout,
}

impl SignedIn {
    /// The frame for a page with this title and menu section.
    pub fn page(&self, title: impl Into<String>, nav: Option<Nav>) -> Layout {
        Layout { title: title.into(), active_nav: nav, ..self.layout.clone() }
    }

    pub fn t(&self, key: &str) -> String {
        self.layout.t(key)
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CurrentUser(session) = CurrentUser::from_request_parts(parts, state).await?;
        let locale = session.access.user.locale.unwrap_or_else(|| {
            i18n::negotiate(parts.headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
        });
        let mut signed_in = SignedIn::with(&state.db, session, locale)
            .await
            .map_err(|e| PageError::from(e).into_response())?;
        notice::from_query(&mut signed_in.layout, parts.uri.query());
        Ok(signed_in)
    }
}

impl SignedIn {
    /// The user of `session` with the frame of their pages in `locale`.
    pub async fn with(db: &orbita_app::Db, session: Session, locale: Locale) -> Result<SignedIn, AppError> {
        let settings = orbita_app::setup::settings(db).await?;
        let mut layout = Layout::new(locale, String::new());
        layout.user_name = Some(session.access.user.name.clone());
        layout.csrf_token = session.csrf_token.clone();
        layout.org_name = settings.name;
        layout.time_zone = settings.time_zone;
        layout.show_admin = session.access.can(Area::UsersAndSettings, Action::View)
            || session.access.can(Area::AuditLog, Action::View)
            || orbita_app::ownership::may_transfer(&session.access);
        Ok(SignedIn { session, layout })
    }
}
