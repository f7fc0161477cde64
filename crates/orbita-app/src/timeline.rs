//! A card's timeline: everything that happened to a company, contact or deal, newest first —
//! calls and meetings logged, tasks created and done, stage changes, field edits and notes.

use orbita_domain::activity::Activity;
use orbita_domain::audit::{AuditAction, AuditEvent};
use orbita_domain::kind::{RecordKind, RecordRef};
use orbita_domain::task::Task;
use orbita_domain::{CompanyId, ContactId, DealId, Timestamp};
use orbita_storage::Db;
use orbita_storage::activities::ActivityFilter;
use orbita_storage::audit::{self, AuditFilter};
use orbita_storage::deals::{self, StageChange};
use orbita_storage::tasks::TaskFilter;

use crate::{Access, AppError, activities, tasks};

#[derive(Debug, Clone)]
pub enum Entry {
    Activity(Activity),
    TaskCreated(Task),
    TaskDone(Task),
    StageChanged(StageChange),
    /// A created/edited/transferred record, from the audit log.
    Changed(AuditEvent),
}

impl Entry {
    pub fn at(&self) -> Timestamp {
        match self {
            Entry::Activity(a) => a.fields.occurred_at,
            Entry::TaskCreated(t) => t.created_at,
            Entry::TaskDone(t) => t.done_at.unwrap_or(t.updated_at),
            Entry::StageChanged(c) => c.changed_at,
            Entry::Changed(e) => e.occurred_at,
        }
    }
}

/// The newest `limit` entries. The caller has already checked the user may see the record;
/// activities and tasks inside are filtered by the user's own scope as well.
pub async fn for_record(
    db: &Db,
    access: &Access,
    record: RecordRef,
    limit: u64,
) -> Result<Vec<Entry>, AppError> {
    let id = record.id;
    let (company_id, contact_id, deal_id) = match record.kind {
        RecordKind::Company => (Some(CompanyId(id)), None, None),
        RecordKind::Contact => (None, Some(ContactId(id)), None),
        RecordKind::Deal => (None, None, Some(DealId(id))),
        // Nothing is linked to a task or an activity: their timeline is their own history.
        RecordKind::Task | RecordKind::Activity => (None, None, None),
    };
    let mut entries = Vec::new();
    // Without a link an empty filter would list every activity and task the user may see.
    if company_id.is_some() || contact_id.is_some() || deal_id.is_some() {
        let activity_filter = ActivityFilter { company_id, contact_id, deal_id, ..Default::default() };
        if let Ok(page) = activities::list(db, access, &activity_filter, None, limit).await {
            entries.extend(page.items.into_iter().map(Entry::Activity));
        }
        let task_filter = TaskFilter { company_id, contact_id, deal_id, ..Default::default() };
        if let Ok(page) = tasks::list(db, access, &task_filter, None, limit).await {
            for task in page.items {
                if task.done_at.is_some() {
                    entries.push(Entry::TaskDone(task.clone()));
                }
                entries.push(Entry::TaskCreated(task));
            }
        }
    }
    if let Some(deal) = deal_id {
        entries.extend(deals::stage_history(db, deal).await?.into_iter().map(Entry::StageChanged));
    }
    let audit_filter =
        AuditFilter { entity: Some(record.kind.key().to_owned()), entity_id: Some(id), ..Default::default() };
    for event in audit::list(db, &audit_filter, None, limit).await?.items {
        // Stage changes are shown from the deal's own history, with stage names.
        if event.action != AuditAction::StageChange {
            entries.push(Entry::Changed(event));
        }
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.at()));
    entries.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(entries)
}
