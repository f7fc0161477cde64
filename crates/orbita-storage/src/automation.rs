//! Automation rules and their runs: the rules an event sets off (read inside the deal write
//! that is the event), and one run per rule and event, recorded with the rule's work so that a
//! job run twice does it once.

use orbita_domain::automation::{
    Assignee, AssigneeKind, Rule, RuleAction, RuleFields, RuleRun, RunOutcome, TaskTemplate, Trigger,
};
use orbita_domain::task::TaskPriority;
use orbita_domain::{GroupId, PipelineId, StageId, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query, SelectStatement, SimpleExpr};

use crate::db::{Db, Tx};
use crate::error::{Result, StorageError};
use crate::values::corrupt;

const RULES: &str = "automation_rules";
const RUNS: &str = "automation_runs";
const RULE_COLUMNS: [&str; 25] = [
    "id",
    "name",
    "active",
    "pipeline_id",
    "stage_id",
    "trigger_event",
    "trigger_field",
    "condition",
    "delay_minutes",
    "task_title",
    "task_description",
    "task_priority",
    "assignee_kind",
    "assignee_user_id",
    "assignee_group_id",
    "due_minutes",
    "due_working",
    "due_field",
    "action",
    "target_stage_id",
    "set_field",
    "set_value",
    "webhook_id",
    "created_at",
    "updated_at",
];

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    name: String,
    active: bool,
    pipeline_id: i64,
    stage_id: Option<i64>,
    trigger_event: String,
    trigger_field: Option<String>,
    condition: Option<String>,
    delay_minutes: i64,
    task_title: String,
    task_description: Option<String>,
    task_priority: String,
    assignee_kind: String,
    assignee_user_id: Option<i64>,
    assignee_group_id: Option<i64>,
    due_minutes: Option<i64>,
    due_working: bool,
    due_field: Option<String>,
    action: String,
    target_stage_id: Option<i64>,
    set_field: Option<String>,
    set_value: Option<String>,
    webhook_id: Option<i64>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl TryFrom<RuleRow> for Rule {
    type Error = StorageError;

    fn try_from(r: RuleRow) -> Result<Rule> {
        let trigger = Trigger::parse(&r.trigger_event)
            .ok_or_else(|| corrupt(format!("rule trigger {:?}", r.trigger_event)))?;
        let kind = AssigneeKind::parse(&r.assignee_kind)
            .ok_or_else(|| corrupt(format!("rule assignee {:?}", r.assignee_kind)))?;
        let assignee =
            Assignee::from_parts(kind, r.assignee_user_id.map(UserId), r.assignee_group_id.map(GroupId))
                .ok_or_else(|| corrupt(format!("rule {} names no assignee", r.id)))?;
        let priority = TaskPriority::parse(&r.task_priority)
            .ok_or_else(|| corrupt(format!("rule priority {:?}", r.task_priority)))?;
        let action =
            RuleAction::parse(&r.action).ok_or_else(|| corrupt(format!("rule action {:?}", r.action)))?;
        Ok(Rule {
            id: r.id,
            fields: RuleFields {
                name: r.name,
                active: r.active,
                pipeline_id: PipelineId(r.pipeline_id),
                stage_id: r.stage_id.map(StageId),
                trigger,
                trigger_field: r.trigger_field,
                condition: r.condition,
                delay_minutes: r.delay_minutes,
                action,
                target_stage_id: r.target_stage_id.map(StageId),
                set_field: r.set_field,
                set_value: r.set_value,
                webhook_id: r.webhook_id,
                task: TaskTemplate {
                    title: r.task_title,
                    description: r.task_description,
                    assignee,
                    due_minutes: r.due_minutes,
                    due_working: r.due_working,
                    due_field: r.due_field,
                    priority,
                },
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn rules(rows: Vec<RuleRow>) -> Result<Vec<Rule>> {
    rows.into_iter().map(Rule::try_from).collect()
}

/// The columns a rule's fields are written to.
fn field_columns(f: &RuleFields) -> Vec<(&'static str, SimpleExpr)> {
    let task = &f.task;
    vec![
        ("name", f.name.clone().into()),
        ("active", f.active.into()),
        ("pipeline_id", f.pipeline_id.0.into()),
        ("stage_id", f.stage_id.map(|s| s.0).into()),
        ("trigger_event", f.trigger.as_str().into()),
        ("trigger_field", f.trigger_field.clone().into()),
        ("condition", f.condition.clone().into()),
        ("delay_minutes", f.delay_minutes.into()),
        ("task_title", task.title.clone().into()),
        ("task_description", task.description.clone().into()),
        ("task_priority", task.priority.as_str().into()),
        ("assignee_kind", task.assignee.kind().as_str().into()),
        ("assignee_user_id", task.assignee.user().map(|u| u.0).into()),
        ("assignee_group_id", task.assignee.group().map(|g| g.0).into()),
        ("due_minutes", task.due_minutes.into()),
        ("due_working", task.due_working.into()),
        ("due_field", task.due_field.clone().into()),
        ("action", f.action.as_str().into()),
        ("target_stage_id", f.target_stage_id.map(|s| s.0).into()),
        ("set_field", f.set_field.clone().into()),
        ("set_value", f.set_value.clone().into()),
        ("webhook_id", f.webhook_id.into()),
    ]
}

pub async fn insert(tx: &mut Tx, fields: &RuleFields, now: Timestamp) -> Result<i64> {
    let (mut names, mut values): (Vec<_>, Vec<_>) = field_columns(fields).into_iter().unzip();
    names.extend(["created_at", "updated_at"]);
    values.extend([now.into(), now.into()]);
    tx.insert(Query::insert().into_table(RULES).columns(names).values_panic(values).to_owned()).await
}

/// Saves a rule's fields; `false` when there is no such rule.
pub async fn update(tx: &mut Tx, id: i64, fields: &RuleFields, now: Timestamp) -> Result<bool> {
    let mut stmt = Query::update();
    stmt.table(RULES)
        .values(field_columns(fields))
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(id));
    Ok(tx.execute(&stmt).await? == 1)
}

/// Deletes a rule and its runs; `false` when there is no such rule.
pub async fn delete(tx: &mut Tx, id: i64) -> Result<bool> {
    // The runs go first: SQLite enforces the cascade only with foreign keys switched on.
    tx.execute(&Query::delete().from_table(RUNS).and_where(Expr::col("rule_id").eq(id)).to_owned()).await?;
    Ok(tx.execute(&Query::delete().from_table(RULES).and_where(Expr::col("id").eq(id)).to_owned()).await?
        == 1)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Rule>> {
    let stmt = Query::select().columns(RULE_COLUMNS).from(RULES).and_where(Expr::col("id").eq(id)).to_owned();
    let row: Option<RuleRow> = db.fetch_optional(&stmt).await?;
    row.map(Rule::try_from).transpose()
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<Rule>> {
    let stmt = Query::select().columns(RULE_COLUMNS).from(RULES).and_where(Expr::col("id").eq(id)).to_owned();
    let row: Option<RuleRow> = tx.fetch_optional(&stmt).await?;
    row.map(Rule::try_from).transpose()
}

/// Every rule, or a pipeline's, in the order they were made.
pub async fn list(db: &Db, pipeline: Option<PipelineId>) -> Result<Vec<Rule>> {
    let mut stmt = Query::select();
    stmt.columns(RULE_COLUMNS).from(RULES).order_by("id", Order::Asc);
    if let Some(pipeline) = pipeline {
        stmt.and_where(Expr::col("pipeline_id").eq(pipeline.0));
    }
    rules(db.fetch_all(&stmt).await?)
}

/// The active rules an event sets off: a deal created in `pipeline`, or one entering `stage`.
pub async fn set_off(
    tx: &mut Tx,
    pipeline: PipelineId,
    trigger: Trigger,
    stage: Option<StageId>,
) -> Result<Vec<Rule>> {
    let mut stmt = active_on(pipeline, trigger);
    if let Some(stage) = stage {
        stmt.and_where(Expr::col("stage_id").eq(stage.0));
    }
    rules(tx.fetch_all(&stmt).await?)
}

/// The active `field_changed` rules of `pipeline` watching one of `fields`: read inside every
/// deal edit that changes a field.
pub async fn set_off_by_fields(tx: &mut Tx, pipeline: PipelineId, fields: &[String]) -> Result<Vec<Rule>> {
    if fields.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = active_on(pipeline, Trigger::FieldChanged);
    stmt.and_where(Expr::col("trigger_field").is_in(fields.iter().map(String::as_str)));
    rules(tx.fetch_all(&stmt).await?)
}

/// The active rules of `pipeline` on `trigger`, oldest first: a range of
/// `automation_rules_event`.
fn active_on(pipeline: PipelineId, trigger: Trigger) -> SelectStatement {
    Query::select()
        .columns(RULE_COLUMNS)
        .from(RULES)
        .and_where(Expr::col("pipeline_id").eq(pipeline.0))
        .and_where(Expr::col("trigger_event").eq(trigger.as_str()))
        .and_where(Expr::col("active").eq(true))
        .order_by("id", Order::Asc)
        .to_owned()
}

/// A run about to be recorded.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub rule_id: i64,
    pub deal_id: i64,
    pub event_key: &'a str,
    pub outcome: RunOutcome,
    pub detail: Option<&'a str>,
    pub task_id: Option<i64>,
    pub assignee_id: Option<UserId>,
}

/// Records a run; `false` when this rule already ran for this event (the caller then rolls its
/// work back: it was done before).
pub async fn record_run(tx: &mut Tx, run: &NewRun<'_>, now: Timestamp) -> Result<bool> {
    let stmt = Query::insert()
        .into_table(RUNS)
        .columns([
            "rule_id",
            "deal_id",
            "event_key",
            "outcome",
            "detail",
            "task_id",
            "assignee_id",
            "occurred_at",
        ])
        .values_panic([
            run.rule_id.into(),
            run.deal_id.into(),
            run.event_key.into(),
            run.outcome.as_str().into(),
            run.detail.map(str::to_owned).into(),
            run.task_id.into(),
            run.assignee_id.map(|u| u.0).into(),
            now.into(),
        ])
        .on_conflict(OnConflict::columns(["rule_id", "event_key"]).do_nothing().to_owned())
        .returning_col("id")
        .to_owned();
    let id: Option<(i64,)> = tx.fetch_optional(&stmt).await?;
    Ok(id.is_some())
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    rule_id: i64,
    deal_id: i64,
    outcome: String,
    detail: Option<String>,
    task_id: Option<i64>,
    assignee_id: Option<i64>,
    occurred_at: Timestamp,
}

/// A rule's latest runs, newest first.
pub async fn runs(db: &Db, rule: i64, limit: u64) -> Result<Vec<RuleRun>> {
    let stmt = Query::select()
        .columns(["id", "rule_id", "deal_id", "outcome", "detail", "task_id", "assignee_id", "occurred_at"])
        .from(RUNS)
        .and_where(Expr::col("rule_id").eq(rule))
        .order_by("id", Order::Desc)
        .limit(limit)
        .to_owned();
    let rows: Vec<RunRow> = db.fetch_all(&stmt).await?;
    rows.into_iter()
        .map(|r| {
            Ok(RuleRun {
                outcome: RunOutcome::parse(&r.outcome)
                    .ok_or_else(|| corrupt(format!("run outcome {:?}", r.outcome)))?,
                id: r.id,
                rule_id: r.rule_id,
                deal_id: r.deal_id,
                detail: r.detail,
                task_id: r.task_id,
                assignee_id: r.assignee_id.map(UserId),
                occurred_at: r.occurred_at,
            })
        })
        .collect()
}

/// Who got this rule's task last (its round-robin turn), inside the write giving the next.
pub async fn last_assignee_in(tx: &mut Tx, rule: i64) -> Result<Option<UserId>> {
    let stmt = Query::select()
        .column("assignee_id")
        .from(RUNS)
        .and_where(Expr::col("rule_id").eq(rule))
        .and_where(Expr::col("assignee_id").is_not_null())
        .order_by("id", Order::Desc)
        .limit(1)
        .to_owned();
    let row: Option<(Option<i64>,)> = tx.fetch_optional(&stmt).await?;
    Ok(row.and_then(|(id,)| id).map(UserId))
}
