//! Admin → Loss reasons (`/admin/loss-reasons`): the list a manager picks from when a deal is
//! lost, for every pipeline or one; each reason renamed, moved or retired in place, new ones
//! added below. `orbita_app::loss_reasons` checks the rights and audits every change.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use orbita_app::{AppError, loss_reasons};
use orbita_domain::loss_reason::LossReasonInput;
use orbita_domain::{PipelineId, ValidationErrors};
use serde::Deserialize;

use super::Tab;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::pages::deals::common::pipeline_name;
use crate::ui::{Layout, Nav, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/loss-reasons", get(page).post(create))
        .route("/admin/loss-reasons/{id}", post(update))
}

struct Line {
    id: i64,
    name: String,
    active: bool,
    pipelines: Vec<SelectOption>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/loss_reasons.html")]
struct Page {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    lines: Vec<Line>,
    /// The new reason's form: its pipeline choices, what was typed, what was wrong.
    pipelines: Vec<SelectOption>,
    new_name: String,
    errors: ValidationErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReasonForm {
    name: String,
    /// Empty: every pipeline.
    pipeline_id: String,
    /// `on` when ticked (a retired reason is not offered).
    active: String,
}

impl ReasonForm {
    fn input(&self) -> LossReasonInput {
        LossReasonInput {
            name: self.name.clone(),
            pipeline_id: self.pipeline_id.trim().parse().ok().map(PipelineId),
            active: Some(self.active == "on"),
        }
    }
}

async fn render(
    state: &AppState,
    user: &SignedIn,
    name: String,
    errors: ValidationErrors,
) -> Result<Page, PageError> {
    let access = &user.session.access;
    let reasons = loss_reasons::for_admin(&state.db, access).await?;
    let (pipelines, _) = orbita_app::deals::pipelines_and_stages(&state.db).await?;
    let layout = user.page(user.t("admin-loss-reasons"), Some(Nav::Admin));
    let options = |chosen: Option<PipelineId>| {
        std::iter::once(SelectOption::new("", layout.t("loss-reasons-every-pipeline"), chosen.is_none()))
            .chain(pipelines.iter().map(|p| {
                SelectOption::new(p.id.to_string(), pipeline_name(layout.locale, p), chosen == Some(p.id))
            }))
            .collect::<Vec<_>>()
    };
    let lines = reasons
        .into_iter()
        .map(|r| Line { id: r.id, name: r.name, active: r.active, pipelines: options(r.pipeline_id) })
        .collect();
    let pipelines = options(None);
    Ok(Page { tab: Tab::LossReasons, tabs: Tab::ALL, lines, pipelines, new_name: name, errors, layout })
}

async fn page(State(state): State<AppState>, user: SignedIn) -> Result<Page, PageError> {
    render(&state, &user, String::new(), ValidationErrors::default()).await
}

async fn create(State(state): State<AppState>, user: SignedIn, Form(form): Form<ReasonForm>) -> Response {
    let input = LossReasonInput { active: Some(true), ..form.input() };
    respond(
        &state,
        &user,
        &form,
        loss_reasons::create(&state.db, &user.session.access, &input).await,
        "created",
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<ReasonForm>,
) -> Response {
    let result = loss_reasons::update(&state.db, &user.session.access, id, &form.input()).await;
    respond(&state, &user, &form, result, "saved").await
}

async fn respond<T>(
    state: &AppState,
    user: &SignedIn,
    form: &ReasonForm,
    result: Result<T, AppError>,
    notice: &str,
) -> Response {
    match result {
        Ok(_) => Redirect::to(&format!("/admin/loss-reasons?notice={notice}")).into_response(),
        Err(AppError::Invalid(errors)) => match render(state, user, form.name.clone(), errors).await {
            Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
            Err(error) => error.into_response(),
        },
        Err(error) => PageError::from(error).into_response(),
    }
}
