//! `/api/v1/automation-rules`: the pipelines' automation rules ("robots"), for administrators:
//! list, create, read, change (a JSON merge patch), delete, and a rule's latest runs.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use orbita_app::automation;
use orbita_domain::automation::{Rule as DomainRule, RuleInput, RuleRun};
use orbita_domain::{GroupId, PipelineId, StageId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::extract::{Body, Id, Params};
use crate::patch;
use crate::problem::ApiError;
use crate::vocab::{AssigneeKind, RuleAction, RunOutcome, TaskPriority, Trigger};

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, change, delete))
        .routes(routes!(runs))
        .routes(routes!(test_run))
}

/// What a rule says, as it is written and read. Created with `name`, `pipeline_id`,
/// `task_title` and, for `stage_entered`, `stage_id`; the rest has defaults.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleWrite {
    #[serde(default)]
    pub name: String,
    /// Default `true`; a rule switched off is not set off.
    pub active: Option<bool>,
    pub pipeline_id: Option<i64>,
    /// The stage entered (`stage_entered`); ignored for `deal_created`.
    pub stage_id: Option<i64>,
    /// Default `stage_entered`.
    pub trigger: Option<Trigger>,
    /// The deal field whose change sets off a `field_changed` rule: `amount`, `owner_id`,
    /// `expected_close_date`, `source`, `title`, `company_id`, `contact_id`, `notes` or
    /// `custom.<key>`; ignored for the other triggers.
    #[schema(max_length = 100)]
    pub trigger_field: Option<String>,
    /// A filter tree over the deal's fields, as the lists' `filter=` takes it; `null`: every
    /// deal.
    #[schema(value_type = Option<Object>)]
    pub condition: Option<Value>,
    /// Minutes after the event before the task is set (0–43200; default 0).
    #[schema(minimum = 0, maximum = 43200)]
    pub delay_minutes: Option<i64>,
    /// The task's title: `{title}`, `{amount}`, `{source}` and `{stage}` name the deal's.
    #[serde(default)]
    pub task_title: String,
    #[serde(default)]
    pub task_description: String,
    /// Default `deal_owner`.
    pub assignee: Option<AssigneeKind>,
    pub assignee_user_id: Option<i64>,
    pub assignee_group_id: Option<i64>,
    /// The task's deadline in minutes from when it is set (0–525600); `null`: none.
    #[schema(minimum = 0, maximum = 525600)]
    pub due_minutes: Option<i64>,
    /// Whether `due_minutes` counts only the organisation's working hours (default `false`):
    /// "within 15 minutes" set at 21:00 is due at 09:15 the next working day.
    pub due_in_working_hours: Option<bool>,
    /// The task is due on a date of the deal instead: `expected_close_date` or a custom date or
    /// date-time field (`custom.measure_date`); a date at the start of that working day. A deal
    /// without the date falls back on `due_minutes`.
    #[schema(max_length = 100)]
    pub due_field: Option<String>,
    pub priority: Option<TaskPriority>,
    /// What the rule does (default `set_task`); `task_title` is a notice's text, the assignee
    /// who is told or who gets the deal.
    pub action: Option<RuleAction>,
    /// Where a `move_stage` rule moves the deal: a stage of the rule's pipeline.
    pub target_stage_id: Option<i64>,
    /// The deal field a `set_field` rule sets: `title`, `amount`, `expected_close_date`,
    /// `source`, `notes` or `custom.<key>` (not a link to a record).
    #[schema(max_length = 100)]
    pub set_field: Option<String>,
    /// The value it writes, as the deal's form takes it (`150000`, `2026-12-31`, an option of
    /// a list); empty or `null` empties the field. Checked against the field when the rule is
    /// saved (422 on `set_value`).
    #[schema(max_length = 10000)]
    pub set_value: Option<String>,
    /// The webhook a `call_webhook` rule calls (`/api/v1/webhooks`): a POST of the event
    /// `automation.rule` with `{"rule": {"id", "name"}, "deal": {…}}`, signed like any delivery.
    pub webhook_id: Option<i64>,
}

impl RuleWrite {
    fn input(&self) -> RuleInput {
        RuleInput {
            name: self.name.clone(),
            active: self.active,
            pipeline_id: self.pipeline_id.map(PipelineId),
            stage_id: self.stage_id.map(StageId),
            trigger: self.trigger.map(Into::into),
            trigger_field: self.trigger_field.clone(),
            // A tree arrives as JSON and is kept as its text; `null` is none.
            condition: self.condition.as_ref().filter(|c| !c.is_null()).map(Value::to_string),
            delay_minutes: self.delay_minutes,
            task_title: self.task_title.clone(),
            task_description: self.task_description.clone(),
            assignee: self.assignee.map(Into::into),
            assignee_user_id: self.assignee_user_id.map(UserId),
            assignee_group_id: self.assignee_group_id.map(GroupId),
            due_minutes: self.due_minutes,
            due_working: self.due_in_working_hours,
            due_field: self.due_field.clone(),
            priority: self.priority.map(Into::into),
            action: self.action.map(Into::into),
            target_stage_id: self.target_stage_id.map(StageId),
            set_field: self.set_field.clone(),
            set_value: self.set_value.clone(),
            webhook_id: self.webhook_id,
        }
    }
}

impl From<&DomainRule> for RuleWrite {
    fn from(rule: &DomainRule) -> Self {
        let i = RuleInput::from(&rule.fields);
        RuleWrite {
            name: i.name,
            active: i.active,
            pipeline_id: i.pipeline_id.map(|p| p.0),
            stage_id: i.stage_id.map(|s| s.0),
            trigger: i.trigger.map(Into::into),
            trigger_field: i.trigger_field,
            condition: i.condition.as_deref().and_then(|c| serde_json::from_str(c).ok()),
            delay_minutes: i.delay_minutes,
            task_title: i.task_title,
            task_description: i.task_description,
            assignee: i.assignee.map(Into::into),
            assignee_user_id: i.assignee_user_id.map(|u| u.0),
            assignee_group_id: i.assignee_group_id.map(|g| g.0),
            due_minutes: i.due_minutes,
            due_in_working_hours: i.due_working,
            due_field: i.due_field,
            priority: i.priority.map(Into::into),
            action: i.action.map(Into::into),
            target_stage_id: i.target_stage_id.map(|s| s.0),
            set_field: i.set_field,
            set_value: i.set_value,
            webhook_id: i.webhook_id,
        }
    }
}

/// A rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub pipeline_id: i64,
    /// The stage entered; `null` for `deal_created`.
    pub stage_id: Option<i64>,
    pub trigger: Trigger,
    /// The watched field of a `field_changed` rule; `null` for the others.
    pub trigger_field: Option<String>,
    /// A filter tree over the deal's fields; `null`: every deal.
    #[schema(value_type = Option<Object>)]
    pub condition: Option<Value>,
    pub delay_minutes: i64,
    pub task_title: String,
    pub task_description: String,
    pub assignee: AssigneeKind,
    pub assignee_user_id: Option<i64>,
    pub assignee_group_id: Option<i64>,
    pub due_minutes: Option<i64>,
    /// Whether `due_minutes` counts only the organisation's working hours.
    pub due_in_working_hours: bool,
    /// The deal's date the task is due on; `null`: counted from `due_minutes`.
    pub due_field: Option<String>,
    pub priority: TaskPriority,
    pub action: RuleAction,
    pub target_stage_id: Option<i64>,
    /// A `set_field` rule's field and value; `null` for the other actions.
    pub set_field: Option<String>,
    pub set_value: Option<String>,
    /// A `call_webhook` rule's webhook; `null` for the others, or when the webhook was deleted.
    pub webhook_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&DomainRule> for Rule {
    fn from(rule: &DomainRule) -> Self {
        let f = &rule.fields;
        Rule {
            id: rule.id,
            name: f.name.clone(),
            active: f.active,
            pipeline_id: f.pipeline_id.0,
            stage_id: f.stage_id.map(|s| s.0),
            trigger: f.trigger.into(),
            trigger_field: f.trigger_field.clone(),
            condition: f.condition.as_deref().and_then(|c| serde_json::from_str(c).ok()),
            delay_minutes: f.delay_minutes,
            task_title: f.task.title.clone(),
            task_description: f.task.description.clone().unwrap_or_default(),
            assignee: f.task.assignee.kind().into(),
            assignee_user_id: f.task.assignee.user().map(|u| u.0),
            assignee_group_id: f.task.assignee.group().map(|g| g.0),
            due_minutes: f.task.due_minutes,
            due_in_working_hours: f.task.due_working,
            due_field: f.task.due_field.clone(),
            priority: f.task.priority.into(),
            action: f.action.into(),
            target_stage_id: f.target_stage_id.map(|s| s.0),
            set_field: f.set_field.clone(),
            set_value: f.set_value.clone(),
            webhook_id: f.webhook_id,
            created_at: rule.created_at,
            updated_at: rule.updated_at,
        }
    }
}

/// Every rule (an organisation has dozens); never paged.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleList {
    pub items: Vec<Rule>,
    /// Always `null`.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RuleQuery {
    /// Only this pipeline's rules.
    pipeline_id: Option<i64>,
}

/// List automation rules (administrators).
#[utoipa::path(get, path = "/api/v1/automation-rules", tag = "automation", params(RuleQuery),
    responses((status = 200, description = "The rules, oldest first", body = RuleList)))]
async fn list(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<RuleQuery>,
) -> Result<Json<RuleList>, ApiError> {
    let rules = automation::rules(&state.db, &caller.access, query.pipeline_id.map(PipelineId)).await?;
    Ok(Json(RuleList { items: rules.iter().map(Rule::from).collect(), next_cursor: None }))
}

/// Create an automation rule (administrators).
#[utoipa::path(post, path = "/api/v1/automation-rules", tag = "automation", request_body = RuleWrite,
    responses((status = 201, description = "Created", body = Rule)))]
async fn create(
    State(state): State<ApiState>,
    caller: Caller,
    Body(body): Body<RuleWrite>,
) -> Result<Response, ApiError> {
    let rule = automation::create(&state.db, &caller.access, &body.input()).await?;
    Ok((StatusCode::CREATED, Json(Rule::from(&rule))).into_response())
}

/// Read an automation rule (administrators).
#[utoipa::path(get, path = "/api/v1/automation-rules/{id}", tag = "automation",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 200, description = "The rule", body = Rule)))]
async fn get(State(state): State<ApiState>, caller: Caller, Id(id): Id) -> Result<Json<Rule>, ApiError> {
    Ok(Json(Rule::from(&automation::get(&state.db, &caller.access, id).await?)))
}

/// Change an automation rule: a JSON merge patch over its fields (administrators).
#[utoipa::path(patch, path = "/api/v1/automation-rules/{id}", tag = "automation",
    params(("id" = i64, Path, description = "Rule id")), request_body = RuleWrite,
    responses((status = 200, description = "The changed rule", body = Rule)))]
async fn change(
    State(state): State<ApiState>,
    caller: Caller,
    Id(id): Id,
    Body(body): Body<Value>,
) -> Result<Json<Rule>, ApiError> {
    let before = automation::get(&state.db, &caller.access, id).await?;
    let merged: RuleWrite = patch::apply(&RuleWrite::from(&before), &body)?;
    Ok(Json(Rule::from(&automation::update(&state.db, &caller.access, id, &merged.input()).await?)))
}

/// Delete an automation rule with its history (administrators).
#[utoipa::path(delete, path = "/api/v1/automation-rules/{id}", tag = "automation",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 204, description = "Deleted")))]
async fn delete(State(state): State<ApiState>, caller: Caller, Id(id): Id) -> Result<StatusCode, ApiError> {
    automation::delete(&state.db, &caller.access, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One run of a rule on a deal.
#[derive(Debug, Serialize, ToSchema)]
pub struct Run {
    pub id: i64,
    pub deal_id: i64,
    pub outcome: RunOutcome,
    /// Why it was skipped or failed.
    pub detail: Option<String>,
    /// The task it set.
    pub task_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub occurred_at: DateTime<Utc>,
}

impl From<RuleRun> for Run {
    fn from(r: RuleRun) -> Self {
        Run {
            id: r.id,
            deal_id: r.deal_id,
            outcome: r.outcome.into(),
            detail: r.detail,
            task_id: r.task_id,
            assignee_id: r.assignee_id.map(|u| u.0),
            occurred_at: r.occurred_at,
        }
    }
}

/// A rule's latest runs (at most 50), newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunList {
    pub items: Vec<Run>,
    /// Always `null`.
    pub next_cursor: Option<String>,
}

/// A rule's latest runs: fired, skipped (and why) or failed (administrators).
#[utoipa::path(get, path = "/api/v1/automation-rules/{id}/runs", tag = "automation",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 200, description = "The latest runs, newest first", body = RunList)))]
async fn runs(State(state): State<ApiState>, caller: Caller, Id(id): Id) -> Result<Json<RunList>, ApiError> {
    automation::get(&state.db, &caller.access, id).await?;
    let items = automation::runs(&state.db, &caller.access, id).await?;
    Ok(Json(RunList { items: items.into_iter().map(Run::from).collect(), next_cursor: None }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestRunWrite {
    /// The deal to try the rule on.
    pub deal_id: i64,
}

/// The task a test run would set.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewTask {
    pub title: String,
    pub assignee_id: i64,
    pub due_at: Option<DateTime<Utc>>,
}

/// The notice a test run would send.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewNotice {
    pub text: String,
    pub recipient_id: i64,
}

/// What the rule would do for the deal now; nothing was changed. One of `task`, `notice`,
/// `new_owner_id`, `stage_id`, `set_field` and `webhook_url` is set when it would act.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestRun {
    /// Whether it would act.
    pub would_fire: bool,
    /// Why it would not.
    pub reason: Option<String>,
    pub task: Option<PreviewTask>,
    pub notice: Option<PreviewNotice>,
    pub new_owner_id: Option<i64>,
    pub stage_id: Option<i64>,
    pub set_field: Option<PreviewField>,
    /// The address the webhook would be called at.
    pub webhook_url: Option<String>,
}

/// The field a rule would set, and to what (`null`: emptied).
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewField {
    pub field: String,
    pub value: Option<String>,
}

/// Try a rule on a deal: what it would do now, without doing it (administrators).
#[utoipa::path(post, path = "/api/v1/automation-rules/{id}/test", tag = "automation",
    params(("id" = i64, Path, description = "Rule id")), request_body = TestRunWrite,
    responses((status = 200, description = "What the rule would do", body = TestRun)))]
async fn test_run(
    State(state): State<ApiState>,
    caller: Caller,
    Id(id): Id,
    Body(body): Body<TestRunWrite>,
) -> Result<Json<TestRun>, ApiError> {
    let preview =
        automation::test_run(&state.db, &caller.access, id, orbita_domain::DealId(body.deal_id)).await?;
    let nothing = TestRun {
        would_fire: true,
        reason: None,
        task: None,
        notice: None,
        new_owner_id: None,
        stage_id: None,
        set_field: None,
        webhook_url: None,
    };
    Ok(Json(match preview {
        automation::Preview::Skip(reason) => TestRun { would_fire: false, reason: Some(reason), ..nothing },
        automation::Preview::Task { title, assignee, due_at } => {
            TestRun { task: Some(PreviewTask { title, assignee_id: assignee.0, due_at }), ..nothing }
        }
        automation::Preview::Notice { text, recipient } => {
            TestRun { notice: Some(PreviewNotice { text, recipient_id: recipient.0 }), ..nothing }
        }
        automation::Preview::Owner(owner) => TestRun { new_owner_id: Some(owner.0), ..nothing },
        automation::Preview::Move(stage) => TestRun { stage_id: Some(stage.0), ..nothing },
        automation::Preview::Field { field, value } => {
            TestRun { set_field: Some(PreviewField { field, value }), ..nothing }
        }
        automation::Preview::Webhook(url) => TestRun { webhook_url: Some(url), ..nothing },
    }))
}
