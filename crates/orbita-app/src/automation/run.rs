//! One run of a rule on a deal, as a job: the deal as it is now, the condition, who it is for,
//! then its work (a task, a notice, a new owner, a move) and the run's record in one
//! transaction. The run is recorded under the event's key, so a job run again (its worker died
//! after the commit) finds it done.

use chrono::Duration;
use orbita_domain::access::{Action, Area};
use orbita_domain::automation::{self, Assignee, Rule, RuleAction, RunOutcome, TaskTemplate, Trigger};
use orbita_domain::custom::{self, CustomField};
use orbita_domain::deal::Deal;
use orbita_domain::kind::RecordKind;
use orbita_domain::org::{Locale, OrgSettings};
use orbita_domain::task::{Task, TaskFields};
use orbita_domain::{DealId, StageId, Timestamp, UserId, text};
use orbita_storage::automation::{self as store, NewRun};
use orbita_storage::{Db, StorageError, Tx, deals, pipelines, tasks};

use crate::assignees::{self, NoOne};
use crate::context::RequestContext;
use crate::custom_fields::{self, CustomChanges};
use crate::deals::ByRule;
use crate::jobs::{self, Work};
use crate::{Access, AppError, filters, notifications, records, setup};
use orbita_domain::notification::NotificationKind;

/// Runs rule `rule_id` for the event `event` of deal `deal_id`; an error is the job's
/// `last_error` (it is retried), and is also shown in the rule's history.
pub async fn run(db: &Db, rule_id: i64, deal_id: i64, event: &str, chain: u32) -> Result<(), String> {
    let Some(rule) = store::get(db, rule_id).await.map_err(|e| e.to_string())? else {
        // Deleted since the event: nothing to do, nothing to record it on.
        return Ok(());
    };
    match attempt(db, &rule, DealId(deal_id), event, chain).await {
        Ok(()) => Ok(()),
        Err(error) => {
            let error = error.to_string();
            let at = orbita_domain::now();
            // Each failed attempt is its own line in the history; the event's key stays free
            // for the attempt that succeeds.
            let key = format!("{event}#failed@{}", at.timestamp_micros());
            let run = NewRun { detail: Some(&error), ..new_run(&rule, deal_id, &key, RunOutcome::Failed) };
            if let Err(recording) = record_alone(db, &run, at).await {
                tracing::warn!(rule = rule.id, %recording, "cannot record a failed automation run");
            }
            Err(error)
        }
    }
}

fn new_run<'a>(rule: &Rule, deal_id: i64, key: &'a str, outcome: RunOutcome) -> NewRun<'a> {
    NewRun {
        rule_id: rule.id,
        deal_id,
        event_key: key,
        outcome,
        detail: None,
        task_id: None,
        assignee_id: None,
    }
}

async fn record_alone(db: &Db, run: &NewRun<'_>, at: Timestamp) -> Result<(), StorageError> {
    let mut tx = db.begin().await?;
    store::record_run(&mut tx, run, at).await?;
    tx.commit().await
}

/// Why a run does nothing, as its history says.
async fn reason_to_skip(
    db: &Db,
    rule: &Rule,
    deal: Option<&Deal>,
    event: &str,
) -> Result<Option<String>, AppError> {
    let Some(deal) = deal else {
        return Ok(Some("the deal was deleted".to_owned()));
    };
    if !rule.fields.active {
        return Ok(Some("the rule is switched off".to_owned()));
    }
    if rule.fields.trigger == Trigger::StageEntered {
        // A delayed rule's deal moved on meanwhile (perhaps away and back: then it entered the
        // stage at another moment than the event's): its step no longer applies.
        let entered = deals::entered_stage_at(db, deal.id).await?.map(|at| at.timestamp_micros());
        let at_event = event.rsplit('@').next().and_then(|m| m.parse::<i64>().ok());
        if rule.fields.stage_id != Some(deal.stage_id) || entered != at_event {
            return Ok(Some("the deal has left the stage".to_owned()));
        }
    }
    if let Some(condition) = &rule.fields.condition {
        let tree = match filters::from_json(db, condition, RecordKind::Deal).await {
            Ok(tree) => tree,
            Err(AppError::Invalid(errors)) => {
                let why = errors.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; ");
                return Ok(Some(format!("the condition no longer reads: {why}")));
            }
            Err(other) => return Err(other),
        };
        if !deals::matches(db, deal.id, &tree).await? {
            return Ok(Some("the deal does not meet the condition".to_owned()));
        }
    }
    Ok(None)
}

async fn attempt(db: &Db, rule: &Rule, deal_id: DealId, event: &str, chain: u32) -> Result<(), AppError> {
    let deal = match deals::get(db, deal_id).await {
        Ok(deal) => Some(deal),
        Err(StorageError::NotFound) => None,
        Err(other) => return Err(other.into()),
    };
    let now = orbita_domain::now();
    if let Some(why) = reason_to_skip(db, rule, deal.as_ref(), event).await? {
        let run = NewRun { detail: Some(&why), ..new_run(rule, deal_id.0, event, RunOutcome::Skipped) };
        record_alone(db, &run, now).await?;
        return Ok(());
    }
    let Some(deal) = deal else { return Ok(()) };
    let facts = facts(db, &deal).await?;
    let mut tx = db.begin().await?;
    // Turns of a round-robin rule are taken one at a time across instances.
    tx.take_turns(&format!("automation-rule-{}", rule.id)).await?;
    let ctx =
        RequestContext { via: Some(format!("automation: {}", rule.fields.name)), ..RequestContext::system() };
    let (mut task_id, mut assignee) = (None, None);
    match rule.fields.action {
        RuleAction::SetTask => {
            let to = assignee_in(&mut tx, db, rule, &deal).await?;
            task_id = Some(set_task_in(&mut tx, &ctx, rule, &deal, to, &facts, now).await?);
            assignee = Some(to);
        }
        RuleAction::Notify => {
            let to = recipient_in(&mut tx, db, rule, &deal).await?;
            let text = text::cut(&automation::render(&rule.fields.task.title, &facts.values), 300);
            let kind = NotificationKind::RuleNotice;
            notifications::tell_in(&mut tx, to, kind, ("deal", deal.id.0), &text, None, now).await?;
            assignee = Some(to);
        }
        RuleAction::AssignOwner => {
            let owner = assignee_in(&mut tx, db, rule, &deal).await?;
            let change = ByRule { owner: Some(owner), ..ByRule::default() };
            crate::deals::change_by_rule_in(&mut tx, &ctx, &deal, change, chain, now).await?;
            assignee = Some(owner);
        }
        RuleAction::MoveStage => {
            let change = ByRule { stage: rule.fields.target_stage_id, ..ByRule::default() };
            crate::deals::change_by_rule_in(&mut tx, &ctx, &deal, change, chain, now).await?;
        }
        RuleAction::SetField => {
            let change = field_set(db, rule, &deal).await?;
            crate::deals::change_by_rule_in(&mut tx, &ctx, &deal, change, chain, now).await?;
        }
        RuleAction::CallWebhook => {
            let webhook_id =
                rule.fields.webhook_id.ok_or_else(|| failure("the rule's webhook was deleted"))?;
            let work = Work::Webhook {
                webhook_id,
                event: automation::WEBHOOK_EVENT.to_owned(),
                occurred_at: now.to_rfc3339(),
                data: webhook_data(rule, &deal, &custom_fields::active(db, RecordKind::Deal).await?),
            };
            jobs::enqueue_in(&mut tx, &work, now).await?;
        }
    }
    let run = NewRun { task_id, assignee_id: assignee, ..new_run(rule, deal_id.0, event, RunOutcome::Fired) };
    if store::record_run(&mut tx, &run, now).await? {
        tx.commit().await?;
    }
    // Otherwise this event's run was done before: the work just done is rolled back.
    Ok(())
}

/// The deal's field a `set_field` rule sets, checked as the deal's form would check it.
async fn field_set(db: &Db, rule: &Rule, deal: &Deal) -> Result<ByRule, AppError> {
    let key = rule.fields.set_field.as_deref().unwrap_or_default();
    let raw = rule.fields.set_value.as_deref().unwrap_or_default();
    Ok(match key.strip_prefix("custom.") {
        Some(custom) => {
            let custom = custom_fields::one_change(db, RecordKind::Deal, custom, raw).await?;
            ByRule { custom, ..ByRule::default() }
        }
        None => ByRule { fields: Some(deal.fields.with_value(key, raw)?), ..ByRule::default() },
    })
}

/// What a rule's webhook call says: the rule, and the deal as it is when the rule runs.
fn webhook_data(rule: &Rule, deal: &Deal, fields: &[CustomField]) -> serde_json::Value {
    let f = &deal.fields;
    let custom: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .filter_map(|field| Some((field.key.clone(), custom::api_value(field, deal.custom.get(&field.key)?))))
        .collect();
    serde_json::json!({
        "rule": { "id": rule.id, "name": rule.fields.name },
        "deal": {
            "id": deal.id.0,
            "title": f.title,
            "amount": f.amount.amount.to_string(),
            "currency": f.amount.currency.as_str(),
            "pipeline_id": deal.pipeline_id.0,
            "stage_id": deal.stage_id.0,
            "status": deal.status.as_str(),
            "owner_id": deal.owner_id.0,
            "company_id": f.company_id.map(|c| c.0),
            "contact_id": f.contact_id.map(|c| c.0),
            "expected_close_date": f.expected_close_date,
            "source": f.source,
            "custom": custom,
        },
    })
}

/// Sets the rule's task for `assignee`, audited as the rule's and told to the assignee.
async fn set_task_in(
    tx: &mut Tx,
    ctx: &RequestContext,
    rule: &Rule,
    deal: &Deal,
    assignee: UserId,
    facts: &Facts,
    now: Timestamp,
) -> Result<i64, AppError> {
    let task = &rule.fields.task;
    let fields = TaskFields {
        title: text::cut(&automation::render(&task.title, &facts.values), 300),
        description: task.description.as_deref().map(|d| automation::render(d, &facts.values)),
        due_at: deadline(&facts.settings, task, deal, now),
        assignee_id: assignee,
        priority: task.priority,
        company_id: deal.fields.company_id,
        contact_id: deal.fields.contact_id,
        deal_id: Some(deal.id),
    };
    let id = tasks::insert(tx, &fields, None, now).await?;
    records::created_in::<Task>(tx, ctx, id.0, &fields, Vec::new(), &CustomChanges::default(), now).await?;
    let assigned = NotificationKind::TaskAssigned;
    notifications::assigned_in(tx, ctx, assignee, assigned, "task", id.0, &fields.title, now).await?;
    Ok(id.0)
}

/// When the rule's task set at `from` for `deal` is due: on the deal's date the rule names (a
/// date at the start of that working day), else plain minutes later or that much of the
/// organisation's working time.
fn deadline(settings: &OrgSettings, task: &TaskTemplate, deal: &Deal, from: Timestamp) -> Option<Timestamp> {
    let zone = orbita_i18n::format::time_zone(&settings.time_zone);
    let week = &settings.working_hours;
    if let Some(on) = task.due_field.as_deref().and_then(|key| date_of(deal, key)) {
        return Some(match on {
            DealDate::Day(day) => week.opens(day, &zone),
            DealDate::Moment(at) => at,
        });
    }
    let minutes = task.due_minutes?;
    Some(match task.due_working {
        true => week.deadline(from, minutes, &zone),
        false => from + Duration::minutes(minutes),
    })
}

enum DealDate {
    Day(chrono::NaiveDate),
    Moment(Timestamp),
}

/// The deal's value of a date field: `expected_close_date` or a custom date or date-time.
fn date_of(deal: &Deal, key: &str) -> Option<DealDate> {
    if key == "expected_close_date" {
        return deal.fields.expected_close_date.map(DealDate::Day);
    }
    let stored = deal.custom.get(key.strip_prefix("custom.")?)?.as_str()?;
    match chrono::NaiveDate::parse_from_str(stored, "%Y-%m-%d") {
        Ok(day) => Some(DealDate::Day(day)),
        Err(_) => orbita_domain::custom::moment_of(stored).map(DealDate::Moment),
    }
}

/// Who a notice goes to: the rule's assignee, if they may see the deal (a notice never names
/// a record its reader could not open).
async fn recipient_in(tx: &mut Tx, db: &Db, rule: &Rule, deal: &Deal) -> Result<UserId, AppError> {
    let to = assignee_in(tx, db, rule, deal).await?;
    let access = Access::load(db, to, None).await?;
    if access.check_record(Area::Deals, Action::View, deal.owner_id).is_err() {
        return Err(failure("the one to tell may not see the deal"));
    }
    Ok(to)
}

/// What a rule would do for a deal now, nothing done: why it would do nothing (its
/// condition, its stage), or the task it would set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    Skip(String),
    Task {
        title: String,
        assignee: UserId,
        due_at: Option<Timestamp>,
    },
    Notice {
        text: String,
        recipient: UserId,
    },
    Owner(UserId),
    Move(StageId),
    /// The field set and its value (`None`: emptied).
    Field {
        field: String,
        value: Option<String>,
    },
    /// The webhook's address.
    Webhook(String),
}

/// The rule's [`Preview`] for `deal` as if its event happened now.
pub(super) async fn preview(db: &Db, rule: &Rule, deal: &Deal) -> Result<Preview, AppError> {
    let at_stage = rule.fields.trigger == Trigger::DealCreated || rule.fields.stage_id == Some(deal.stage_id);
    if !at_stage {
        return Ok(Preview::Skip("the deal is not at the rule's stage".to_owned()));
    }
    // As if it entered the stage now: the event is the deal's latest entry.
    let entered = deals::entered_stage_at(db, deal.id).await?.map_or(0, |at| at.timestamp_micros());
    if let Some(why) = reason_to_skip(db, rule, Some(deal), &format!("preview@{entered}")).await? {
        return Ok(Preview::Skip(why));
    }
    let facts = facts(db, deal).await?;
    // The turn is read as the run would read it, and nothing is written.
    let mut tx = db.begin().await?;
    let assignee = assignee_in(&mut tx, db, rule, deal).await;
    drop(tx);
    let assignee = match assignee {
        Ok(assignee) => assignee,
        Err(AppError::Invalid(errors)) => return Ok(Preview::Skip(messages(errors))),
        Err(other) => return Err(other),
    };
    let task = &rule.fields.task;
    let now = orbita_domain::now();
    let text = text::cut(&automation::render(&task.title, &facts.values), 300);
    Ok(match rule.fields.action {
        RuleAction::SetTask => Preview::Task {
            title: text,
            assignee,
            due_at: deadline(&facts.settings, task, deal, now + Duration::minutes(rule.fields.delay_minutes)),
        },
        RuleAction::Notify => Preview::Notice { text, recipient: assignee },
        RuleAction::AssignOwner => Preview::Owner(assignee),
        RuleAction::MoveStage => match rule.fields.target_stage_id {
            Some(stage) => Preview::Move(stage),
            None => Preview::Skip("the rule names no stage".to_owned()),
        },
        RuleAction::SetField => match field_set(db, rule, deal).await {
            Ok(_) => Preview::Field {
                field: rule.fields.set_field.clone().unwrap_or_default(),
                value: rule.fields.set_value.clone(),
            },
            Err(AppError::Invalid(errors)) => Preview::Skip(messages(errors)),
            Err(other) => return Err(other),
        },
        RuleAction::CallWebhook => {
            let hook = match rule.fields.webhook_id {
                Some(id) => orbita_storage::webhooks::get(db, id).await?,
                None => None,
            };
            match hook {
                Some(hook) => Preview::Webhook(hook.fields.url),
                None => Preview::Skip("the rule's webhook was deleted".to_owned()),
            }
        }
    })
}

/// Who gets the task (or the notice, or the deal). A named user who was deactivated, or a
/// group with no active member, fails the run with a reason the administrator sees on the rule.
async fn assignee_in(tx: &mut Tx, db: &Db, rule: &Rule, deal: &Deal) -> Result<UserId, AppError> {
    let last = match rule.fields.task.assignee {
        Assignee::RoundRobin(_) => store::last_assignee_in(tx, rule.id).await?,
        _ => None,
    };
    match assignees::pick_in(tx, db, rule.fields.task.assignee, Some(deal.owner_id), last).await? {
        Ok(user) => Ok(user),
        Err(NoOne::Deactivated) => Err(failure("the rule's user is deactivated")),
        Err(NoOne::EmptyGroup) => Err(failure("the rule's group has no active member")),
    }
}

fn messages(errors: orbita_domain::ValidationErrors) -> String {
    errors.0.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; ")
}

fn failure(why: &str) -> AppError {
    AppError::Invalid(orbita_domain::ValidationErrors(vec![orbita_domain::FieldError::new(
        "assignee",
        "automation-no-assignee",
        why,
    )]))
}

/// What a run reads besides the rule and the deal, once: the organisation's settings (its
/// language, time zone and working week) and the values a task's title and description may
/// name.
struct Facts {
    settings: OrgSettings,
    values: Vec<(&'static str, String)>,
}

async fn facts(db: &Db, deal: &Deal) -> Result<Facts, AppError> {
    let settings = setup::settings(db).await?;
    let values = template_values(db, settings.locale, deal).await?;
    Ok(Facts { settings, values })
}

/// What a task's title and description may name: `{title}`, `{amount}`, `{source}`,
/// `{stage}`, in the organisation's language.
async fn template_values(
    db: &Db,
    locale: Locale,
    deal: &Deal,
) -> Result<Vec<(&'static str, String)>, AppError> {
    let stage = pipelines::stages(db).await?.into_iter().find(|s| s.id == deal.stage_id);
    let stage = stage.map(|s| if locale == Locale::Ru { s.name_ru } else { s.name_en }).unwrap_or_default();
    let amount =
        if locale == Locale::Ru { deal.fields.amount.format_ru() } else { deal.fields.amount.format_en() };
    Ok(vec![
        ("title", deal.fields.title.clone()),
        ("amount", amount),
        ("source", deal.fields.source.clone().unwrap_or_default()),
        ("stage", stage),
    ])
}
