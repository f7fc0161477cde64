//! A deal's timeline as the card prints it: each entry of `orbita_app::timeline` turned into a
//! label, a line of text, who did it and a link; stage changes by stage name.

use orbita_app::timeline::Entry;
use orbita_domain::Timestamp;
use orbita_domain::audit::AuditAction;
use orbita_domain::pipeline::Stage;

use super::common::{self, People};
use crate::ui::Layout;

pub struct TimelineItem {
    pub at: Timestamp,
    /// A colour for the marker: `violet` activity, `blue` task, `green` done, `amber` stage.
    pub tone: &'static str,
    pub label: String,
    pub title: String,
    pub body: String,
    pub meta: String,
    pub who: String,
    pub href: String,
}

pub fn items(layout: &Layout, entries: &[Entry], stages: &[Stage], people: &People) -> Vec<TimelineItem> {
    entries.iter().filter_map(|entry| item(layout, entry, stages, people)).collect()
}

fn item(layout: &Layout, entry: &Entry, stages: &[Stage], people: &People) -> Option<TimelineItem> {
    let stage = |id: i64| {
        stages.iter().find(|s| s.id.0 == id).map(|s| common::stage_name(layout.locale, s)).unwrap_or_default()
    };
    let blank = TimelineItem {
        at: entry.at(),
        tone: "neutral",
        label: String::new(),
        title: String::new(),
        body: String::new(),
        meta: String::new(),
        who: String::new(),
        href: String::new(),
    };
    Some(match entry {
        Entry::Activity(a) => {
            let f = &a.fields;
            let mut label = layout.t(&format!("activity-kind-{}", f.kind.as_str()));
            if let Some(direction) = f.direction {
                label =
                    format!("{label} · {}", layout.t(&format!("activity-direction-{}", direction.as_str())));
            }
            let mut meta = vec![layout.t(&format!("activity-status-{}", f.status.as_str()))];
            if let Some(minutes) = f.duration_minutes.filter(|m| *m > 0) {
                meta.push(layout.count("count-minutes", minutes));
            }
            TimelineItem {
                tone: "violet",
                label,
                body: f.subject.clone(),
                meta: meta.join(" · "),
                who: people.name(f.responsible_id),
                href: format!("/activities/{}", a.id),
                ..blank
            }
        }
        Entry::TaskCreated(t) => TimelineItem {
            tone: "blue",
            label: layout.t("deals-timeline-task-created"),
            title: t.fields.title.clone(),
            meta: t
                .fields
                .due_at
                .map(|due| format!("{}: {}", layout.t("field-due"), layout.datetime(due)))
                .unwrap_or_default(),
            who: people.name(t.fields.assignee_id),
            href: format!("/tasks/{}", t.id),
            ..blank
        },
        Entry::TaskDone(t) => TimelineItem {
            tone: "green",
            label: layout.t("deals-timeline-task-done"),
            title: t.fields.title.clone(),
            who: people.name(t.fields.assignee_id),
            href: format!("/tasks/{}", t.id),
            ..blank
        },
        Entry::StageChanged(c) => TimelineItem {
            tone: "amber",
            label: layout.t("deals-timeline-stage"),
            title: match c.from_stage_id {
                Some(from) => format!("{} → {}", stage(from), stage(c.to_stage_id)),
                None => stage(c.to_stage_id),
            },
            who: c.changed_by.map(|u| people.name(orbita_domain::UserId(u))).unwrap_or_default(),
            ..blank
        },
        Entry::Changed(e) => {
            let who = e.actor_id.map(|u| people.name(u)).unwrap_or_default();
            match e.action {
                AuditAction::Create => {
                    TimelineItem { label: layout.t("deals-timeline-created"), who, ..blank }
                }
                AuditAction::Update => TimelineItem {
                    label: layout.t("deals-timeline-updated"),
                    body: e
                        .changes
                        .iter()
                        .map(|c| {
                            let value = |v: &Option<String>| match v.as_deref() {
                                None | Some("") => "—".to_owned(),
                                Some(v) if v.chars().count() > 60 => {
                                    format!("{}…", v.chars().take(60).collect::<String>())
                                }
                                Some(v) => v.to_owned(),
                            };
                            format!(
                                "{}: {} → {}",
                                layout.field_label(&c.field),
                                value(&c.before),
                                value(&c.after)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                    who,
                    ..blank
                },
                AuditAction::OwnerChange => {
                    let name = |v: &Option<String>| {
                        v.as_deref().and_then(common::id).map(|u| people.name(u)).unwrap_or_default()
                    };
                    let change = e.changes.iter().find(|c| c.field == "owner_id");
                    TimelineItem {
                        label: layout.t("deals-timeline-owner"),
                        title: change
                            .map(|c| format!("{} → {}", name(&c.before), name(&c.after)))
                            .unwrap_or_default(),
                        who,
                        ..blank
                    }
                }
                _ => return None,
            }
        }
    })
}
