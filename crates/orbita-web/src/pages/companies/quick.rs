//! A card's quick actions: log a call or a meeting (with an optional follow-up task, "call
//! back on Friday"), add a task, add a note. Each form comes back with the typed values and
//! field errors when the service refuses it; times are typed in the organisation's zone.

use chrono::{DateTime, Utc};
use orbita_app::{Access, AppError, Db, activities, tasks};
use orbita_domain::activity::{ActivityInput, ActivityKind, ActivityStatus, Direction};
use orbita_domain::task::{TaskInput, TaskPriority};
use orbita_domain::{FieldError, UserId, ValidationErrors};
use serde::Deserialize;

use super::record::Subject;
use crate::pages::wall_clock::{local_datetime_value, parse_local_datetime};
use crate::ui::{ErrorItem, Layout, SelectOption};

/// "Log a call or meeting", as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActivityForm {
    pub kind: String,
    pub direction: String,
    /// `datetime-local`, in the organisation's zone.
    pub occurred_at: String,
    pub duration_minutes: String,
    pub subject: String,
    /// On a company card: one of its contacts, or empty.
    pub contact_id: String,
    /// The optional follow-up task ("call back on Friday").
    pub task_title: String,
    pub task_due_at: String,
}

impl ActivityForm {
    /// A blank form: an outgoing call, now.
    pub fn blank(tz: &str, now: DateTime<Utc>) -> Self {
        Self {
            kind: ActivityKind::Call.as_str().to_owned(),
            direction: Direction::Outgoing.as_str().to_owned(),
            occurred_at: local_datetime_value(now, tz),
            ..Self::default()
        }
    }

    /// The service's inputs (the activity, and its follow-up task if asked for), or the
    /// fields that could not be read. A time in the future logs a planned activity.
    pub fn input(
        &self,
        me: UserId,
        subject: Subject,
        follow_up_title: &str,
        tz: &str,
        now: DateTime<Utc>,
    ) -> Result<(ActivityInput, Option<TaskInput>), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let occurred_at = read_time(&self.occurred_at, "occurred_at", tz, &mut errors).unwrap_or(now);
        let duration_minutes = match self.duration_minutes.trim() {
            "" => None,
            raw => raw.parse::<i64>().map_err(|_| errors.push(duration_error())).ok(),
        };
        let task_due_at = read_time(&self.task_due_at, "task_due_at", tz, &mut errors);
        errors.into_result()?;
        let (company_id, contact_id) = subject.links();
        let contact_id = contact_id.or_else(|| self.contact_id.parse().ok());
        let activity = ActivityInput {
            kind: ActivityKind::parse(&self.kind).unwrap_or(ActivityKind::Call),
            direction: Direction::parse(&self.direction),
            status: Some(if occurred_at > now { ActivityStatus::Planned } else { ActivityStatus::Done }),
            occurred_at,
            duration_minutes,
            subject: self.subject.clone(),
            responsible_id: me,
            company_id,
            contact_id,
            deal_id: None,
        };
        let task_title = match self.task_title.trim() {
            "" if task_due_at.is_some() => follow_up_title,
            title => title,
        };
        let follow_up = (!task_title.is_empty()).then(|| TaskInput {
            title: task_title.to_owned(),
            description: String::new(),
            due_at: task_due_at,
            assignee_id: me,
            priority: None,
            company_id: None,
            contact_id: None,
            deal_id: None,
        });
        Ok((activity, follow_up))
    }
}

fn duration_error() -> FieldError {
    FieldError::new("duration_minutes", "duration-range", "From 0 to 1440 minutes")
}

/// A `datetime-local` value in `tz`; empty is `None`, unreadable is an error on `field`.
fn read_time(raw: &str, field: &str, tz: &str, errors: &mut ValidationErrors) -> Option<DateTime<Utc>> {
    if raw.trim().is_empty() {
        return None;
    }
    let at = parse_local_datetime(raw, tz);
    if at.is_none() {
        errors.push(FieldError::new(field, "datetime-format", "Enter a date and time"));
    }
    at
}

/// "Add a task", as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TaskForm {
    pub title: String,
    pub due_at: String,
    pub priority: String,
    pub assignee_id: String,
    pub description: String,
}

impl TaskForm {
    pub fn blank(me: UserId) -> Self {
        Self {
            priority: TaskPriority::Normal.as_str().to_owned(),
            assignee_id: me.to_string(),
            ..Self::default()
        }
    }

    pub fn input(&self, me: UserId, subject: Subject, tz: &str) -> Result<TaskInput, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let due_at = read_time(&self.due_at, "due_at", tz, &mut errors);
        errors.into_result()?;
        let (company_id, contact_id) = subject.links();
        Ok(TaskInput {
            title: self.title.clone(),
            description: self.description.clone(),
            due_at,
            assignee_id: self.assignee_id.parse().unwrap_or(me),
            priority: TaskPriority::parse(&self.priority),
            company_id,
            contact_id,
            deal_id: None,
        })
    }
}

/// "Add a note": an activity of kind note, now.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub note: String,
}

impl NoteForm {
    pub fn input(&self, me: UserId, subject: Subject, now: DateTime<Utc>) -> ActivityInput {
        let (company_id, contact_id) = subject.links();
        ActivityInput {
            kind: ActivityKind::Note,
            direction: None,
            status: Some(ActivityStatus::Done),
            occurred_at: now,
            duration_minutes: None,
            subject: self.note.clone(),
            responsible_id: me,
            company_id,
            contact_id,
            deal_id: None,
        }
    }
}

/// The note's text is the activity's `subject`; on the note form its field is `note`.
pub fn note_errors(errors: ValidationErrors) -> ValidationErrors {
    ValidationErrors(
        errors.0.into_iter().map(|e| if e.field == "subject" { e.for_field("note") } else { e }).collect(),
    )
}

/// Which quick action's panel is open: `""` (none), `activity`, `task` or `note`, also the
/// radio button's id suffix in the template.
pub type Open = &'static str;

/// The quick actions of a card: the three forms, what was typed into the one sent, its
/// errors, and the choices of their drop-downs.
#[derive(Debug, Clone)]
pub struct QuickActions {
    /// The card's URL; the forms post to `<base>/activities`, `/tasks`, `/notes`.
    pub base: String,
    pub open: Open,
    pub can_log: bool,
    pub can_add_task: bool,
    pub activity: ActivityForm,
    pub task: TaskForm,
    pub note: NoteForm,
    pub errors: ValidationErrors,
    pub error_items: Vec<ErrorItem>,
    pub kinds: Vec<SelectOption>,
    pub directions: Vec<SelectOption>,
    pub priorities: Vec<SelectOption>,
    pub assignees: Vec<SelectOption>,
    /// A company's contacts, to say whom the call was with (empty on a contact's card).
    pub contacts: Vec<SelectOption>,
}

impl QuickActions {
    /// Blank forms for a card at `base`.
    pub fn blank(base: String, me: UserId, tz: &str, now: DateTime<Utc>) -> Self {
        Self {
            base,
            open: "",
            can_log: false,
            can_add_task: false,
            activity: ActivityForm::blank(tz, now),
            task: TaskForm::blank(me),
            note: NoteForm::default(),
            errors: ValidationErrors::default(),
            error_items: Vec::new(),
            kinds: Vec::new(),
            directions: Vec::new(),
            priorities: Vec::new(),
            assignees: Vec::new(),
            contacts: Vec::new(),
        }
    }

    /// The same card with `open`'s form refused: its values kept, its errors shown.
    pub fn refused(mut self, layout: &Layout, open: Open, errors: ValidationErrors) -> Self {
        self.open = open;
        self.error_items = layout.error_items(&errors);
        self.errors = errors;
        self
    }

    /// Fills the drop-downs from the forms' current values.
    pub fn with_choices(
        mut self,
        layout: &Layout,
        assignees: Vec<SelectOption>,
        contacts: Vec<(String, String)>,
    ) -> Self {
        let kinds = [ActivityKind::Call, ActivityKind::Meeting, ActivityKind::Email];
        self.kinds = kinds
            .iter()
            .map(|k| {
                let label = layout.t(&format!("activity-kind-{}", k.as_str()));
                SelectOption::new(k.as_str(), label, self.activity.kind == k.as_str())
            })
            .collect();
        self.directions = Direction::ALL
            .iter()
            .map(|d| {
                let label = layout.t(&format!("activity-direction-{}", d.as_str()));
                SelectOption::new(d.as_str(), label, self.activity.direction == d.as_str())
            })
            .collect();
        self.priorities = TaskPriority::ALL
            .iter()
            .map(|p| {
                let label = layout.t(&format!("task-priority-{}", p.as_str()));
                SelectOption::new(p.as_str(), label, self.task.priority == p.as_str())
            })
            .collect();
        self.assignees = assignees
            .into_iter()
            .map(|o| SelectOption { selected: o.value == self.task.assignee_id, ..o })
            .collect();
        if !contacts.is_empty() {
            let none =
                SelectOption::new("", layout.t("quick-contact-none"), self.activity.contact_id.is_empty());
            let chosen = self.activity.contact_id.clone();
            self.contacts = std::iter::once(none)
                .chain(contacts.into_iter().map(|(id, name)| {
                    let selected = id == chosen;
                    SelectOption::new(id, name, selected)
                }))
                .collect();
        }
        self
    }

    /// `field_error` for the open form only: the closed ones never show stale errors.
    pub fn error(&self, layout: &Layout, form: &str, field: &str) -> String {
        if self.open == form { layout.field_error(&self.errors, field) } else { String::new() }
    }
}

/// What a quick action came to: done (the notice for the card after the redirect), or
/// refused with the form to show again.
pub enum Outcome {
    Done(&'static str),
    Refused(Box<QuickActions>),
}

/// Logs a call or meeting from a card at `base` (and its follow-up task, if asked for).
pub async fn log_activity(
    db: &Db,
    access: &Access,
    layout: &Layout,
    base: String,
    subject: Subject,
    form: ActivityForm,
) -> Result<Outcome, AppError> {
    let now = orbita_domain::now();
    let me = access.user_id();
    let result = match form.input(me, subject, &layout.t("quick-follow-up-default"), &layout.time_zone, now) {
        Ok((input, follow_up)) => activities::log(db, access, &input, follow_up.as_ref()).await.map(|_| ()),
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    refused_or(
        result,
        "logged",
        || {
            let blank = QuickActions::blank(base, me, &layout.time_zone, now);
            (QuickActions { activity: form, ..blank }, "activity")
        },
        layout,
    )
}

pub async fn add_task(
    db: &Db,
    access: &Access,
    layout: &Layout,
    base: String,
    subject: Subject,
    form: TaskForm,
) -> Result<Outcome, AppError> {
    let now = orbita_domain::now();
    let me = access.user_id();
    let result = match form.input(me, subject, &layout.time_zone) {
        Ok(input) => tasks::create(db, access, &input).await.map(|_| ()),
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    refused_or(
        result,
        "task-added",
        || {
            let blank = QuickActions::blank(base, me, &layout.time_zone, now);
            (QuickActions { task: form, ..blank }, "task")
        },
        layout,
    )
}

pub async fn add_note(
    db: &Db,
    access: &Access,
    layout: &Layout,
    base: String,
    subject: Subject,
    form: NoteForm,
) -> Result<Outcome, AppError> {
    let now = orbita_domain::now();
    let me = access.user_id();
    let result = activities::log(db, access, &form.input(me, subject, now), None).await.map(|_| ());
    let result = result.map_err(|e| match e {
        AppError::Invalid(errors) => AppError::Invalid(note_errors(errors)),
        other => other,
    });
    refused_or(
        result,
        "note-added",
        || {
            let blank = QuickActions::blank(base, me, &layout.time_zone, now);
            (QuickActions { note: form, ..blank }, "note")
        },
        layout,
    )
}

fn refused_or(
    result: Result<(), AppError>,
    notice: &'static str,
    form: impl FnOnce() -> (QuickActions, Open),
    layout: &Layout,
) -> Result<Outcome, AppError> {
    match result {
        Ok(()) => Ok(Outcome::Done(notice)),
        Err(AppError::Invalid(errors)) => {
            let (quick, open) = form();
            Ok(Outcome::Refused(Box::new(quick.refused(layout, open, errors))))
        }
        Err(other) => Err(other),
    }
}
