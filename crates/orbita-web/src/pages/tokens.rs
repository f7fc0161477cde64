//! Personal API tokens: a user creates one (shown once), sees their tokens, revokes them.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use orbita_app::{AppError, api_tokens};
use orbita_domain::ValidationErrors;
use orbita_storage::api_tokens::ApiToken;
use serde::Deserialize;

use super::SignedIn;
use crate::AppState;
use crate::error::PageError;
use crate::ui::Layout;

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
    /// The token just created: shown this once, never stored in clear.
    created: String,
    token_name: String,
    errors: ValidationErrors,
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    created: String,
    name: String,
    errors: ValidationErrors,
) -> Result<TokensPage, PageError> {
    let tokens = api_tokens::list(&state.db, &user.session.access).await?;
    let layout = user.page(user.t("tokens-title"), None);
    Ok(TokensPage { layout, tokens, created, token_name: name, errors })
}

async fn list(State(state): State<AppState>, user: SignedIn) -> Result<TokensPage, PageError> {
    page(&state, &user, String::new(), String::new(), ValidationErrors::default()).await
}

#[derive(Deserialize)]
struct NewTokenForm {
    #[serde(default)]
    name: String,
}

async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<NewTokenForm>,
) -> Result<Response, PageError> {
    match api_tokens::create(&state.db, &user.session.access, &form.name).await {
        Ok(token) => Ok(page(&state, &user, token.secret, String::new(), ValidationErrors::default())
            .await?
            .into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = page(&state, &user, String::new(), form.name, errors).await?;
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
