//! The task form: `GET /tasks/new` (links and the way back prefilled from the query),
//! `POST /tasks`, `GET /tasks/{id}` (the task, editable), `POST /tasks/{id}` with its version,
//! `POST /tasks/{id}/delete`. The due time is typed in the organisation's zone; the deal,
//! company and contact are picked by name (`pages::picker`).

use crate::pages::notice::with_notice;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use orbita_app::{AppError, tasks};
use orbita_domain::access::{Action, Area};
use orbita_domain::task::{Task, TaskInput, TaskPriority};
use orbita_domain::{CompanyId, ContactId, DealId, TaskId, UserId, ValidationErrors};
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
pub struct TaskForm {
    pub title: String,
    pub description: String,
    pub due_at: String,
    pub assignee_id: String,
    pub priority: String,
    pub company_id: String,
    pub contact_id: String,
    pub deal_id: String,
    pub version: String,
    pub return_to: String,
    /// Custom fields as typed (`custom.<key>`), with whatever else the form posts.
    #[serde(flatten)]
    pub custom: custom_fields::Typed,
}

impl TaskForm {
    fn of(task: &Task, tz: &str) -> TaskForm {
        let f = &task.fields;
        let text = |id: Option<i64>| id.map(|i| i.to_string()).unwrap_or_default();
        TaskForm {
            title: f.title.clone(),
            description: f.description.clone().unwrap_or_default(),
            due_at: f.due_at.map(|d| wall_clock::local_datetime_value(d, tz)).unwrap_or_default(),
            assignee_id: f.assignee_id.to_string(),
            priority: f.priority.as_str().to_owned(),
            company_id: text(f.company_id.map(|c| c.0)),
            contact_id: text(f.contact_id.map(|c| c.0)),
            deal_id: text(f.deal_id.map(|d| d.0)),
            version: task.version.to_string(),
            return_to: String::new(),
            custom: custom_fields::Typed::new(),
        }
    }

    /// The domain input; the assignee defaults to the user, a malformed id or time is an error.
    fn input(&self, me: UserId, tz: &str, errors: &mut ValidationErrors) -> TaskInput {
        TaskInput {
            title: self.title.clone(),
            description: self.description.clone(),
            due_at: wall_clock::datetime_field(tz, &self.due_at, "due_at", errors),
            assignee_id: common::id_field(&self.assignee_id, "assignee_id", errors).unwrap_or(me),
            priority: TaskPriority::parse(&self.priority),
            company_id: common::id_field::<CompanyId>(&self.company_id, "company_id", errors),
            contact_id: common::id_field::<ContactId>(&self.contact_id, "contact_id", errors),
            deal_id: common::id_field::<DealId>(&self.deal_id, "deal_id", errors),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks/form.html")]
pub struct FormPage {
    pub layout: Layout,
    pub task: Option<Task>,
    pub form: TaskForm,
    pub errors: ValidationErrors,
    pub error_items: Vec<ErrorItem>,
    pub assignees: Vec<SelectOption>,
    pub priorities: Vec<SelectOption>,
    pub back: String,
    pub can_delete: bool,
    /// The linked deal's, company's and contact's names for the pickers.
    pub chosen: Chosen,
    pub custom: Vec<custom_fields::CustomInput>,
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    task: Option<Task>,
    form: TaskForm,
    errors: ValidationErrors,
) -> Result<FormPage, PageError> {
    let access = &user.session.access;
    let title = match &task {
        Some(t) => t.fields.title.clone(),
        None => user.t("tasks-new-title"),
    };
    let layout = user.page(title, Some(Nav::Tasks));
    let people = People(orbita_app::admin::users(&state.db, access).await?);
    let action = if task.is_some() { Action::Edit } else { Action::Create };
    let chosen =
        Chosen::load(&state.db, access, &layout, &form.company_id, &form.contact_id, &form.deal_id).await?;
    let priority = if form.priority.is_empty() { "normal" } else { form.priority.as_str() };
    let priorities = common::options(
        TaskPriority::ALL
            .iter()
            .map(|p| (p.as_str().to_owned(), layout.t(&format!("task-priority-{}", p.as_str())))),
        priority,
    );
    let fields = orbita_app::custom_fields::active(&state.db, RecordKind::Task).await?;
    let custom = custom_fields::inputs(&layout, &fields, &form.custom, &errors, &people.0);
    Ok(FormPage {
        error_items: custom_fields::error_items(&layout, &errors, &custom),
        custom,
        assignees: people.options(access, Area::Tasks, action, &form.assignee_id, None),
        back: common::return_to(&form.return_to, "/tasks"),
        can_delete: task
            .as_ref()
            .is_some_and(|t| access.covers_owner(Area::Tasks, Action::Delete, t.fields.assignee_id)),
        priorities,
        chosen,
        layout,
        task,
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

/// `GET /tasks/new?deal_id=&company_id=&contact_id=&return_to=`.
pub async fn new(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Response {
    let p = ListQuery::parse(raw.as_deref());
    let form = TaskForm {
        title: p.get("title").to_owned(),
        assignee_id: user.session.access.user_id().to_string(),
        company_id: p.get("company_id").to_owned(),
        contact_id: p.get("contact_id").to_owned(),
        deal_id: p.get("deal_id").to_owned(),
        return_to: p.get("return_to").to_owned(),
        ..TaskForm::default()
    };
    respond(page(&state, &user, None, form, ValidationErrors::default()).await, StatusCode::OK)
}

/// `POST /tasks`: creates, then goes back where the form came from.
pub async fn create(State(state): State<AppState>, user: SignedIn, Form(form): Form<TaskForm>) -> Response {
    let access = &user.session.access;
    let mut errors = ValidationErrors::default();
    let input = form.input(access.user_id(), &user.layout.time_zone, &mut errors);
    if !errors.is_empty() {
        merge_domain_errors(&input, &mut errors);
        return respond(page(&state, &user, None, form, errors).await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let custom = match orbita_app::custom_fields::active(&state.db, RecordKind::Task).await {
        Ok(fields) => custom_fields::sent(&user.layout, &fields, &form.custom),
        Err(error) => return PageError::from(error).into_response(),
    };
    match tasks::create_with_custom(&state.db, access, &input, Some(&custom)).await {
        Ok(_) => Redirect::to(&with_notice(&common::return_to(&form.return_to, "/tasks"), "task-added"))
            .into_response(),
        Err(AppError::Invalid(errors)) => {
            respond(page(&state, &user, None, form, errors).await, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

fn merge_domain_errors(input: &TaskInput, errors: &mut ValidationErrors) {
    if let Err(more) = input.validate() {
        for error in more.0 {
            if errors.field(&error.field).is_none() {
                errors.push(error);
            }
        }
    }
}

/// `GET /tasks/{id}`: the task in its form.
pub async fn edit(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Response {
    match tasks::get(&state.db, &user.session.access, TaskId(id)).await {
        Ok(task) => {
            let fields = match orbita_app::custom_fields::active(&state.db, RecordKind::Task).await {
                Ok(fields) => fields,
                Err(error) => return PageError::from(error).into_response(),
            };
            let form = TaskForm {
                return_to: ListQuery::parse(raw.as_deref()).get("return_to").to_owned(),
                custom: custom_fields::typed(&user.layout, &fields, &task.custom),
                ..TaskForm::of(&task, &user.layout.time_zone)
            };
            respond(page(&state, &user, Some(task), form, ValidationErrors::default()).await, StatusCode::OK)
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

/// `POST /tasks/{id}`.
pub async fn update(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<TaskForm>,
) -> Response {
    let access = &user.session.access;
    let id = TaskId(id);
    let task = match tasks::get(&state.db, access, id).await {
        Ok(task) => task,
        Err(error) => return PageError::from(error).into_response(),
    };
    let mut errors = ValidationErrors::default();
    let input = form.input(access.user_id(), &user.layout.time_zone, &mut errors);
    if !errors.is_empty() {
        merge_domain_errors(&input, &mut errors);
        return respond(
            page(&state, &user, Some(task), form, errors).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let custom = match orbita_app::custom_fields::active(&state.db, RecordKind::Task).await {
        Ok(fields) => Some(custom_fields::sent(&user.layout, &fields, &form.custom)),
        Err(error) => return PageError::from(error).into_response(),
    };
    let change = tasks::TaskChange { fields: Some(input), custom, ..tasks::TaskChange::default() };
    match tasks::change(&state.db, access, id, &change, common::id(&form.version)).await {
        Ok(_) => {
            Redirect::to(&with_notice(&common::return_to(&form.return_to, "/tasks"), "saved")).into_response()
        }
        Err(AppError::Invalid(errors)) => {
            respond(page(&state, &user, Some(task), form, errors).await, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Stale) => {
            let form = TaskForm { version: task.version.to_string(), ..form };
            match page(&state, &user, Some(task), form, ValidationErrors::default()).await {
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

/// `POST /tasks/{id}/delete` (the form's confirmation step is a `<details>` on the page).
pub async fn delete(State(state): State<AppState>, user: SignedIn, Path(id): Path<i64>) -> Response {
    match tasks::delete(&state.db, &user.session.access, TaskId(id)).await {
        Ok(()) => Redirect::to("/tasks?notice=deleted").into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}
