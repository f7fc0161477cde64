//! Personal API tokens: a user creates one (shown once) with a scope and an optional expiry,
//! sees their tokens, revokes them. Administrators also see everyone's tokens and can revoke
//! any of them; the right is checked by the application, the page only decides what to show.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use orbita_app::api_tokens::{self, TokenInput, TokenScope};
use orbita_app::{Access, AppError};
use orbita_domain::ValidationErrors;
use orbita_domain::api_token::ApiToken;
use serde::Deserialize;

use super::SignedIn;
use crate::AppState;
use crate::error::PageError;
use crate::ui::{Layout, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/tokens", get(list).post(create))
        .route("/account/tokens/{id}/revoke", post(revoke))
}

#[derive(Template, WebTemplate)]
#[template(path = "account/tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<ApiToken>,
    /// Every user's tokens, for administrators; `None` hides the section.
    everyone: Option<Vec<ApiToken>>,
    /// The token just created: shown this once, never stored in clear.
    created: String,
    form: NewTokenForm,
    scopes: Vec<SelectOption>,
    errors: ValidationErrors,
}

impl TokensPage {
    /// The scope in the page's language, for the tables.
    fn scope_label(&self, scope: &TokenScope) -> String {
        self.layout.t(scope_key(*scope))
    }
}

fn scope_key(scope: TokenScope) -> &'static str {
    match scope {
        TokenScope::ReadOnly => "tokens-scope-read-only",
        TokenScope::ReadWrite => "tokens-scope-read-write",
    }
}

/// The form as typed: kept to be shown again with its errors.
#[derive(Debug, Clone, Default, Deserialize)]
struct NewTokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
    /// `YYYY-MM-DD` from the date input; named after the field its errors are reported on.
    #[serde(default)]
    expires_at: String,
}

impl NewTokenForm {
    fn input(&self) -> TokenInput {
        TokenInput { name: self.name.clone(), scope: self.scope.clone(), expires_on: self.expires_at.clone() }
    }
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    created: String,
    form: NewTokenForm,
    errors: ValidationErrors,
) -> Result<TokensPage, PageError> {
    let access = &user.session.access;
    let tokens = api_tokens::list(&state.db, access).await?;
    let everyone = everyones_tokens(state, access).await?;
    let layout = user.page(user.t("tokens-title"), None);
    let chosen = TokenScope::parse(&form.scope).unwrap_or_default();
    let scopes = TokenScope::ALL
        .iter()
        .map(|scope| SelectOption::new(scope.as_str(), layout.t(scope_key(*scope)), *scope == chosen))
        .collect();
    Ok(TokensPage { layout, tokens, everyone, created, form, scopes, errors })
}

/// Every user's tokens (the administrator's own included), for those who may manage them.
async fn everyones_tokens(state: &AppState, access: &Access) -> Result<Option<Vec<ApiToken>>, PageError> {
    if !api_tokens::manages_all_tokens(access) {
        return Ok(None);
    }
    Ok(Some(api_tokens::list_all(&state.db, access).await?))
}

async fn list(State(state): State<AppState>, user: SignedIn) -> Result<TokensPage, PageError> {
    page(&state, &user, String::new(), NewTokenForm::default(), ValidationErrors::default()).await
}

async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<NewTokenForm>,
) -> Result<Response, PageError> {
    match api_tokens::create(&state.db, &user.session.access, &form.input()).await {
        Ok(token) => {
            Ok(page(&state, &user, token.secret, NewTokenForm::default(), ValidationErrors::default())
                .await?
                .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let page = page(&state, &user, String::new(), form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn revoke(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
) -> Result<Redirect, PageError> {
    api_tokens::revoke(&state.db, &user.session.access, id).await?;
    Ok(Redirect::to("/account/tokens"))
}
