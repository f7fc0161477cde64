//! `/api/v1/tasks`: tasks linked to companies, contacts and deals, ordered by due time (tasks
//! without one last). `PATCH {"done": true}` ticks one off, as "My tasks" does.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use orbita_app::exports::{self, Format};
use orbita_app::{Access, AppError, Db, admin, filters, tasks};
use orbita_domain::access::Area;
use orbita_domain::custom::CustomSort;
use orbita_domain::kind::RecordKind;
use orbita_domain::list::{Cursor, CustomOrder, Page, TaskFilter};
use orbita_domain::task::{Task as TaskRecord, TaskInput};
use orbita_domain::{CompanyId, ContactId, DealId, FieldError, GroupId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::checks::{Checks, filter_time};
use crate::exports::{download, downloads};
use crate::extract::Params;
use crate::listing::{self, Listed};
use crate::paging::{SortKind, SortOption, page_of, sort_schema};
use crate::problem::ApiError;
use crate::resource::{self, record_handlers, served};
use crate::vocab::TaskPriority;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(export_xlsx))
        .routes(routes!(export_csv))
}

/// A task.
#[derive(Debug, Serialize, ToSchema)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub assignee_id: i64,
    pub priority: TaskPriority,
    pub company_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub deal_id: Option<i64>,
    pub author_id: Option<i64>,
    pub done: bool,
    pub done_at: Option<DateTime<Utc>>,
    /// Open and past its due time.
    pub overdue: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// The values of its custom fields (`GET /api/v1/fields/tasks`), by key.
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
}

served!(TaskRecord => Task, "/api/v1/tasks");

impl From<TaskRecord> for Task {
    fn from(t: TaskRecord) -> Self {
        let overdue = t.is_overdue(orbita_domain::now());
        let f = t.fields;
        Self {
            id: t.id.0,
            title: f.title,
            description: f.description,
            due_at: f.due_at,
            assignee_id: f.assignee_id.0,
            priority: f.priority.into(),
            company_id: f.company_id.map(|id| id.0),
            contact_id: f.contact_id.map(|id| id.0),
            deal_id: f.deal_id.map(|id| id.0),
            author_id: t.author_id.map(|u| u.0),
            done: t.done_at.is_some(),
            done_at: t.done_at,
            overdue,
            created_at: t.created_at,
            updated_at: t.updated_at,
            version: t.version,
            custom: Map::new(),
        }
    }
}

/// A new task; it is yours unless `assignee_id` says otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskWrite {
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub assignee_id: Option<i64>,
    /// `normal` when absent.
    #[serde(default)]
    pub priority: Option<TaskPriority>,
    #[serde(default)]
    pub company_id: Option<i64>,
    #[serde(default)]
    pub contact_id: Option<i64>,
    #[serde(default)]
    pub deal_id: Option<i64>,
    /// Whether it is done (PATCH; a new task is open).
    #[serde(default)]
    pub done: Option<bool>,
    /// Custom values by key; each checked against its field's type.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
}

/// Changes to a task (JSON merge patch); `done` ticks it off or reopens it.
#[derive(ToSchema)]
#[expect(dead_code, reason = "describes the PATCH body in the OpenAPI document; the body is merged as JSON")]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub assignee_id: Option<i64>,
    pub priority: Option<TaskPriority>,
    pub company_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub deal_id: Option<i64>,
    pub done: Option<bool>,
    /// Custom values to set, by key; `null` clears one, the others stay.
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
}

impl From<&TaskRecord> for TaskWrite {
    fn from(t: &TaskRecord) -> Self {
        let f = &t.fields;
        Self {
            title: f.title.clone(),
            description: f.description.clone(),
            due_at: f.due_at,
            assignee_id: Some(f.assignee_id.0),
            priority: Some(f.priority.into()),
            company_id: f.company_id.map(|id| id.0),
            contact_id: f.contact_id.map(|id| id.0),
            deal_id: f.deal_id.map(|id| id.0),
            done: Some(t.done_at.is_some()),
            // A PATCH's custom values are read from its body as sent (`null` clears).
            custom: None,
        }
    }
}

impl TaskWrite {
    /// Checks references and times; the form for the service.
    async fn input(
        &self,
        db: &Db,
        access: &Access,
        before: Option<&TaskWrite>,
    ) -> Result<TaskInput, ApiError> {
        let mut checks = Checks::new(db, access);
        let was = |get: fn(&TaskWrite) -> Option<i64>| before.and_then(get);
        checks.user("assignee_id", self.assignee_id, was(|t| t.assignee_id)).await;
        checks.record("company_id", RecordKind::Company, self.company_id, was(|t| t.company_id)).await;
        checks.record("contact_id", RecordKind::Contact, self.contact_id, was(|t| t.contact_id)).await;
        checks.record("deal_id", RecordKind::Deal, self.deal_id, was(|t| t.deal_id)).await;
        let due_at = checks.time("due_at", self.due_at);
        if before.is_none() && self.done == Some(true) {
            checks.push(FieldError::new(
                "done",
                "task-new-open",
                "A new task is open: mark it done with PATCH",
            ));
        }
        checks.finish()?;
        Ok(TaskInput {
            title: self.title.clone(),
            description: self.description.clone().unwrap_or_default(),
            due_at,
            // Cleared (`null`) means unchanged; a new task is the caller's own.
            assignee_id: UserId(self.assignee_id.or(was(|t| t.assignee_id)).unwrap_or(access.user_id().0)),
            priority: self.priority.map(Into::into),
            company_id: self.company_id.map(CompanyId),
            contact_id: self.contact_id.map(ContactId),
            deal_id: self.deal_id.map(DealId),
        })
    }
}

impl TaskWrite {
    /// Whether anything but `done` differs.
    fn fields_differ(&self, other: &TaskWrite) -> bool {
        TaskWrite { done: None, custom: None, ..self.clone() }
            != TaskWrite { done: None, custom: None, ..other.clone() }
    }
}

page_of!(TaskPage, Task);

fn sorts() -> RefOr<Schema> {
    sort_schema(&["due_at"], false)
}

/// The list's filters and order (its download takes them too).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    assignee_id: Option<i64>,
    /// Only the tasks assigned to a member of this user group (within `assignee_id` when both
    /// are given, and within what you may see).
    group_id: Option<i64>,
    /// Only done (`true`) or only open (`false`) tasks.
    done: Option<bool>,
    /// Open tasks due before this time (overdue ones: now).
    due_before: Option<DateTime<Utc>>,
    /// Tasks done at or after this time.
    done_from: Option<DateTime<Utc>>,
    /// Tasks done before this time.
    done_to: Option<DateTime<Utc>>,
    company_id: Option<i64>,
    contact_id: Option<i64>,
    deal_id: Option<i64>,
    /// A condition as JSON, beside the other parameters (see the deals list's `filter` for the
    /// tree and its comparisons). Fields: title, due_at, assignee_id, author_id, priority, company_id, contact_id, deal_id, done_at, created_at, updated_at.
    filter: Option<String>,
    /// `due_at` (default): earliest first, tasks without a due time last; or `custom.<key>`
    /// (`-custom.<key>` descending) to order by a custom field.
    #[param(schema_with = sorts)]
    sort: Option<String>,
}

impl Listed for TaskRecord {
    type Query = TaskQuery;
    type Filter = TaskFilter;
    /// Its own order, or a custom field's.
    type Sort = Option<CustomSort>;
    const SORTS: &'static [SortOption<Option<CustomSort>>] =
        &[SortOption { key: "due_at", by: None, kind: SortKind::Time }];
    const DEFAULT_SORT: &'static str = "due_at";

    fn custom_sort(by: CustomSort) -> Option<CustomSort> {
        Some(by)
    }

    fn sort(query: &TaskQuery) -> Option<&str> {
        query.sort.as_deref()
    }

    /// The group is resolved to its members (`admin::group_owners`).
    async fn filter(query: TaskQuery, db: &Db, access: &Access) -> Result<TaskFilter, ApiError> {
        let group = query.group_id.map(GroupId);
        let owner_ids =
            admin::group_owners(db, access, Area::Tasks, group, query.assignee_id.map(|a| vec![UserId(a)]))
                .await?;
        Ok(TaskFilter {
            assignee_ids: owner_ids,
            done: query.done,
            due_before: filter_time("due_before", query.due_before)?,
            done_from: filter_time("done_from", query.done_from)?,
            done_to: filter_time("done_to", query.done_to)?,
            company_id: query.company_id.map(CompanyId),
            contact_id: query.contact_id.map(ContactId),
            deal_id: query.deal_id.map(DealId),
            visible: None,
            order: None,
            tree: filters::optional(db, query.filter.as_deref(), RecordKind::Task).await?,
        })
    }

    async fn list(
        db: &Db,
        access: &Access,
        filter: &TaskFilter,
        by: Option<CustomSort>,
        descending: bool,
        after: Option<&Cursor>,
        limit: u64,
    ) -> Result<Page<Self>, AppError> {
        let order = by.map(|by| CustomOrder { by, descending });
        tasks::list(db, access, &TaskFilter { order, ..filter.clone() }, after, limit).await
    }
}

downloads!(
    export,
    tag = "tasks",
    params = TaskQuery,
    columns = crate::exports::CustomColumns,
    export_xlsx = "/api/v1/tasks.xlsx",
    "Download the tasks as XLSX",
    export_csv = "/api/v1/tasks.csv",
    "Download the tasks as CSV",
);

/// Every task the list would show, in its order, as a file; `status` is `open`, `overdue` or
/// `done`.
async fn export(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<TaskQuery>,
    Params(columns): Params<crate::exports::CustomColumns>,
    format: Format,
) -> Result<Response, ApiError> {
    let (by, descending) = listing::order::<TaskRecord>(&state.db, &caller.access, &query).await?;
    let filter = TaskRecord::filter(query, &state.db, &caller.access).await?;
    let order = by.map(|by| CustomOrder { by, descending });
    let export = exports::FixedExport { filter: TaskFilter { order, ..filter }, custom: columns.keys()? };
    download(&state.db, &caller, &export, format).await
}

impl resource::Written for TaskRecord {
    type Write = TaskWrite;

    async fn create(db: &Db, access: &Access, body: &TaskWrite) -> Result<Self, ApiError> {
        let input = body.input(db, access, None).await?;
        Ok(tasks::create_with_custom(db, access, &input, body.custom.as_ref()).await?)
    }

    /// Fields and done in one service call.
    async fn change(
        db: &Db,
        access: &Access,
        current: Self,
        before: &TaskWrite,
        after: &TaskWrite,
        custom: Option<Map<String, Value>>,
    ) -> Result<Self, ApiError> {
        let input = after.input(db, access, Some(before)).await?;
        let change = tasks::TaskChange {
            fields: after.fields_differ(before).then_some(input),
            done: after.done.filter(|d| *d != current.done_at.is_some()),
            custom,
        };
        Ok(tasks::change(db, access, current.id, &change, Some(current.version)).await?)
    }
}

record_handlers!(
    TaskRecord,
    tag = "tasks",
    path = "/api/v1/tasks",
    one = "/api/v1/tasks/{id}",
    id = "Task id",
    query = TaskQuery,
    page = TaskPage,
    json = Task,
    list = ("List tasks.", "A page of tasks"),
    get = ("Read one task.", "The task"),
    delete = "Delete a task.",
    create = ("Create a task.", TaskWrite, "Created", "The new task's URL"),
    update = ("Change a task (JSON merge patch), or tick it off.", TaskPatch, "The changed task"),
);
