//! Logging a call, meeting, letter or note: `GET /activities/new` (links and the way back
//! from the query), `POST /activities` — with a follow-up task when its title or due time is
//! filled, created in the same transaction — and editing with `GET /activities/{id}/edit`,
//! `POST /activities/{id}`. Times are typed in the organisation's zone; the company, contact
//! and deal are picked by name (`pages::picker`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use orbita_app::{AppError, activities};
use orbita_domain::access::{Action, Area};
use orbita_domain::activity::{Activity, ActivityInput, ActivityKind, ActivityStatus, Direction};
use orbita_domain::task::{TaskInput, TaskPriority};
use orbita_domain::{ActivityId, CompanyId, ContactId, DealId, FieldError, ValidationErrors};
use serde::Deserialize;

use super::super::SignedIn;
use super::super::deals::common::{self, People};
use super::super::picker::Chosen;
use crate::AppState;
use crate::error::PageError;
use crate::pages::custom_fields;
use crate::pages::list_query::ListQuery;
use crate::pages::wall_clock;
use crate::ui::{ErrorItem, Flash, FlashKind, Layout, Nav, SelectOption};
use orbita_domain::kind::RecordKind;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActivityForm {
    pub kind: String,
    pub direction: String,
    pub status: String,
    pub occurred_at: String,
    pub duration_minutes: String,
    pub subject: String,
    pub responsible_id: String,
    pub company_id: String,
    pub contact_id: String,
    pub deal_id: String,
    pub task_title: String,
    pub task_due_at: String,
    pub task_assignee_id: String,
    pub task_priority: String,
    pub version: String,
    pub return_to: String,
    /// Custom fields as typed (`custom.<key>`), with whatever else the form posts.
    #[serde(flatten)]
    pub custom: custom_fields::Typed,
}

impl ActivityForm {
    fn of(activity: &Activity, tz: &str) -> ActivityForm {
        let f = &activity.fields;
        let text = |id: Option<i64>| id.map(|i| i.to_string()).unwrap_or_default();
        ActivityForm {
            kind: f.kind.as_str().to_owned(),
            direction: f.direction.map(|d| d.as_str().to_owned()).unwrap_or_default(),
            status: f.status.as_str().to_owned(),
            occurred_at: wall_clock::local_datetime_value(f.occurred_at, tz),
            duration_minutes: f.duration_minutes.map(|m| m.to_string()).unwrap_or_default(),
            subject: f.subject.clone(),
            responsible_id: f.responsible_id.to_string(),
            company_id: text(f.company_id.map(|c| c.0)),
            contact_id: text(f.contact_id.map(|c| c.0)),
            deal_id: text(f.deal_id.map(|d| d.0)),
            version: activity.version.to_string(),
            ..ActivityForm::default()
        }
    }

    /// The domain inputs: the activity, and the follow-up task when one is asked for.
    fn inputs(&self, user: &SignedIn, errors: &mut ValidationErrors) -> (ActivityInput, Option<TaskInput>) {
        let me = user.session.access.user_id();
        let tz = user.layout.time_zone.as_str();
        let kind = ActivityKind::parse(&self.kind).unwrap_or_else(|| {
            errors.push(FieldError::new("kind", "required", "Choose a kind"));
            ActivityKind::Call
        });
        let duration = self.duration_minutes.trim();
        let duration_minutes = if duration.is_empty() {
            None
        } else {
            match duration.parse::<i64>() {
                Ok(minutes) => Some(minutes),
                Err(_) => {
                    errors.push(FieldError::new(
                        "duration_minutes",
                        "duration-range",
                        "From 0 to 1440 minutes",
                    ));
                    None
                }
            }
        };
        let responsible = common::id_field(&self.responsible_id, "responsible_id", errors).unwrap_or(me);
        let activity = ActivityInput {
            kind,
            direction: Direction::parse(&self.direction),
            status: ActivityStatus::parse(&self.status),
            occurred_at: wall_clock::datetime_field(tz, &self.occurred_at, "occurred_at", errors)
                .unwrap_or_else(orbita_domain::now),
            duration_minutes,
            subject: self.subject.clone(),
            responsible_id: responsible,
            company_id: common::id_field::<CompanyId>(&self.company_id, "company_id", errors),
            contact_id: common::id_field::<ContactId>(&self.contact_id, "contact_id", errors),
            deal_id: common::id_field::<DealId>(&self.deal_id, "deal_id", errors),
        };
        let wants_task = !self.task_title.trim().is_empty() || !self.task_due_at.trim().is_empty();
        let task = wants_task.then(|| TaskInput {
            title: self.task_title.clone(),
            description: String::new(),
            due_at: wall_clock::datetime_field(tz, &self.task_due_at, "task_due_at", errors),
            assignee_id: common::id_field(&self.task_assignee_id, "task_assignee_id", errors)
                .unwrap_or(responsible),
            priority: TaskPriority::parse(&self.task_priority),
            company_id: None,
            contact_id: None,
            deal_id: None,
        });
        (activity, task)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "activities/form.html")]
pub struct FormPage {
    pub layout: Layout,
    pub activity_id: Option<ActivityId>,
    pub form: ActivityForm,
    pub errors: ValidationErrors,
    pub error_items: Vec<ErrorItem>,
    pub kinds: Vec<SelectOption>,
    pub directions: Vec<SelectOption>,
    pub statuses: Vec<SelectOption>,
    pub responsibles: Vec<SelectOption>,
    pub assignees: Vec<SelectOption>,
    pub priorities: Vec<SelectOption>,
    pub back: String,
    /// The linked company's, contact's and deal's names for the pickers.
    pub chosen: Chosen,
    pub custom: Vec<custom_fields::CustomInput>,
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    activity_id: Option<ActivityId>,
    form: ActivityForm,
    errors: ValidationErrors,
) -> Result<FormPage, PageError> {
    let access = &user.session.access;
    let key = if activity_id.is_some() { "activities-edit-title" } else { "activities-new-title" };
    let layout = user.page(user.t(key), Some(Nav::Activities));
    let people = People(orbita_app::admin::users(&state.db, access).await?);
    let action = if activity_id.is_some() { Action::Edit } else { Action::Create };
    let label = |prefix: &str, value: &str| layout.t(&format!("{prefix}-{value}"));
    let kinds = common::options(
        ActivityKind::ALL.iter().map(|k| (k.as_str().to_owned(), label("activity-kind", k.as_str()))),
        &form.kind,
    );
    let mut directions = vec![SelectOption::new("", "—", form.direction.is_empty())];
    directions.extend(common::options(
        Direction::ALL.iter().map(|d| (d.as_str().to_owned(), label("activity-direction", d.as_str()))),
        &form.direction,
    ));
    let status = if form.status.is_empty() { "done" } else { form.status.as_str() };
    let statuses = common::options(
        ActivityStatus::ALL.iter().map(|s| (s.as_str().to_owned(), label("activity-status", s.as_str()))),
        status,
    );
    let priority = if form.task_priority.is_empty() { "normal" } else { form.task_priority.as_str() };
    let priorities = common::options(
        TaskPriority::ALL.iter().map(|p| (p.as_str().to_owned(), label("task-priority", p.as_str()))),
        priority,
    );
    let chosen =
        Chosen::load(&state.db, access, &layout, &form.company_id, &form.contact_id, &form.deal_id).await?;
    let assignee_blank = Some(layout.t("activities-assignee-same"));
    let default_back = activity_id.map_or_else(|| "/activities".to_owned(), |id| format!("/activities/{id}"));
    let fields = orbita_app::custom_fields::active(&state.db, RecordKind::Activity).await?;
    let custom = custom_fields::inputs(&layout, &fields, &form.custom, &errors, &people.0);
    Ok(FormPage {
        error_items: custom_fields::error_items(&layout, &errors, &custom),
        custom,
        responsibles: people.options(access, Area::Activities, action, &form.responsible_id, None),
        assignees: people.options(
            access,
            Area::Tasks,
            Action::Create,
            &form.task_assignee_id,
            assignee_blank,
        ),
        back: common::return_to(&form.return_to, &default_back),
        kinds,
        directions,
        statuses,
        priorities,
        chosen,
        layout,
        activity_id,
        form,
        errors,
    })
}

fn respond(result: Result<FormPage, PageError>, status: StatusCode) -> Response {
    match result {
        Ok(page) => (status, page).into_response(),
        Err(error) => error.into_response(),
    }
}

/// `GET /activities/new?kind=&deal_id=&company_id=&contact_id=&return_to=`.
pub async fn new(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Response {
    let p = ListQuery::parse(raw.as_deref());
    let kind = p.get("kind");
    let form = ActivityForm {
        kind: if kind.is_empty() { "call".to_owned() } else { kind.to_owned() },
        direction: "outgoing".to_owned(),
        status: "done".to_owned(),
        occurred_at: wall_clock::local_datetime_value(orbita_domain::now(), &user.layout.time_zone),
        responsible_id: user.session.access.user_id().to_string(),
        company_id: p.get("company_id").to_owned(),
        contact_id: p.get("contact_id").to_owned(),
        deal_id: p.get("deal_id").to_owned(),
        return_to: p.get("return_to").to_owned(),
        ..ActivityForm::default()
    };
    respond(page(&state, &user, None, form, ValidationErrors::default()).await, StatusCode::OK)
}

/// Adds the domain's own checks to the errors of parsing, so every problem shows at once.
fn merge_domain_errors(activity: &ActivityInput, task: Option<&TaskInput>, errors: &mut ValidationErrors) {
    let mut more = activity.validate().err().unwrap_or_default().0;
    if let Some(Err(task_errors)) = task.map(TaskInput::validate) {
        more.extend(task_errors.0.into_iter().map(|e| {
            let field = format!("task_{}", e.field);
            e.for_field(field)
        }));
    }
    for error in more {
        if errors.field(&error.field).is_none() {
            errors.push(error);
        }
    }
}

/// `POST /activities`: logs it (and its follow-up task), then back where the form came from.
pub async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<ActivityForm>,
) -> Response {
    let mut errors = ValidationErrors::default();
    let (input, task) = form.inputs(&user, &mut errors);
    if !errors.is_empty() {
        merge_domain_errors(&input, task.as_ref(), &mut errors);
        return respond(page(&state, &user, None, form, errors).await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let custom = match orbita_app::custom_fields::active(&state.db, RecordKind::Activity).await {
        Ok(fields) => custom_fields::sent(&user.layout, &fields, &form.custom),
        Err(error) => return PageError::from(error).into_response(),
    };
    let access = &user.session.access;
    match activities::log_with_custom(&state.db, access, &input, task.as_ref(), Some(&custom)).await {
        Ok((activity, _)) => {
            let default = format!("/activities/{}", activity.id);
            let notice = match activity.fields.kind {
                orbita_domain::activity::ActivityKind::Call => "call-logged",
                _ => "logged",
            };
            let back = common::return_to(&form.return_to, &default);
            Redirect::to(&crate::pages::notice::with_notice(&back, notice)).into_response()
        }
        Err(AppError::Invalid(errors)) => {
            respond(page(&state, &user, None, form, errors).await, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

/// `GET /activities/{id}/edit`.
pub async fn edit(State(state): State<AppState>, user: SignedIn, Path(id): Path<i64>) -> Response {
    let id = ActivityId(id);
    match activities::get(&state.db, &user.session.access, id).await {
        Ok(activity) => {
            let fields = match orbita_app::custom_fields::active(&state.db, RecordKind::Activity).await {
                Ok(fields) => fields,
                Err(error) => return PageError::from(error).into_response(),
            };
            let form = ActivityForm {
                custom: custom_fields::typed(&user.layout, &fields, &activity.custom),
                ..ActivityForm::of(&activity, &user.layout.time_zone)
            };
            respond(page(&state, &user, Some(id), form, ValidationErrors::default()).await, StatusCode::OK)
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

/// `POST /activities/{id}`.
pub async fn update(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<ActivityForm>,
) -> Response {
    let id = ActivityId(id);
    let access = &user.session.access;
    // Editing never creates a follow-up task.
    let form = ActivityForm { task_title: String::new(), task_due_at: String::new(), ..form };
    let mut errors = ValidationErrors::default();
    let (input, _) = form.inputs(&user, &mut errors);
    if !errors.is_empty() {
        merge_domain_errors(&input, None, &mut errors);
        return respond(page(&state, &user, Some(id), form, errors).await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let custom = match orbita_app::custom_fields::active(&state.db, RecordKind::Activity).await {
        Ok(fields) => custom_fields::sent(&user.layout, &fields, &form.custom),
        Err(error) => return PageError::from(error).into_response(),
    };
    let version = common::id(&form.version);
    match activities::update_with_custom(&state.db, access, id, &input, Some(&custom), version).await {
        Ok(_) => Redirect::to(&format!("/activities/{id}?notice=saved")).into_response(),
        Err(AppError::Invalid(errors)) => {
            respond(page(&state, &user, Some(id), form, errors).await, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Stale) => {
            let current = match activities::get(&state.db, access, id).await {
                Ok(activity) => activity,
                Err(error) => return PageError::from(error).into_response(),
            };
            let form = ActivityForm { version: current.version.to_string(), ..form };
            match page(&state, &user, Some(id), form, ValidationErrors::default()).await {
                Ok(mut page) => {
                    let message = page.layout.t("deals-stale");
                    page.layout.flashes.push(Flash { kind: FlashKind::Warning, message });
                    (StatusCode::CONFLICT, page).into_response()
                }
                Err(error) => error.into_response(),
            }
        }
        Err(error) => PageError::from(error).into_response(),
    }
}
