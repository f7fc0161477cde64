//! Automation rules (`/admin/automation`): a pipeline's robot board — a column for new deals,
//! changed fields, overdue tasks and one per stage, each with its rules — and a rule's form
//! with its latest runs. Administrators only; the service checks.

mod board;
mod rule;

use axum::Router;
use axum::routing::{get, post};
use orbita_app::{AppError, admin, deals};
use orbita_domain::automation::{Rule, RuleAction};
use orbita_domain::custom::CustomField;
use orbita_domain::kind::RecordKind;
use orbita_domain::pipeline::{Pipeline, Stage};
use orbita_domain::user::User;
use orbita_domain::working_time::WorkingHours;
use orbita_domain::{GroupId, UserId};

use super::Tab;
use crate::AppState;
use crate::pages::SignedIn;
use crate::pages::deals::common::stage_name;
use crate::ui::Layout;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/automation", get(board::board).post(rule::create))
        .route("/admin/automation/new", get(rule::new_form))
        .route("/admin/automation/{id}", get(rule::edit_form).post(rule::update))
        .route("/admin/automation/{id}/delete", post(rule::delete))
}

/// What the board and the forms need to name things: pipelines, stages, users, groups.
pub(super) struct Names {
    pub(super) pipelines: Vec<Pipeline>,
    pub(super) stages: Vec<Stage>,
    pub(super) users: Vec<User>,
    pub(super) groups: Vec<(GroupId, String)>,
    /// The organisation's working week, for the deadline's "working hours only" hint.
    week: WorkingHours,
    /// The deals' custom fields, for the fields a rule may watch.
    pub(super) custom: Vec<CustomField>,
    /// The organisation's webhooks a rule may call: id and address.
    webhooks: Vec<(i64, String)>,
}

impl Names {
    pub(super) async fn load(state: &AppState, user: &SignedIn) -> Result<Names, AppError> {
        let access = &user.session.access;
        let (pipelines, stages) = deals::pipelines_and_stages(&state.db).await?;
        let users = admin::users(&state.db, access).await?;
        let groups =
            admin::groups(&state.db, access).await?.into_iter().map(|(g, _)| (g.id, g.name)).collect();
        let week = orbita_app::setup::settings(&state.db).await?.working_hours;
        let custom = orbita_app::custom_fields::active(&state.db, RecordKind::Deal).await?;
        let webhooks = orbita_app::webhooks::list(&state.db, access)
            .await?
            .into_iter()
            .map(|h| (h.id, h.fields.url))
            .collect();
        Ok(Names { pipelines, stages, users, groups, week, custom, webhooks })
    }

    fn user(&self, id: UserId) -> String {
        self.users.iter().find(|u| u.id == id).map_or_else(|| format!("#{id}"), |u| u.name.clone())
    }

    fn group(&self, id: GroupId) -> String {
        self.groups.iter().find(|(g, _)| *g == id).map_or_else(|| format!("#{id}"), |(_, n)| n.clone())
    }

    /// "Mon, Tue, Wed, Thu, Fri 09:00–18:00".
    fn week_text(&self, layout: &Layout) -> String {
        let days: Vec<String> =
            (1..=7).filter(|n| self.week.days[n - 1]).map(|n| layout.t(&format!("weekday-{n}"))).collect();
        format!("{} {}–{}", days.join(", "), self.week.start_text(), self.week.end_text())
    }

    /// A field a rule may watch, as the deal's card names it.
    fn field(&self, layout: &Layout, key: &str) -> String {
        let built_in = match key {
            "amount" => "field-amount",
            "owner_id" => "field-owner",
            "expected_close_date" => "field-expected-close-date",
            "source" => "field-source",
            "title" => "field-title",
            "company_id" => "field-company",
            "contact_id" => "field-contact",
            "notes" => "field-notes",
            _ => "",
        };
        if !built_in.is_empty() {
            return layout.t(built_in);
        }
        let lang = layout.locale.as_str();
        self.custom
            .iter()
            .find(|f| f.path() == key)
            .map_or_else(|| key.to_owned(), |f| f.label(lang).to_owned())
    }

    /// The pipeline asked for, or the default one.
    fn pipeline(&self, raw: Option<i64>) -> Option<&Pipeline> {
        let asked = raw.and_then(|id| self.pipelines.iter().find(|p| p.id.0 == id));
        asked.or_else(|| self.pipelines.iter().find(|p| p.is_default)).or(self.pipelines.first())
    }
}

/// "Deal owner", "Anna Petrova", "In turn: Measurers", "Least loaded: Installers".
fn assignee_text(layout: &Layout, names: &Names, rule: &Rule) -> String {
    use orbita_domain::automation::Assignee;
    match rule.fields.task.assignee {
        Assignee::DealOwner => layout.t("automation-assignee-deal_owner"),
        Assignee::User(id) => names.user(id),
        Assignee::RoundRobin(g) => layout.t_with("automation-in-turn", "group", &names.group(g)),
        Assignee::LeastLoaded(g) => layout.t_with("automation-least-loaded", "group", &names.group(g)),
    }
}

/// "in 15 min", "in 2 h", "in 3 d": a delay or a deadline.
fn minutes_text(layout: &Layout, minutes: i64) -> String {
    let (n, unit) = match minutes {
        m if m > 0 && m % (24 * 60) == 0 => (m / (24 * 60), "automation-days"),
        m if m > 0 && m % 60 == 0 => (m / 60, "automation-hours"),
        m => (m, "automation-minutes"),
    };
    layout.t_with(unit, "n", &n.to_string())
}

/// What a rule's card says it does: its task's title, "Notify: …", "Move to a stage «…»".
fn action_text(layout: &Layout, names: &Names, rule: &Rule) -> String {
    let f = &rule.fields;
    let action = layout.t(&format!("automation-action-{}", f.action.as_str()));
    match f.action {
        RuleAction::SetTask => f.task.title.clone(),
        RuleAction::Notify => format!("{action}: {}", f.task.title),
        RuleAction::AssignOwner => action,
        RuleAction::MoveStage => {
            let stage = names.stages.iter().find(|s| Some(s.id) == f.target_stage_id);
            format!("{action} «{}»", stage.map(|s| stage_name(layout.locale, s)).unwrap_or_default())
        }
        RuleAction::SetField => {
            let field = names.field(layout, f.set_field.as_deref().unwrap_or_default());
            format!("{action}: «{field}» = {}", f.set_value.as_deref().unwrap_or("—"))
        }
        RuleAction::CallWebhook => {
            let hook = names.webhooks.iter().find(|(id, _)| Some(*id) == f.webhook_id);
            format!("{action}: {}", hook.map_or("—", |(_, url)| url.as_str()))
        }
    }
}
