//! A notification: something a user should know (a task or a deal given to them, a task of
//! theirs overdue), shown in the bell with a link to the record. Its text is made when it is
//! read, in the reader's language, from its kind and the record's name as it was then.

use crate::{Timestamp, UserId};

crate::text_enum!(
    /// `team_task_overdue` goes to the heads of sales of an overdue task's assignee.
    NotificationKind {
        TaskAssigned => "task_assigned",
        DealAssigned => "deal_assigned",
        TaskOverdue => "task_overdue",
        TeamTaskOverdue => "team_task_overdue",
        WebhookDisabled => "webhook_disabled",
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub user_id: UserId,
    pub kind: NotificationKind,
    /// The record it is about: an audit entity (`task`, `deal`) and its id.
    pub entity: String,
    pub entity_id: i64,
    /// The record's title when it was made.
    pub subject: String,
    pub read_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// The longest subject kept: a title is cut, never refused.
pub const MAX_SUBJECT_CHARS: usize = 300;

/// `subject` cut to [`MAX_SUBJECT_CHARS`].
pub fn subject(text: &str) -> String {
    crate::text::cut(text, MAX_SUBJECT_CHARS)
}
