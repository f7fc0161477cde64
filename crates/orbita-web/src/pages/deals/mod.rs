//! The deal pages: the list (`/deals`), the card (`/deals/{id}`), the form, the stage moves
//! and saved views. The kanban board, tasks and activities live next door and reuse
//! [`common`] and [`query`].

mod card;
pub(super) mod common;
mod form;
mod list;
pub(super) mod query;
mod timeline;

use axum::Router;
use axum::routing::{get, post};

pub(super) use list::{pipeline_options, stage_options};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/deals", get(list::list).post(form::create))
        .route("/deals/new", get(form::new))
        .route("/deals/suggest", get(list::suggest))
        .route("/deals/views", post(list::save_view))
        .route("/deals/views/{id}/delete", post(list::delete_view))
        .route("/deals/{id}", get(card::show).post(form::update))
        .route("/deals/{id}/edit", get(form::edit))
        .route("/deals/{id}/stage", post(card::move_stage))
        .route("/deals/{id}/delete", get(card::confirm_delete).post(card::delete))
}
