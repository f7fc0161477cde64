//! Saved list views, for every list that has them (`orbita_app::views::LISTS`): `POST /views`
//! names the list's current query; `POST /views/{id}/delete` forgets one. Both go back to
//! the list with a one-time notice.

use axum::extract::{Path, State};
use axum::response::Redirect;
use axum::routing::post;
use axum::{Form, Router};
use orbita_app::{AppError, views};
use serde::Deserialize;

use super::path_id;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::pages::list_query::ListQuery;

pub fn routes() -> Router<AppState> {
    Router::new().route("/views", post(save)).route("/views/{id}/delete", post(delete))
}

#[derive(Deserialize)]
pub(in crate::pages) struct SaveForm {
    #[serde(default)]
    list: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
    /// A group to share it with; empty: private.
    #[serde(default)]
    share_group: String,
}

/// The list's page: `/companies` for `companies`; only lists that have views.
fn list_path(list: &str) -> Result<String, PageError> {
    if views::LISTS.contains(&list) { Ok(format!("/{list}")) } else { Err(PageError::NotFound) }
}

async fn save(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<SaveForm>,
) -> Result<Redirect, PageError> {
    let path = list_path(&form.list)?;
    // Only the list's state is kept: never a page cursor or a notice.
    let query = ListQuery::parse(Some(&form.query)).state();
    let group = form.share_group.trim().parse().ok().map(orbita_domain::GroupId);
    let access = &user.session.access;
    let notice = match views::save_shared(&state.db, access, &form.list, &form.name, &query, group).await {
        Ok(_) => "view-saved",
        Err(AppError::Invalid(errors)) if errors.0.iter().any(|e| e.code == "view-taken") => "view-taken",
        Err(AppError::Invalid(_)) => "view-invalid",
        Err(other) => return Err(other.into()),
    };
    let back = ListQuery::parse(Some(&query)).href(&path, &[], &[("notice", notice)]);
    Ok(Redirect::to(&back))
}

#[derive(Deserialize)]
pub(in crate::pages) struct DeleteForm {
    #[serde(default)]
    list: String,
}

async fn delete(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> Result<Redirect, PageError> {
    let path = list_path(&form.list)?;
    views::delete(&state.db, &user.session.access, path_id(&id)?).await?;
    Ok(Redirect::to(&format!("{path}?notice=view-deleted")))
}
