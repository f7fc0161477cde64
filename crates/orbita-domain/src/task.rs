//! A task (задача): something a user must do by a time, linked to a client record.

use crate::fields::{FieldValue, FieldValues};
use crate::{CompanyId, ContactId, DealId, TaskId, Timestamp, UserId, ValidationErrors, text};

crate::text_enum!(
    TaskPriority { Low => "low", Normal => "normal", High => "high" }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFields {
    pub title: String,
    pub description: Option<String>,
    pub due_at: Option<Timestamp>,
    pub assignee_id: UserId,
    pub priority: TaskPriority,
    pub company_id: Option<CompanyId>,
    pub contact_id: Option<ContactId>,
    pub deal_id: Option<DealId>,
}

impl FieldValues for TaskFields {
    fn values(&self) -> Vec<(&'static str, FieldValue)> {
        vec![
            ("title", FieldValue::Text(Some(self.title.clone()))),
            ("description", FieldValue::Text(self.description.clone())),
            ("due_at", FieldValue::Moment(self.due_at)),
            ("assignee_id", FieldValue::Integer(Some(self.assignee_id.0))),
            ("priority", FieldValue::Text(Some(self.priority.as_str().to_owned()))),
            ("company_id", FieldValue::Integer(self.company_id.map(|c| c.0))),
            ("contact_id", FieldValue::Integer(self.contact_id.map(|c| c.0))),
            ("deal_id", FieldValue::Integer(self.deal_id.map(|d| d.0))),
        ]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: TaskId,
    pub fields: TaskFields,
    pub author_id: Option<UserId>,
    pub done_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
    /// The values of its custom fields.
    pub custom: crate::custom::CustomValues,
}

impl Task {
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.done_at.is_none() && self.fields.due_at.is_some_and(|due| due < now)
    }
}

/// A task form. The due time arrives already converted to UTC by the delivery layer,
/// which knows the user's time zone.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct TaskInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub due_at: Option<Timestamp>,
    pub assignee_id: UserId,
    pub priority: Option<TaskPriority>,
    pub company_id: Option<CompanyId>,
    pub contact_id: Option<ContactId>,
    pub deal_id: Option<DealId>,
}

impl TaskInput {
    pub fn validate(&self) -> Result<TaskFields, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = errors.check(text::required(&self.title, "title", 300));
        let description =
            errors.check(text::optional_limited(&self.description, "description", 10_000)).flatten();
        errors.into_result().map(|()| TaskFields {
            title: title.unwrap_or_default(),
            description,
            due_at: self.due_at,
            assignee_id: self.assignee_id,
            priority: self.priority.unwrap_or(TaskPriority::Normal),
            company_id: self.company_id,
            contact_id: self.contact_id,
            deal_id: self.deal_id,
        })
    }
}
