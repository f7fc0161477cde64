//! The API's words for the domain's enums, with their OpenAPI schemas. They spell the same
//! lower-case words as the domain and the database; the mirror keeps HTTP concerns (schemas)
//! out of `orbita-domain`.

use orbita_domain::activity::{
    ActivityKind as DomainActivityKind, ActivityStatus as DomainActivityStatus, Direction as DomainDirection,
};
use orbita_domain::automation::RuleAction as DomainRuleAction;
use orbita_domain::automation::{
    AssigneeKind as DomainAssigneeKind, RunOutcome as DomainRunOutcome, Trigger as DomainTrigger,
};
use orbita_domain::deal::DealStatus as DomainDealStatus;
use orbita_domain::job::JobState as DomainJobState;
use orbita_domain::notification::NotificationKind as DomainNotificationKind;
use orbita_domain::pipeline::StageKind as DomainStageKind;
use orbita_domain::task::TaskPriority as DomainTaskPriority;

macro_rules! mirror {
    ($(#[$meta:meta])* $name:ident => $domain:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl From<$name> for $domain {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => $domain::$variant),+ }
            }
        }

        impl From<$domain> for $name {
            fn from(value: $domain) -> Self {
                match value { $($domain::$variant => $name::$variant),+ }
            }
        }
    };
}

mirror!(
    /// `open` (being worked), `won` or `lost`.
    DealStatus => DomainDealStatus { Open, Won, Lost }
);
mirror!(
    /// Whether deals at a stage are open, won or lost.
    StageKind => DomainStageKind { Open, Won, Lost }
);
mirror!(TaskPriority => DomainTaskPriority { Low, Normal, High });
mirror!(ActivityKind => DomainActivityKind { Call, Meeting, Email, Note });
mirror!(Direction => DomainDirection { Incoming, Outgoing });
mirror!(
    /// `planned` or `done`.
    ActivityStatus => DomainActivityStatus { Planned, Done }
);
mirror!(
    /// `queued`, `running`, `done`, `failed` (waiting for its next attempt) or `dead` (out of
    /// attempts, until retried).
    JobState => DomainJobState { Queued, Running, Done, Failed, Dead }
);
mirror!(
    /// `deal_created` (in the rule's pipeline), `stage_entered` (the rule's stage),
    /// `field_changed` (the rule's `trigger_field` of a deal in its pipeline) or `task_overdue`
    /// (a task of such a deal falls overdue).
    Trigger => DomainTrigger { DealCreated, StageEntered, FieldChanged, TaskOverdue }
);
mirror!(
    /// `deal_owner`, `user` (`assignee_user_id`), or a member of `assignee_group_id`: the next in
    /// turn (`round_robin`) or the one with the fewest open tasks (`least_loaded`).
    AssigneeKind => DomainAssigneeKind { DealOwner, User, RoundRobin, LeastLoaded }
);
mirror!(
    /// `fired` (the task was set), `skipped` (the condition did not hold, the deal moved on or
    /// was deleted, the rule was off) or `failed` (retried; `detail` says why).
    RunOutcome => DomainRunOutcome { Fired, Skipped, Failed }
);
mirror!(
    /// `task_assigned`, `deal_assigned` (given to you by someone else, or by a rule) or
    /// `task_overdue` (a task of yours fell overdue; told once), `team_task_overdue` (a task
    /// of someone in your team has been overdue for the organisation's delay).
    /// `webhook_disabled` (administrators: a webhook was switched off after failing).
    /// `rule_notice` (an automation rule's message about a deal).
    /// `access_requested` (someone who cannot see a company of yours asks for it).
    NotificationKind => DomainNotificationKind {
        TaskAssigned, DealAssigned, TaskOverdue, TeamTaskOverdue, WebhookDisabled, RuleNotice, AccessRequested
    }
);

mirror!(
    /// What an automation rule does: `set_task`, `notify` (a notice in the bell and by e-mail),
    /// `move_stage` (to `target_stage_id`), `assign_owner` (the deal to the rule's assignee),
    /// `set_field` (`set_field` to `set_value`), `call_webhook` (`webhook_id`, with the deal).
    RuleAction => DomainRuleAction { SetTask, Notify, MoveStage, AssignOwner, SetField, CallWebhook }
);
