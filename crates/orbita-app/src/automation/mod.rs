//! Automation rules ("robots"): administrators set them per pipeline and stage; a deal write
//! that creates a deal or moves it to a stage queues a job per rule it sets off, in its own
//! transaction, so the rule runs only if the write commits and never fails it. The job
//! (`run`) checks the rule's condition against the deal as it is then and sets the task, as
//! the rule ("automation: <name>" in the audit log), once per event.

mod run;

use orbita_domain::FieldError;
use orbita_domain::access::{Action, Area};
use orbita_domain::automation::{self, MAX_CHAIN, Rule, RuleFields, RuleInput, RuleRun, RunOutcome, Trigger};
use orbita_domain::custom::CustomField;
use orbita_domain::deal::DealFields;
use orbita_domain::kind::RecordKind;
use orbita_domain::{DealId, PipelineId, StageId, Timestamp, ValidationErrors};
use orbita_storage::automation as store;
use orbita_storage::{Db, Tx, pipelines, users};

use crate::jobs::{self, Work};
use crate::{Access, AppError, audit_trail, filters};

pub use run::{Preview, run};

const ENTITY: &str = "automation_rule";
/// Runs shown on a rule.
pub const RUNS_SHOWN: u64 = 50;

/// `Forbidden` unless the user may edit rules (administrators): for the forms before any
/// rule is read.
pub fn may_edit(access: &Access) -> Result<(), AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)
}

/// Every rule, or a pipeline's.
pub async fn rules(db: &Db, access: &Access, pipeline: Option<PipelineId>) -> Result<Vec<Rule>, AppError> {
    access.require_all(Area::UsersAndSettings, Action::View)?;
    Ok(store::list(db, pipeline).await?)
}

pub async fn get(db: &Db, access: &Access, id: i64) -> Result<Rule, AppError> {
    access.require_all(Area::UsersAndSettings, Action::View)?;
    store::get(db, id).await?.ok_or(AppError::NotFound)
}

/// A rule's latest runs, newest first.
pub async fn runs(db: &Db, access: &Access, id: i64) -> Result<Vec<RuleRun>, AppError> {
    access.require_all(Area::UsersAndSettings, Action::View)?;
    Ok(store::runs(db, id, RUNS_SHOWN).await?)
}

/// What the rule would do for the deal now, doing nothing (administrators): a "test run".
pub async fn test_run(db: &Db, access: &Access, id: i64, deal: DealId) -> Result<Preview, AppError> {
    let rule = get(db, access, id).await?;
    let deal = match orbita_storage::deals::get(db, deal).await {
        Ok(deal) => deal,
        Err(orbita_storage::StorageError::NotFound) => {
            return Err(
                FieldError::new("deal_id", "automation-deal-unknown", "No deal with this number").into()
            );
        }
        Err(other) => return Err(other.into()),
    };
    if deal.pipeline_id != rule.fields.pipeline_id {
        return Ok(Preview::Skip("the deal is in another pipeline".to_owned()));
    }
    run::preview(db, &rule, &deal).await
}

/// The rule's fields, every reference checked: a stage of its pipeline, an active user, a
/// group, a condition that reads as a filter over deals.
async fn checked(db: &Db, input: &RuleInput) -> Result<RuleFields, AppError> {
    let fields = input.validate()?;
    let mut errors = ValidationErrors::default();
    if !pipelines::list(db).await?.iter().any(|p| p.id == fields.pipeline_id) {
        errors.push(FieldError::new("pipeline_id", "automation-pipeline-required", "Choose a pipeline"));
    }
    let named = [("stage_id", fields.stage_id), ("target_stage_id", fields.target_stage_id)];
    if named.iter().any(|(_, stage)| stage.is_some()) {
        let stages = pipelines::stages(db).await?;
        for (field, stage) in named {
            if let Some(stage) = stage
                && !stages.iter().any(|s| s.id == stage && s.pipeline_id == fields.pipeline_id)
            {
                errors.push(FieldError::new(field, "stage-unknown", "Choose a stage of the deal's pipeline"));
            }
        }
    }
    if let Some(user) = fields.task.assignee.user() {
        let active = users::list(db).await?.iter().any(|u| u.id == user && u.is_active);
        if !active {
            errors.push(FieldError::new(
                "assignee_user_id",
                "automation-user-unknown",
                "Choose an active user",
            ));
        }
    }
    if let Some(group) = fields.task.assignee.group()
        && !users::groups(db).await?.iter().any(|g| g.id == group)
    {
        errors.push(FieldError::new("assignee_group_id", "automation-group-unknown", "Choose a group"));
    }
    if fields.trigger_field.is_some() || fields.task.due_field.is_some() || fields.set_field.is_some() {
        let custom = crate::custom_fields::active(db, RecordKind::Deal).await?;
        if let Some(set) = &fields.set_field {
            errors.0.extend(set_value_errors(set, fields.set_value.as_deref(), &custom));
        }
        if let Some(watched) = &fields.trigger_field
            && !automation::watchable_fields(&custom).contains(watched)
        {
            errors.push(FieldError::new(
                "trigger_field",
                "automation-field-unknown",
                "Choose a field of deals",
            ));
        }
        if let Some(on) = &fields.task.due_field
            && !automation::date_fields(&custom).contains(on)
        {
            errors.push(FieldError::new(
                "due_field",
                "automation-date-field-unknown",
                "Choose a date field of deals",
            ));
        }
    }
    if let Some(webhook) = fields.webhook_id
        && !orbita_storage::webhooks::list(db).await?.iter().any(|h| h.id == webhook)
    {
        errors.push(FieldError::new("webhook_id", "automation-webhook-unknown", "Choose a webhook"));
    }
    if let Some(condition) = &fields.condition {
        match filters::from_json(db, condition, RecordKind::Deal).await {
            Ok(_) => {}
            Err(AppError::Invalid(refused)) => {
                // The condition is one field of the rule: its messages are moved onto it.
                for e in refused.0 {
                    errors.push(FieldError { field: e.field.replacen("filter", "condition", 1), ..e });
                }
            }
            Err(other) => return Err(other),
        }
    }
    errors.into_result()?;
    Ok(fields)
}

/// Whether a `set_field` rule names a field it may set and a value that field takes, as
/// the deal's form or its custom field would check it.
fn set_value_errors(key: &str, value: Option<&str>, custom: &[CustomField]) -> Vec<FieldError> {
    if !automation::settable_fields(custom).iter().any(|f| f == key) {
        return vec![FieldError::new("set_field", "automation-field-unknown", "Choose a field of deals")];
    }
    let raw = value.unwrap_or_default();
    let refused = match key.strip_prefix("custom.") {
        Some(custom_key) => custom
            .iter()
            .find(|f| f.key == custom_key)
            .and_then(|f| {
                orbita_domain::custom::parse_value(f, &serde_json::Value::String(raw.to_owned())).err()
            })
            .map(|message| vec![FieldError::new("set_value", "custom-value", message)]),
        None => DealFields::check_value(key, raw).err().map(|errors| errors.0),
    };
    refused
        .unwrap_or_default()
        .into_iter()
        .map(|e| FieldError { field: "set_value".to_owned(), ..e })
        .collect()
}

/// The rule as the audit log shows it.
fn view(f: &RuleFields) -> Vec<(&'static str, Option<String>)> {
    let task = &f.task;
    vec![
        ("name", Some(f.name.clone())),
        ("active", Some(f.active.to_string())),
        ("pipeline_id", Some(f.pipeline_id.to_string())),
        ("stage_id", f.stage_id.map(|s| s.to_string())),
        ("trigger", Some(f.trigger.as_str().to_owned())),
        ("trigger_field", f.trigger_field.clone()),
        ("condition", f.condition.clone()),
        ("delay_minutes", Some(f.delay_minutes.to_string())),
        ("task_title", Some(task.title.clone())),
        ("task_description", task.description.clone()),
        ("assignee", Some(task.assignee.kind().as_str().to_owned())),
        ("assignee_user_id", task.assignee.user().map(|u| u.to_string())),
        ("assignee_group_id", task.assignee.group().map(|g| g.to_string())),
        ("due_minutes", task.due_minutes.map(|m| m.to_string())),
        ("due_working", Some(task.due_working.to_string())),
        ("due_field", task.due_field.clone()),
        ("priority", Some(task.priority.as_str().to_owned())),
        ("action", Some(f.action.as_str().to_owned())),
        ("target_stage_id", f.target_stage_id.map(|s| s.to_string())),
        ("set_field", f.set_field.clone()),
        ("set_value", f.set_value.clone()),
        ("webhook_id", f.webhook_id.map(|w| w.to_string())),
    ]
}

pub async fn create(db: &Db, access: &Access, input: &RuleInput) -> Result<Rule, AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)?;
    let fields = checked(db, input).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &fields, now).await?;
    audit_trail::configured(&mut tx, &access.context(), ENTITY, id, None, Some(&view(&fields)), now).await?;
    tx.commit().await?;
    store::get(db, id).await?.ok_or(AppError::NotFound)
}

pub async fn update(db: &Db, access: &Access, id: i64, input: &RuleInput) -> Result<Rule, AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)?;
    let fields = checked(db, input).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = store::get_in(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if !store::update(&mut tx, id, &fields, now).await? {
        return Err(AppError::NotFound);
    }
    let (was, now_is) = (view(&before.fields), view(&fields));
    audit_trail::configured(&mut tx, &access.context(), ENTITY, id, Some(&was), Some(&now_is), now).await?;
    tx.commit().await?;
    store::get(db, id).await?.ok_or(AppError::NotFound)
}

/// Deletes a rule with its history; its jobs still queued find it gone and do nothing.
pub async fn delete(db: &Db, access: &Access, id: i64) -> Result<(), AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = store::get_in(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    store::delete(&mut tx, id).await?;
    audit_trail::configured(&mut tx, &access.context(), ENTITY, id, Some(&view(&before.fields)), None, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// An event on a deal that rules may be set off by.
#[derive(Debug, Clone)]
pub(crate) enum DealEvent {
    Created,
    EnteredStage(StageId),
    /// The keys of the fields an edit changed (`amount`, `owner_id`, `custom.window_type`).
    FieldsChanged(Vec<String>),
    /// A task of the deal fell overdue (the overdue scan finds each once).
    TaskOverdue(i64),
}

/// Queues a job for each active rule `event` sets off, inside the deal's write: one indexed
/// look-up, and the rules' work is done after the write commits. Each job has a key naming the
/// rule, the deal and the moment, so the same event never queues a rule twice. `chain` counts
/// the rules' moves that led to the event; past [`MAX_CHAIN`] the rules are not run and each
/// records why, so a loop of rules moving a deal back and forth stops and shows on the rules.
pub(crate) async fn deal_event_in(
    tx: &mut Tx,
    deal: DealId,
    pipeline: PipelineId,
    event: DealEvent,
    chain: u32,
    now: Timestamp,
) -> Result<(), AppError> {
    let (rules, name) = match event {
        DealEvent::Created => {
            (store::set_off(tx, pipeline, Trigger::DealCreated, None).await?, "created".to_owned())
        }
        DealEvent::EnteredStage(stage) => (
            store::set_off(tx, pipeline, Trigger::StageEntered, Some(stage)).await?,
            format!("stage-{stage}"),
        ),
        DealEvent::TaskOverdue(task) => {
            (store::set_off(tx, pipeline, Trigger::TaskOverdue, None).await?, format!("task-{task}-overdue"))
        }
        DealEvent::FieldsChanged(fields) => {
            (store::set_off_by_fields(tx, pipeline, &fields).await?, "changed".to_owned())
        }
    };
    let event = format!("{name}@{}", now.timestamp_micros());
    for rule in rules {
        if chain > MAX_CHAIN {
            let why = format!("stopped: rules moved this deal {chain} times in a row (a loop?)");
            let run = store::NewRun {
                rule_id: rule.id,
                deal_id: deal.0,
                event_key: &event,
                outcome: RunOutcome::Failed,
                detail: Some(&why),
                task_id: None,
                assignee_id: None,
            };
            store::record_run(tx, &run, now).await?;
            continue;
        }
        let run_at = now + chrono::Duration::minutes(rule.fields.delay_minutes);
        let work = Work::Automation { rule_id: rule.id, deal_id: deal.0, event: event.clone(), chain };
        let key = format!("automation:{}:{}:{event}", rule.id, deal.0);
        jobs::enqueue_once_in(tx, &work, run_at, &key).await?;
    }
    Ok(())
}
