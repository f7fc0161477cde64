//! What the company card and the contact card share: the timeline (calls, meetings, notes,
//! tasks and edits, newest first) and the side panels (fields, deals, open tasks). The quick
//! actions are in `quick`.

use chrono::{DateTime, Utc};
use orbita_app::AppError;
use orbita_app::timeline::Entry;
use orbita_domain::activity::{ActivityKind, ActivityStatus};
use orbita_domain::audit::{AuditAction, FieldChange};
use orbita_domain::deal::Deal;
use orbita_domain::list::Page;
use orbita_domain::org::Locale;
use orbita_domain::pipeline::Stage;
use orbita_domain::task::Task;
use orbita_domain::validation::Phone;
use orbita_domain::{CompanyId, ContactId, UserId};

use super::People;
use crate::ui::Layout;
use crate::ui::layout::tone;

/// How many timeline entries a card shows.
pub const TIMELINE_LIMIT: u64 = 50;

/// The record a card's quick actions attach to.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Company(CompanyId),
    /// A contact, and its company (so the call shows on the company's timeline too).
    Contact(ContactId, Option<CompanyId>),
}

impl Subject {
    pub fn links(self) -> (Option<CompanyId>, Option<ContactId>) {
        match self {
            Subject::Company(id) => (Some(id), None),
            Subject::Contact(id, company) => (company, Some(id)),
        }
    }
}

/// One line of the timeline.
#[derive(Debug, Clone)]
pub struct TimelineItem {
    /// For `<time datetime>`.
    pub iso: String,
    pub when: String,
    pub badge: String,
    pub tone: &'static str,
    pub title: String,
    pub text: String,
    pub who: String,
    pub changes: Vec<ChangeLine>,
}

/// An edited field: `Region: Москва → Казань`.
#[derive(Debug, Clone)]
pub struct ChangeLine {
    pub label: String,
    pub before: String,
    pub after: String,
}

pub fn timeline(layout: &Layout, people: &People, entries: Vec<Entry>) -> Vec<TimelineItem> {
    entries.into_iter().map(|entry| timeline_item(layout, people, entry)).collect()
}

fn timeline_item(layout: &Layout, people: &People, entry: Entry) -> TimelineItem {
    let at = entry.at();
    let mut item = TimelineItem {
        iso: at.to_rfc3339(),
        when: layout.datetime(at),
        badge: String::new(),
        tone: "neutral",
        title: String::new(),
        text: String::new(),
        who: String::new(),
        changes: Vec::new(),
    };
    match entry {
        Entry::Activity(activity) => {
            let f = &activity.fields;
            item.badge = layout.t(&format!("activity-kind-{}", f.kind.as_str()));
            item.tone = match f.kind {
                ActivityKind::Call => "violet",
                ActivityKind::Meeting => "blue",
                ActivityKind::Email | ActivityKind::Note => "neutral",
            };
            let mut parts = Vec::new();
            if f.status == ActivityStatus::Planned {
                parts.push(layout.t("activity-status-planned"));
            }
            if let Some(direction) = f.direction {
                parts.push(layout.t(&format!("activity-direction-{}", direction.as_str())));
            }
            if let Some(minutes) = f.duration_minutes.filter(|m| *m > 0) {
                parts.push(layout.count("count-minutes", minutes));
            }
            item.title = parts.join(" · ");
            item.text = f.subject.clone();
            item.who = people.name(f.responsible_id);
        }
        Entry::TaskCreated(task) => {
            item.badge = layout.t("entity-task");
            item.tone = "amber";
            item.title = layout.t_with("timeline-task-created", "title", &task.fields.title);
            if let Some(due) = task.fields.due_at {
                item.text = format!("{}: {}", layout.t("field-due"), layout.datetime(due));
            }
            item.who = people.name(task.fields.assignee_id);
        }
        Entry::TaskDone(task) => {
            item.badge = layout.t("entity-task");
            item.tone = "green";
            item.title = layout.t_with("timeline-task-done", "title", &task.fields.title);
            item.who = people.name(task.fields.assignee_id);
        }
        Entry::StageChanged(change) => {
            item.badge = layout.t("field-stage");
            item.tone = "blue";
            item.title = layout.t("timeline-stage-changed");
            item.who = change.changed_by.map(|id| people.name(UserId(id))).unwrap_or_default();
        }
        Entry::Changed(event) => {
            item.badge = layout.t("timeline-change");
            item.title = layout.t(match event.action {
                AuditAction::Create => "timeline-created",
                AuditAction::Delete => "timeline-deleted",
                AuditAction::OwnerChange => "timeline-owner-changed",
                _ => "timeline-edited",
            });
            item.who =
                event.actor_id.map(|id| people.name(id)).unwrap_or_else(|| layout.t("timeline-system"));
            if event.action != AuditAction::Create {
                item.changes = event.changes.iter().map(|c| change_line(layout, people, c)).collect();
            }
        }
    }
    item
}

fn change_line(layout: &Layout, people: &People, change: &FieldChange) -> ChangeLine {
    let show = |value: &Option<String>| -> String {
        let Some(value) = value.as_deref().filter(|v| !v.is_empty()) else { return "—".to_owned() };
        if matches!(change.field.as_str(), "owner_id" | "responsible_id" | "assignee_id")
            && let Ok(id) = value.parse()
        {
            return people.name(UserId(id));
        }
        match DateTime::parse_from_rfc3339(value) {
            Ok(at) => layout.datetime(at.with_timezone(&Utc)),
            Err(_) => value.to_owned(),
        }
    };
    ChangeLine {
        label: layout.field_label(&change.field),
        before: show(&change.before),
        after: show(&change.after),
    }
}

/// An open task in the card's side panel.
#[derive(Debug, Clone)]
pub struct TaskLine {
    pub title: String,
    pub due: String,
    pub due_title: String,
    pub overdue: bool,
    pub assignee: String,
    pub priority: String,
    pub priority_tone: &'static str,
}

pub fn task_lines(layout: &Layout, people: &People, tasks: &[Task], now: DateTime<Utc>) -> Vec<TaskLine> {
    tasks
        .iter()
        .map(|task| TaskLine {
            title: task.fields.title.clone(),
            due: task.fields.due_at.map(|d| layout.relative_due(d, now)).unwrap_or_default(),
            due_title: task.fields.due_at.map(|d| layout.datetime(d)).unwrap_or_default(),
            overdue: task.is_overdue(now),
            assignee: people.name(task.fields.assignee_id),
            priority: layout.t(&format!("task-priority-{}", task.fields.priority.as_str())),
            priority_tone: tone::task_priority(task.fields.priority),
        })
        .collect()
}

/// A label and its values on a card (several phones, each a link).
#[derive(Debug, Clone)]
pub struct Prop {
    pub label: String,
    pub values: Vec<(String, String)>,
}

/// A record's custom values that are filled in, after its own fields on the card.
pub async fn custom_props(
    db: &orbita_app::Db,
    layout: &Layout,
    kind: orbita_domain::kind::RecordKind,
    values: &orbita_domain::custom::CustomValues,
    users: &[orbita_domain::user::User],
) -> Result<Vec<Prop>, orbita_app::AppError> {
    let fields = orbita_app::custom_fields::active(db, kind).await?;
    let currency = orbita_app::setup::settings(db).await?.currency;
    let people = crate::pages::custom_fields::People { users, currency };
    Ok(crate::pages::custom_fields::card_rows(layout, &fields, values, &people)
        .into_iter()
        .filter(|row| !row.text.is_empty())
        .map(|row| Prop { label: row.label, values: vec![(row.text, row.href)] })
        .collect())
}

impl Prop {
    pub fn text(label: String, value: Option<&str>) -> Option<Prop> {
        let value = value.filter(|v| !v.trim().is_empty())?;
        Some(Prop { label, values: vec![(value.to_owned(), String::new())] })
    }

    pub fn links(label: String, values: Vec<(String, String)>) -> Option<Prop> {
        (!values.is_empty()).then_some(Prop { label, values })
    }
}

pub fn phone_links(phones: &[Phone]) -> Vec<(String, String)> {
    phones.iter().map(|p| (p.display(), format!("tel:{}", p.as_str()))).collect()
}

pub fn email_links<'a>(emails: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    emails.map(|e| (e.to_owned(), format!("mailto:{e}"))).collect()
}

/// A deal in a card's side panel.
#[derive(Debug, Clone)]
pub struct DealLine {
    pub href: String,
    pub title: String,
    pub stage: String,
    pub tone: &'static str,
    pub amount: String,
}

pub fn deal_lines(layout: &Layout, deals: &[Deal], stages: &[Stage]) -> Vec<DealLine> {
    deals
        .iter()
        .map(|deal| {
            let stage = stages.iter().find(|s| s.id == deal.stage_id);
            DealLine {
                href: format!("/deals/{}", deal.id),
                title: deal.fields.title.clone(),
                stage: stage
                    .map(|s| match layout.locale {
                        Locale::Ru => s.name_ru.clone(),
                        Locale::En => s.name_en.clone(),
                    })
                    .unwrap_or_default(),
                tone: tone::deal_status(deal.status),
                amount: layout.money(deal.fields.amount),
            }
        })
        .collect()
}

/// A list a card shows beside the record; a user without the right to see that area just
/// sees none (a card never fails for it).
pub fn or_none<T>(result: Result<Page<T>, AppError>) -> Result<Vec<T>, AppError> {
    match result {
        Ok(page) => Ok(page.items),
        Err(AppError::Forbidden) => Ok(Vec::new()),
        Err(other) => Err(other),
    }
}
