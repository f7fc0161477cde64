//! The robot board: a column for new deals, changed fields, overdue tasks and each stage of
//! the chosen pipeline, with its rules as cards.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use orbita_app::{AppError, automation};
use orbita_domain::automation::{Rule, RuleAction, Trigger};
use serde::Deserialize;

use super::{Names, Tab, action_text, assignee_text, minutes_text};
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::pages::deals::common::stage_name;
use crate::ui::layout::tone;
use crate::ui::{Layout, Nav};

struct Card {
    id: i64,
    name: String,
    task: String,
    assignee: String,
    /// "due in 15 min", or empty.
    due: String,
    /// "after 2 h", or empty.
    delay: String,
    /// The watched field of a `field_changed` rule ("Amount changes"), or empty.
    watch: String,
    active: bool,
    conditional: bool,
}

struct Column {
    title: String,
    tone: &'static str,
    new_href: String,
    cards: Vec<Card>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/automation.html")]
struct BoardPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    pipelines: Vec<(String, String, bool)>,
    columns: Vec<Column>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct BoardQuery {
    pipeline: Option<i64>,
}

pub(super) async fn board(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let access = &user.session.access;
    let names = Names::load(&state, &user).await?;
    let pipeline = names.pipeline(query.pipeline).ok_or(AppError::NotFound)?;
    let rules = automation::rules(&state.db, access, Some(pipeline.id)).await?;
    let layout = user.page(user.t("admin-automation"), Some(Nav::Admin));
    let card = |rule: &Rule| Card {
        id: rule.id,
        name: rule.fields.name.clone(),
        task: action_text(&layout, &names, rule),
        // A move, a field set or a webhook call is nobody's.
        assignee: match rule.fields.action {
            RuleAction::MoveStage | RuleAction::SetField | RuleAction::CallWebhook => String::new(),
            RuleAction::SetTask | RuleAction::Notify | RuleAction::AssignOwner => {
                assignee_text(&layout, &names, rule)
            }
        },
        due: match (rule.fields.action, rule.fields.task.due_minutes) {
            (RuleAction::SetTask, _) if rule.fields.task.due_field.is_some() => {
                let key = rule.fields.task.due_field.as_deref().unwrap_or_default();
                layout.t_with("automation-due-on", "field", &names.field(&layout, key))
            }
            (RuleAction::SetTask, Some(m)) => {
                let due = layout.t_with("automation-due-in", "time", &minutes_text(&layout, m));
                match rule.fields.task.due_working {
                    true => format!("{due}, {}", layout.t("automation-due-working-mark")),
                    false => due,
                }
            }
            _ => String::new(),
        },
        delay: match rule.fields.delay_minutes {
            0 => String::new(),
            m => layout.t_with("automation-after", "time", &minutes_text(&layout, m)),
        },
        active: rule.fields.active,
        conditional: rule.fields.condition.is_some(),
        watch: rule.fields.trigger_field.as_deref().map_or_else(String::new, |key| {
            layout.t_with("automation-watch", "field", &names.field(&layout, key))
        }),
    };
    let new_href = |rest: String| format!("/admin/automation/new?pipeline={}{rest}", pipeline.id);
    let mut columns = vec![Column {
        title: layout.t("automation-on-new-deal"),
        tone: "blue",
        new_href: new_href("&trigger=deal_created".to_owned()),
        cards: rules.iter().filter(|r| r.fields.trigger == Trigger::DealCreated).map(card).collect(),
    }];
    columns.push(Column {
        title: layout.t("automation-on-field-change"),
        tone: "amber",
        new_href: new_href("&trigger=field_changed".to_owned()),
        cards: rules.iter().filter(|r| r.fields.trigger == Trigger::FieldChanged).map(card).collect(),
    });
    columns.push(Column {
        title: layout.t("automation-on-task-overdue"),
        tone: "red",
        new_href: new_href("&trigger=task_overdue".to_owned()),
        cards: rules.iter().filter(|r| r.fields.trigger == Trigger::TaskOverdue).map(card).collect(),
    });
    for stage in names.stages.iter().filter(|s| s.pipeline_id == pipeline.id) {
        let cards = rules
            .iter()
            .filter(|r| r.fields.trigger == Trigger::StageEntered && r.fields.stage_id == Some(stage.id))
            .map(card)
            .collect();
        columns.push(Column {
            title: stage_name(layout.locale, stage),
            tone: tone::stage_kind(stage.kind),
            new_href: new_href(format!("&stage={}", stage.id)),
            cards,
        });
    }
    let pipelines = names
        .pipelines
        .iter()
        .map(|p| {
            let name = if layout.locale == orbita_domain::org::Locale::Ru { &p.name_ru } else { &p.name_en };
            (format!("/admin/automation?pipeline={}", p.id), name.clone(), p.id == pipeline.id)
        })
        .collect();
    Ok(BoardPage { layout, tab: Tab::Automation, tabs: Tab::ALL, pipelines, columns }.into_response())
}
