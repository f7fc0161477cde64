//! `/api/v1/web-forms`: the forms on the company's site, for administrators — list, create,
//! read, change (a JSON merge patch), delete. A form's public `key` names its page and the
//! address sites post to (`/f/{key}`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use orbita_app::web_forms;
use orbita_domain::automation::Assignee;
use orbita_domain::web_form::{FormFieldInput, WebForm as DomainWebForm, WebFormInput};
use orbita_domain::{GroupId, PipelineId, StageId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::extract::{Body, Id};
use crate::patch;
use crate::problem::ApiError;
use crate::vocab::AssigneeKind;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get, change, delete))
}

/// One field of a form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormFieldWrite {
    /// The name the site posts the answer under (`phone`, or a site builder's own `Phone`).
    #[serde(default)]
    pub name: String,
    /// Where the answer goes: `contact.name` (the name in one box), `contact.last_name`,
    /// `contact.first_name`, `contact.middle_name`, `contact.position`, `contact.phone`,
    /// `contact.email`, `company.name`, `company.inn`, `deal.title`, `deal.amount`,
    /// `deal.notes` or `deal.custom.<key>`.
    #[serde(default)]
    pub maps_to: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub label_ru: String,
    #[serde(default)]
    pub label_en: String,
}

/// What a form says, as written and read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebFormWrite {
    #[serde(default)]
    pub name: String,
    /// Default `true`; a switched-off form's page and address answer 404.
    pub active: Option<bool>,
    /// The deal's pipeline; `null`: the default one.
    pub pipeline_id: Option<i64>,
    /// The deal's stage; `null`: the pipeline's first.
    pub stage_id: Option<i64>,
    /// Who gets the requests: `user` (`assignee_user_id`, default the caller) or a member of
    /// `assignee_group_id`, in turn (`round_robin`) or the least loaded (`least_loaded`).
    pub assignee: Option<AssigneeKind>,
    pub assignee_user_id: Option<i64>,
    pub assignee_group_id: Option<i64>,
    /// The form's fields; at least one fills `contact.phone` or `contact.email`.
    #[serde(default)]
    pub fields: Vec<FormFieldWrite>,
    /// The sites whose pages may post the form from a script (`https://example.ru`).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Shown once a request is taken.
    pub thank_you: Option<String>,
    /// Where the buyer is sent once a request is taken, instead of the thank-you text.
    pub redirect_url: Option<String>,
    /// Whether the buyer must tick consent to the processing of personal data (152-ФЗ).
    #[serde(default)]
    pub consent: bool,
    /// The words the buyer consents to (the organisation's personal-data text); `null`: the
    /// standard words.
    pub consent_text: Option<String>,
}

impl WebFormWrite {
    fn input(&self, caller: UserId) -> WebFormInput {
        let kind = self.assignee.map_or(orbita_domain::automation::AssigneeKind::User, Into::into);
        let user = self.assignee_user_id.map(UserId).or(Some(caller));
        WebFormInput {
            name: self.name.clone(),
            active: self.active,
            pipeline_id: self.pipeline_id.map(PipelineId),
            stage_id: self.stage_id.map(StageId),
            assignee: Assignee::from_parts(kind, user, self.assignee_group_id.map(GroupId)),
            fields: self
                .fields
                .iter()
                .map(|f| FormFieldInput {
                    name: f.name.clone(),
                    maps_to: f.maps_to.clone(),
                    required: f.required,
                    label_ru: f.label_ru.clone(),
                    label_en: f.label_en.clone(),
                })
                .collect(),
            allowed_origins: self.allowed_origins.clone(),
            thank_you: self.thank_you.clone().unwrap_or_default(),
            redirect_url: self.redirect_url.clone().unwrap_or_default(),
            consent: self.consent,
            consent_text: self.consent_text.clone().unwrap_or_default(),
        }
    }
}

impl From<&DomainWebForm> for WebFormWrite {
    fn from(form: &DomainWebForm) -> Self {
        let f = &form.fields;
        WebFormWrite {
            name: f.name.clone(),
            active: Some(f.active),
            pipeline_id: f.pipeline_id.map(|p| p.0),
            stage_id: f.stage_id.map(|s| s.0),
            assignee: Some(f.assignee.kind().into()),
            assignee_user_id: f.assignee.user().map(|u| u.0),
            assignee_group_id: f.assignee.group().map(|g| g.0),
            fields: f
                .fields
                .iter()
                .map(|x| FormFieldWrite {
                    name: x.name.clone(),
                    maps_to: x.maps_to.as_string(),
                    required: x.required,
                    label_ru: x.label_ru.clone(),
                    label_en: x.label_en.clone(),
                })
                .collect(),
            allowed_origins: f.allowed_origins.clone(),
            thank_you: f.thank_you.clone(),
            redirect_url: f.redirect_url.clone(),
            consent: f.consent,
            consent_text: f.consent_text.clone(),
        }
    }
}

/// A web form: what it says (as `WebFormWrite`), its public key and times.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebForm {
    pub id: i64,
    /// Its public name: the hosted page is `GET /f/{key}`, sites post to `POST /f/{key}`.
    pub key: String,
    pub name: String,
    pub active: bool,
    pub pipeline_id: Option<i64>,
    pub stage_id: Option<i64>,
    pub assignee: AssigneeKind,
    pub assignee_user_id: Option<i64>,
    pub assignee_group_id: Option<i64>,
    pub fields: Vec<FormFieldWrite>,
    pub allowed_origins: Vec<String>,
    pub thank_you: Option<String>,
    pub redirect_url: Option<String>,
    pub consent: bool,
    pub consent_text: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&DomainWebForm> for WebForm {
    fn from(f: &DomainWebForm) -> Self {
        let written = WebFormWrite::from(f);
        WebForm {
            id: f.id,
            key: f.key.clone(),
            name: written.name,
            active: f.fields.active,
            pipeline_id: written.pipeline_id,
            stage_id: written.stage_id,
            assignee: f.fields.assignee.kind().into(),
            assignee_user_id: written.assignee_user_id,
            assignee_group_id: written.assignee_group_id,
            fields: written.fields,
            allowed_origins: written.allowed_origins,
            thank_you: written.thank_you,
            redirect_url: written.redirect_url,
            consent: written.consent,
            consent_text: written.consent_text,
            created_at: f.created_at,
            updated_at: f.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebFormList {
    pub items: Vec<WebForm>,
    /// Always `null`.
    pub next_cursor: Option<String>,
}

/// List the web forms (administrators).
#[utoipa::path(get, path = "/api/v1/web-forms", tag = "web-forms",
    responses((status = 200, description = "The forms", body = WebFormList)))]
async fn list(State(state): State<ApiState>, caller: Caller) -> Result<Json<WebFormList>, ApiError> {
    let items = web_forms::list(&state.db, &caller.access).await?;
    Ok(Json(WebFormList { items: items.iter().map(WebForm::from).collect(), next_cursor: None }))
}

/// Create a web form (administrators).
#[utoipa::path(post, path = "/api/v1/web-forms", tag = "web-forms", request_body = WebFormWrite,
    responses((status = 201, description = "Created", body = WebForm)))]
async fn create(
    State(state): State<ApiState>,
    caller: Caller,
    Body(body): Body<WebFormWrite>,
) -> Result<Response, ApiError> {
    let input = body.input(caller.access.user_id());
    let form = web_forms::create(&state.db, &caller.access, &input).await?;
    Ok((StatusCode::CREATED, Json(WebForm::from(&form))).into_response())
}

/// Read a web form (administrators).
#[utoipa::path(get, path = "/api/v1/web-forms/{id}", tag = "web-forms",
    params(("id" = i64, Path, description = "Form id")),
    responses((status = 200, description = "The form", body = WebForm)))]
async fn get(State(state): State<ApiState>, caller: Caller, Id(id): Id) -> Result<Json<WebForm>, ApiError> {
    Ok(Json(WebForm::from(&web_forms::get(&state.db, &caller.access, id).await?)))
}

/// Change a web form: a JSON merge patch (administrators).
#[utoipa::path(patch, path = "/api/v1/web-forms/{id}", tag = "web-forms",
    params(("id" = i64, Path, description = "Form id")), request_body = WebFormWrite,
    responses((status = 200, description = "The changed form", body = WebForm)))]
async fn change(
    State(state): State<ApiState>,
    caller: Caller,
    Id(id): Id,
    Body(body): Body<Value>,
) -> Result<Json<WebForm>, ApiError> {
    let before = web_forms::get(&state.db, &caller.access, id).await?;
    let merged: WebFormWrite = patch::apply(&WebFormWrite::from(&before), &body)?;
    let input = merged.input(caller.access.user_id());
    Ok(Json(WebForm::from(&web_forms::update(&state.db, &caller.access, id, &input).await?)))
}

/// Delete a web form (administrators); the deals it made keep their origin.
#[utoipa::path(delete, path = "/api/v1/web-forms/{id}", tag = "web-forms",
    params(("id" = i64, Path, description = "Form id")),
    responses((status = 204, description = "Deleted")))]
async fn delete(State(state): State<ApiState>, caller: Caller, Id(id): Id) -> Result<StatusCode, ApiError> {
    web_forms::delete(&state.db, &caller.access, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
