//! An automation rule ("robot" in Bitrix24's words, a step of amoCRM's digital pipeline): when
//! something happens to a deal of a pipeline (it is created, it enters a stage) and the deal
//! matches the rule's condition, a task is set for someone, at once or after a delay. The rules
//! of what a rule may say are here; running them is the application's.

use crate::custom::{CustomField, CustomType};
use crate::task::TaskPriority;
use crate::{FieldError, GroupId, PipelineId, StageId, Timestamp, UserId, ValidationErrors, text};

crate::text_enum!(
    /// What sets a rule off: a deal is created, enters a stage, has a field changed, or has a
    /// task of it fall overdue.
    Trigger {
        DealCreated => "deal_created",
        StageEntered => "stage_entered",
        FieldChanged => "field_changed",
        TaskOverdue => "task_overdue",
    }
);

crate::text_enum!(
    /// Who gets the rule's task: the deal's owner, a named user, or a member of a group — the
    /// next in turn (round-robin) or the one with the fewest open tasks.
    AssigneeKind { DealOwner => "deal_owner", User => "user", RoundRobin => "round_robin", LeastLoaded => "least_loaded" }
);

crate::text_enum!(
    /// What a rule does: set a task; tell someone (in the bell and by e-mail, as they chose);
    /// move the deal to another stage of its pipeline; give the deal to someone; set one of
    /// the deal's fields; call one of the organisation's webhooks with the deal. The task's
    /// title is the notice's text; its assignee is who is told, or the deal's new owner.
    RuleAction {
        SetTask => "set_task",
        Notify => "notify",
        MoveStage => "move_stage",
        AssignOwner => "assign_owner",
        SetField => "set_field",
        CallWebhook => "call_webhook",
    }
);

/// The event a rule's webhook call is sent as.
pub const WEBHOOK_EVENT: &str = "automation.rule";

/// How many rules may set each other off in a row on one deal (a rule's move setting off a
/// rule at the next stage, which moves it again, …) before the chain is stopped as a loop.
pub const MAX_CHAIN: u32 = 5;

crate::text_enum!(
    /// What one run of a rule came to: it did its work, its condition did not hold (or its
    /// deal was gone), or its work failed (the job retries it).
    RunOutcome { Fired => "fired", Skipped => "skipped", Failed => "failed" }
);

/// The built-in deal fields a `field_changed` rule may watch, as the audit log names them.
pub const WATCHABLE: [&str; 8] =
    ["amount", "owner_id", "expected_close_date", "source", "title", "company_id", "contact_id", "notes"];

/// The deal fields a rule may watch: the built-in ones and each of the deals' `custom` fields
/// (`custom.<key>`).
pub fn watchable_fields(custom: &[CustomField]) -> Vec<String> {
    WATCHABLE.iter().map(|f| (*f).to_owned()).chain(custom.iter().map(CustomField::path)).collect()
}

/// The built-in deal fields a rule may set; the owner and the stage have actions of their own,
/// and a link to another record is a person's choice.
pub const SETTABLE: [&str; 5] = ["title", "amount", "expected_close_date", "source", "notes"];

/// The deal fields a `set_field` rule may set: the built-in ones and each `custom` field but
/// links to records.
pub fn settable_fields(custom: &[CustomField]) -> Vec<String> {
    let custom = custom.iter().filter(|f| f.ty != CustomType::Link).map(CustomField::path);
    SETTABLE.iter().map(|f| (*f).to_owned()).chain(custom).collect()
}

/// The deal dates a rule's task may be due on: the expected close date and each of the deals'
/// `custom` date or date-time fields.
pub fn date_fields(custom: &[CustomField]) -> Vec<String> {
    let dates = custom.iter().filter(|f| matches!(f.ty, CustomType::Date | CustomType::DateTime));
    std::iter::once("expected_close_date".to_owned()).chain(dates.map(CustomField::path)).collect()
}

/// The longest delay and the furthest deadline a rule may name: thirty days, a year.
pub const MAX_DELAY_MINUTES: i64 = 30 * 24 * 60;
pub const MAX_DUE_MINUTES: i64 = 365 * 24 * 60;

/// Who gets the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    DealOwner,
    User(UserId),
    RoundRobin(GroupId),
    LeastLoaded(GroupId),
}

impl Assignee {
    pub fn kind(self) -> AssigneeKind {
        match self {
            Assignee::DealOwner => AssigneeKind::DealOwner,
            Assignee::User(_) => AssigneeKind::User,
            Assignee::RoundRobin(_) => AssigneeKind::RoundRobin,
            Assignee::LeastLoaded(_) => AssigneeKind::LeastLoaded,
        }
    }

    pub fn user(self) -> Option<UserId> {
        match self {
            Assignee::User(id) => Some(id),
            _ => None,
        }
    }

    pub fn group(self) -> Option<GroupId> {
        match self {
            Assignee::RoundRobin(id) | Assignee::LeastLoaded(id) => Some(id),
            _ => None,
        }
    }

    /// From its stored parts; `None` when the kind lacks the id it needs.
    pub fn from_parts(kind: AssigneeKind, user: Option<UserId>, group: Option<GroupId>) -> Option<Assignee> {
        match kind {
            AssigneeKind::DealOwner => Some(Assignee::DealOwner),
            AssigneeKind::User => user.map(Assignee::User),
            AssigneeKind::RoundRobin => group.map(Assignee::RoundRobin),
            AssigneeKind::LeastLoaded => group.map(Assignee::LeastLoaded),
        }
    }
}

/// The task a rule sets: its title and description may name the deal's fields
/// (`{title}`, `{amount}`, `{source}`, `{stage}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTemplate {
    pub title: String,
    pub description: Option<String>,
    pub assignee: Assignee,
    /// The deadline, counted from when the task is set; `None`: no deadline.
    pub due_minutes: Option<i64>,
    /// Whether `due_minutes` counts only the organisation's working hours (a request at 21:00
    /// "within 15 minutes" is due at 09:15 the next working day).
    pub due_working: bool,
    /// A date of the deal the task is due on (`expected_close_date`, `custom.measure_date`):
    /// a date at the start of that working day, a date-time at its moment; a deal without
    /// the date falls back on `due_minutes`.
    pub due_field: Option<String>,
    pub priority: TaskPriority,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFields {
    pub name: String,
    pub active: bool,
    pub pipeline_id: PipelineId,
    /// The stage entered; `None` for a rule on new deals.
    pub stage_id: Option<StageId>,
    pub trigger: Trigger,
    /// The field whose change sets off a `field_changed` rule (`amount`, `owner_id`,
    /// `custom.window_type`, …); `None` for the other triggers.
    pub trigger_field: Option<String>,
    /// A filter tree in JSON over the deal's fields (the lists' `filter=`), checked by the
    /// application against the deal's fields and custom fields; `None`: every deal.
    pub condition: Option<String>,
    /// How long after the event the task is set (0: at once).
    pub delay_minutes: i64,
    pub action: RuleAction,
    /// Where a `move_stage` rule moves the deal.
    pub target_stage_id: Option<StageId>,
    /// The field a `set_field` rule sets (`amount`, `custom.window_type`), and the value it
    /// writes as a form would type it (`None`: the field is emptied).
    pub set_field: Option<String>,
    pub set_value: Option<String>,
    /// The webhook a `call_webhook` rule calls.
    pub webhook_id: Option<i64>,
    pub task: TaskTemplate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: i64,
    pub fields: RuleFields,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One run of a rule on a deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRun {
    pub id: i64,
    pub rule_id: i64,
    pub deal_id: i64,
    pub outcome: RunOutcome,
    /// Why it was skipped or failed.
    pub detail: Option<String>,
    pub task_id: Option<i64>,
    pub assignee_id: Option<UserId>,
    pub occurred_at: Timestamp,
}

/// A rule as a form or the API sends it, flat.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RuleInput {
    #[serde(default)]
    pub name: String,
    pub active: Option<bool>,
    pub pipeline_id: Option<PipelineId>,
    pub stage_id: Option<StageId>,
    pub trigger: Option<Trigger>,
    pub trigger_field: Option<String>,
    pub condition: Option<String>,
    pub delay_minutes: Option<i64>,
    #[serde(default)]
    pub task_title: String,
    #[serde(default)]
    pub task_description: String,
    pub assignee: Option<AssigneeKind>,
    pub assignee_user_id: Option<UserId>,
    pub assignee_group_id: Option<GroupId>,
    pub due_minutes: Option<i64>,
    pub due_working: Option<bool>,
    pub due_field: Option<String>,
    pub priority: Option<TaskPriority>,
    pub action: Option<RuleAction>,
    pub target_stage_id: Option<StageId>,
    pub set_field: Option<String>,
    pub set_value: Option<String>,
    pub webhook_id: Option<i64>,
}

fn minutes(value: Option<i64>, field: &str, most: i64) -> Result<Option<i64>, FieldError> {
    match value {
        Some(m) if !(0..=most).contains(&m) => Err(FieldError::new(
            field,
            "automation-minutes-range",
            format!("Give a number of minutes from 0 to {most}"),
        )),
        other => Ok(other),
    }
}

impl RuleInput {
    /// The rule's fields; whether its pipeline, stage, user and group exist and its condition
    /// reads is for the application to check.
    pub fn validate(&self) -> Result<RuleFields, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.check(text::required(&self.name, "name", 200));
        let action = self.action.unwrap_or(RuleAction::SetTask);
        // A task and a notice say something; a move or a new owner need no words.
        let title = match action {
            RuleAction::SetTask | RuleAction::Notify => {
                errors.check(text::required(&self.task_title, "task_title", 300))
            }
            RuleAction::MoveStage
            | RuleAction::AssignOwner
            | RuleAction::SetField
            | RuleAction::CallWebhook => errors
                .check(text::optional_limited(&self.task_title, "task_title", 300))
                .map(Option::unwrap_or_default),
        };
        let target_stage = match action {
            RuleAction::MoveStage if self.target_stage_id.is_none() => {
                errors.push(FieldError::new(
                    "target_stage_id",
                    "automation-stage-required",
                    "Choose the stage",
                ));
                None
            }
            RuleAction::MoveStage => self.target_stage_id,
            _ => None,
        };
        let trimmed =
            |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let (set_field, set_value) = match action {
            RuleAction::SetField => {
                let field = trimmed(&self.set_field);
                if field.is_none() {
                    errors.push(FieldError::new(
                        "set_field",
                        "automation-field-required",
                        "Choose the field",
                    ));
                }
                let value = errors
                    .check(text::optional_limited(
                        self.set_value.as_deref().unwrap_or_default(),
                        "set_value",
                        10_000,
                    ))
                    .flatten();
                (field, value)
            }
            _ => (None, None),
        };
        let webhook_id = match action {
            RuleAction::CallWebhook if self.webhook_id.is_none() => {
                errors.push(FieldError::new(
                    "webhook_id",
                    "automation-webhook-required",
                    "Choose the webhook",
                ));
                None
            }
            RuleAction::CallWebhook => self.webhook_id,
            _ => None,
        };
        let description = errors
            .check(text::optional_limited(&self.task_description, "task_description", 10_000))
            .flatten();
        let delay = errors.check(minutes(self.delay_minutes, "delay_minutes", MAX_DELAY_MINUTES)).flatten();
        let due = errors.check(minutes(self.due_minutes, "due_minutes", MAX_DUE_MINUTES)).flatten();
        let pipeline = self.pipeline_id;
        if pipeline.is_none() {
            errors.push(FieldError::new("pipeline_id", "automation-pipeline-required", "Choose a pipeline"));
        }
        let trigger = self.trigger.unwrap_or(Trigger::StageEntered);
        let stage = match trigger {
            Trigger::StageEntered => {
                if self.stage_id.is_none() {
                    errors.push(FieldError::new("stage_id", "automation-stage-required", "Choose the stage"));
                }
                self.stage_id
            }
            // A new deal's rule, and a changed field's, is the pipeline's, whatever the stage.
            Trigger::DealCreated | Trigger::FieldChanged | Trigger::TaskOverdue => None,
        };
        let watched =
            self.trigger_field.as_deref().map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned);
        let trigger_field = match trigger {
            Trigger::FieldChanged if watched.is_none() => {
                errors.push(FieldError::new(
                    "trigger_field",
                    "automation-field-required",
                    "Choose the field",
                ));
                None
            }
            Trigger::FieldChanged => watched,
            _ => None,
        };
        let kind = self.assignee.unwrap_or(AssigneeKind::DealOwner);
        let assignee = Assignee::from_parts(kind, self.assignee_user_id, self.assignee_group_id);
        if assignee.is_none() {
            let (field, message) = match kind {
                AssigneeKind::User => ("assignee_user_id", "Choose the user"),
                _ => ("assignee_group_id", "Choose the group"),
            };
            errors.push(FieldError::new(field, "automation-assignee-required", message));
        }
        let condition = self.condition.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
        errors.into_result()?;
        Ok(RuleFields {
            name: name.unwrap_or_default(),
            active: self.active.unwrap_or(true),
            pipeline_id: pipeline.unwrap_or(PipelineId(0)),
            stage_id: stage,
            trigger,
            trigger_field,
            condition,
            delay_minutes: delay.unwrap_or(0),
            action,
            target_stage_id: target_stage,
            set_field,
            set_value,
            webhook_id,
            task: TaskTemplate {
                title: title.unwrap_or_default(),
                description,
                assignee: assignee.unwrap_or(Assignee::DealOwner),
                due_minutes: due,
                due_working: self.due_working.unwrap_or(false),
                due_field: self
                    .due_field
                    .as_deref()
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned),
                priority: self.priority.unwrap_or(TaskPriority::Normal),
            },
        })
    }
}

impl From<&RuleFields> for RuleInput {
    fn from(f: &RuleFields) -> Self {
        RuleInput {
            name: f.name.clone(),
            active: Some(f.active),
            pipeline_id: Some(f.pipeline_id),
            stage_id: f.stage_id,
            trigger: Some(f.trigger),
            trigger_field: f.trigger_field.clone(),
            condition: f.condition.clone(),
            delay_minutes: Some(f.delay_minutes),
            task_title: f.task.title.clone(),
            task_description: f.task.description.clone().unwrap_or_default(),
            assignee: Some(f.task.assignee.kind()),
            assignee_user_id: f.task.assignee.user(),
            assignee_group_id: f.task.assignee.group(),
            due_minutes: f.task.due_minutes,
            due_working: Some(f.task.due_working),
            due_field: f.task.due_field.clone(),
            priority: Some(f.task.priority),
            action: Some(f.action),
            target_stage_id: f.target_stage_id,
            set_field: f.set_field.clone(),
            set_value: f.set_value.clone(),
            webhook_id: f.webhook_id,
        }
    }
}

/// `template` with each `{name}` of `values` replaced by its value; a name not among them
/// stays as written, so a typo shows on the task instead of vanishing.
pub fn render(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let known = after.find('}').and_then(|close| {
            let name = &after[..close];
            values.iter().find(|(n, _)| *n == name).map(|(_, value)| (value, close))
        });
        match known {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The next member of a group in turn after `last` (members in id order, wrapping round);
/// the first one when `last` is none of them.
pub fn next_in_turn(members: &[UserId], last: Option<UserId>) -> Option<UserId> {
    let mut sorted = members.to_vec();
    sorted.sort();
    let next = last.and_then(|last| sorted.iter().copied().find(|m| *m > last));
    next.or_else(|| sorted.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> RuleInput {
        RuleInput {
            name: "Первый звонок".into(),
            pipeline_id: Some(PipelineId(1)),
            stage_id: Some(StageId(2)),
            task_title: "Позвонить клиенту: {title}".into(),
            due_minutes: Some(15),
            ..RuleInput::default()
        }
    }

    #[test]
    fn a_stage_rule_reads_with_its_defaults_and_round_trips() {
        let fields = input().validate().expect("valid");
        assert_eq!(fields.trigger, Trigger::StageEntered);
        assert_eq!(fields.task.assignee, Assignee::DealOwner);
        assert_eq!((fields.delay_minutes, fields.task.due_minutes), (0, Some(15)));
        assert!(fields.active);
        assert_eq!(RuleInput::from(&fields).validate().expect("round trip"), fields);
    }

    #[test]
    fn each_missing_or_out_of_range_part_gets_its_own_message() {
        let bad = RuleInput {
            name: " ".into(),
            pipeline_id: None,
            stage_id: None,
            task_title: String::new(),
            delay_minutes: Some(-1),
            due_minutes: Some(MAX_DUE_MINUTES + 1),
            assignee: Some(AssigneeKind::RoundRobin),
            ..RuleInput::default()
        };
        let errors = bad.validate().expect_err("refused");
        for field in [
            "name",
            "task_title",
            "delay_minutes",
            "due_minutes",
            "pipeline_id",
            "stage_id",
            "assignee_group_id",
        ] {
            assert!(errors.field(field).is_some(), "{field}: {errors:?}");
        }
        let user = RuleInput { assignee: Some(AssigneeKind::User), ..input() };
        assert_eq!(
            user.validate().expect_err("refused").field("assignee_user_id").expect("named").code,
            "automation-assignee-required"
        );
    }

    #[test]
    fn a_move_needs_its_stage_and_no_words_and_a_notice_needs_its_text() {
        let moving = RuleInput { action: Some(RuleAction::MoveStage), task_title: String::new(), ..input() };
        assert_eq!(
            moving.validate().expect_err("refused").field("target_stage_id").expect("named").code,
            "automation-stage-required"
        );
        let moving = RuleInput { target_stage_id: Some(StageId(3)), ..moving };
        let fields = moving.validate().expect("valid");
        assert_eq!((fields.action, fields.target_stage_id), (RuleAction::MoveStage, Some(StageId(3))));
        assert_eq!(RuleInput::from(&fields).validate().expect("round trip"), fields);
        let notice = RuleInput { action: Some(RuleAction::Notify), task_title: " ".into(), ..input() };
        assert!(notice.validate().expect_err("refused").field("task_title").is_some());
        // A stage named for another action is not kept.
        let task = RuleInput { target_stage_id: Some(StageId(3)), ..input() }.validate().expect("valid");
        assert_eq!(task.target_stage_id, None);
    }

    #[test]
    fn a_field_to_set_and_a_webhook_to_call_are_asked_for() {
        let setting = RuleInput { action: Some(RuleAction::SetField), task_title: String::new(), ..input() };
        assert!(setting.validate().expect_err("refused").field("set_field").is_some());
        let setting =
            RuleInput { set_field: Some("amount".into()), set_value: Some(" 1 000 ".into()), ..setting };
        let fields = setting.validate().expect("valid");
        assert_eq!(
            (fields.set_field.as_deref(), fields.set_value.as_deref()),
            (Some("amount"), Some("1 000"))
        );
        assert_eq!(RuleInput::from(&fields).validate().expect("round trip"), fields);
        let calling = RuleInput { action: Some(RuleAction::CallWebhook), ..input() };
        assert!(calling.validate().expect_err("refused").field("webhook_id").is_some());
        let fields = RuleInput { webhook_id: Some(4), ..calling }.validate().expect("valid");
        assert_eq!((fields.webhook_id, fields.set_field), (Some(4), None));
        assert!(!settable_fields(&[]).contains(&"owner_id".to_owned()), "the owner has its own action");
    }

    #[test]
    fn a_new_deal_rule_has_no_stage() {
        let fields = RuleInput { trigger: Some(Trigger::DealCreated), ..input() }.validate().expect("valid");
        assert_eq!(fields.stage_id, None);
    }

    #[test]
    fn templates_name_known_fields_and_keep_the_rest() {
        let values = [("title", "Окна на дачу".to_owned()), ("amount", "120 000 ₽".to_owned())];
        assert_eq!(render("Позвонить: {title} ({amount})", &values), "Позвонить: Окна на дачу (120 000 ₽)");
        assert_eq!(render("{nope} {title", &values), "{nope} {title");
        assert_eq!(render("{{title}}", &values), "{Окна на дачу}");
    }

    #[test]
    fn turns_go_round_the_group_in_id_order() {
        let members = [UserId(7), UserId(3), UserId(5)];
        assert_eq!(next_in_turn(&members, None), Some(UserId(3)));
        assert_eq!(next_in_turn(&members, Some(UserId(3))), Some(UserId(5)));
        assert_eq!(next_in_turn(&members, Some(UserId(7))), Some(UserId(3)));
        assert_eq!(next_in_turn(&members, Some(UserId(4))), Some(UserId(5)));
        assert_eq!(next_in_turn(&[], Some(UserId(4))), None);
    }
}
