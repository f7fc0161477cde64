//! A rule's form (new and edit), its latest runs and its test run, and the saves.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use orbita_app::automation::Preview;
use orbita_app::{AppError, automation};
use orbita_domain::automation::{
    AssigneeKind, RuleAction, RuleInput, RuleRun, RunOutcome, Trigger, date_fields, settable_fields,
    watchable_fields,
};
use orbita_domain::kind::RecordKind;
use orbita_domain::task::TaskPriority;
use orbita_domain::{DealId, FieldError, GroupId, PipelineId, StageId, UserId, ValidationErrors};
use serde::Deserialize;

use super::{Names, Tab};
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::pages::conditions::{Candidate, Embedded, Section};
use crate::pages::deals::common::stage_name;
use crate::ui::{ErrorItem, Layout, Nav, SelectOption};

/// The rule form as typed: numbers stay text until read, so a wrong one gets its message.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct RuleForm {
    name: String,
    active: Option<String>,
    pipeline_id: String,
    trigger: String,
    trigger_field: String,
    stage_id: String,
    delay_minutes: String,
    task_title: String,
    task_description: String,
    assignee: String,
    assignee_user_id: String,
    assignee_group_id: String,
    due_minutes: String,
    /// "on" when the deadline counts working hours only.
    due_working: Option<String>,
    /// A deal date the task is due on, or empty.
    due_field: String,
    priority: String,
    action: String,
    target_stage_id: String,
    /// A `set_field` rule's field and value, as typed.
    set_field: String,
    set_value: String,
    webhook_id: String,
}

fn number(raw: &str, field: &str, errors: &mut ValidationErrors) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    raw.parse()
        .map_err(|_| errors.push(FieldError::new(field, "automation-minutes-range", "Give a number")))
        .ok()
}

impl RuleForm {
    /// The service's input, and the mistakes only the form can make (a number that is none).
    fn input(&self) -> (RuleInput, ValidationErrors) {
        let mut errors = ValidationErrors::default();
        let id = |raw: &str| raw.trim().parse::<i64>().ok();
        let input = RuleInput {
            name: self.name.clone(),
            active: Some(self.active.is_some()),
            pipeline_id: id(&self.pipeline_id).map(PipelineId),
            stage_id: id(&self.stage_id).map(StageId),
            trigger: Trigger::parse(&self.trigger),
            trigger_field: Some(self.trigger_field.clone()),
            // The condition is the builder's rows, read beside the form.
            condition: None,
            delay_minutes: number(&self.delay_minutes, "delay_minutes", &mut errors),
            task_title: self.task_title.clone(),
            task_description: self.task_description.clone(),
            assignee: AssigneeKind::parse(&self.assignee),
            assignee_user_id: id(&self.assignee_user_id).map(UserId),
            assignee_group_id: id(&self.assignee_group_id).map(GroupId),
            due_minutes: number(&self.due_minutes, "due_minutes", &mut errors),
            due_working: Some(self.due_working.is_some()),
            due_field: Some(self.due_field.clone()),
            priority: TaskPriority::parse(&self.priority),
            action: RuleAction::parse(&self.action),
            target_stage_id: id(&self.target_stage_id).map(StageId),
            set_field: Some(self.set_field.clone()),
            set_value: Some(self.set_value.clone()),
            webhook_id: id(&self.webhook_id),
        };
        (input, errors)
    }

    fn from_input(i: &RuleInput) -> RuleForm {
        let text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        RuleForm {
            name: i.name.clone(),
            active: i.active.unwrap_or(true).then(|| "on".to_owned()),
            pipeline_id: text(i.pipeline_id.map(|p| p.0)),
            trigger: i.trigger.unwrap_or(Trigger::StageEntered).as_str().to_owned(),
            trigger_field: i.trigger_field.clone().unwrap_or_default(),
            stage_id: text(i.stage_id.map(|s| s.0)),
            delay_minutes: text(i.delay_minutes),
            task_title: i.task_title.clone(),
            task_description: i.task_description.clone(),
            assignee: i.assignee.unwrap_or(AssigneeKind::DealOwner).as_str().to_owned(),
            assignee_user_id: text(i.assignee_user_id.map(|u| u.0)),
            assignee_group_id: text(i.assignee_group_id.map(|g| g.0)),
            due_minutes: text(i.due_minutes),
            due_working: i.due_working.unwrap_or(false).then(|| "on".to_owned()),
            due_field: i.due_field.clone().unwrap_or_default(),
            priority: i.priority.unwrap_or(TaskPriority::Normal).as_str().to_owned(),
            action: i.action.unwrap_or(RuleAction::SetTask).as_str().to_owned(),
            target_stage_id: text(i.target_stage_id.map(|s| s.0)),
            set_field: i.set_field.clone().unwrap_or_default(),
            set_value: i.set_value.clone().unwrap_or_default(),
            webhook_id: text(i.webhook_id),
        }
    }
}

struct RunRow {
    when: String,
    deal_id: i64,
    outcome: String,
    tone: &'static str,
    task_id: Option<i64>,
    assignee: String,
    detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/automation_rule.html")]
struct RulePage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    /// `None` for a new rule.
    id: Option<i64>,
    form: RuleForm,
    board_href: String,
    triggers: Vec<SelectOption>,
    watchable: Vec<SelectOption>,
    /// The deal dates a task may be due on.
    dates: Vec<SelectOption>,
    /// The deal fields a rule may set, and the organisation's webhooks.
    settable: Vec<SelectOption>,
    webhooks: Vec<SelectOption>,
    stages: Vec<SelectOption>,
    actions: Vec<SelectOption>,
    target_stages: Vec<SelectOption>,
    assignees: Vec<SelectOption>,
    users: Vec<SelectOption>,
    groups: Vec<SelectOption>,
    priorities: Vec<SelectOption>,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
    /// The condition's rows (the lists' condition builder), joined by "all" or "any", and its groups.
    join_all: bool,
    join_legend: String,
    sections: Vec<Section>,
    rows_hx: String,
    /// A nested condition (from the API) the rows cannot show, kept until replaced.
    foreign: String,
    runs: Vec<RunRow>,
    /// The test run's deal number, as typed, and what the rule would do for it.
    test_deal: String,
    test_result: String,
    /// The hint under "working hours only", naming the week.
    working_hint: String,
}

fn options<T: PartialEq>(
    items: impl IntoIterator<Item = (T, String, String)>,
    current: &T,
) -> Vec<SelectOption> {
    items.into_iter().map(|(value, id, label)| SelectOption::new(id, label, value == *current)).collect()
}

fn rule_page(
    user: &SignedIn,
    names: &Names,
    id: Option<i64>,
    form: RuleForm,
    condition: &Embedded,
    errors: ValidationErrors,
    runs: Vec<RuleRun>,
) -> RulePage {
    let title = if id.is_some() { form.name.clone() } else { user.t("automation-new-rule") };
    let layout = user.page(title, Some(Nav::Admin));
    let t = |key: &str| layout.t(key);
    let pipeline = form.pipeline_id.parse::<i64>().ok();
    let triggers = options(
        Trigger::ALL.iter().map(|tr| {
            (tr.as_str(), tr.as_str().to_owned(), t(&format!("automation-trigger-{}", tr.as_str())))
        }),
        &form.trigger.as_str(),
    );
    let stage_options = |chosen: &str| -> Vec<SelectOption> {
        std::iter::once(SelectOption::new("", t("automation-choose-stage"), chosen.is_empty()))
            .chain(names.stages.iter().filter(|s| Some(s.pipeline_id.0) == pipeline).map(|s| {
                SelectOption::new(s.id.to_string(), stage_name(layout.locale, s), s.id.to_string() == chosen)
            }))
            .collect()
    };
    let stages = stage_options(&form.stage_id);
    let field_options = |keys: Vec<String>, none: String, chosen: &str| -> Vec<SelectOption> {
        std::iter::once(SelectOption::new("", none, chosen.is_empty()))
            .chain(keys.into_iter().map(|key| {
                let selected = key == chosen;
                SelectOption::new(key.clone(), names.field(&layout, &key), selected)
            }))
            .collect()
    };
    let watchable =
        field_options(watchable_fields(&names.custom), t("automation-choose-field"), &form.trigger_field);
    let dates = field_options(date_fields(&names.custom), t("automation-due-field-none"), &form.due_field);
    let settable =
        field_options(settable_fields(&names.custom), t("automation-choose-field"), &form.set_field);
    let target_stages = stage_options(&form.target_stage_id);
    let actions = options(
        RuleAction::ALL
            .iter()
            .map(|a| (a.as_str(), a.as_str().to_owned(), t(&format!("automation-action-{}", a.as_str())))),
        &form.action.as_str(),
    );
    let assignees = options(
        AssigneeKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.as_str().to_owned(), t(&format!("automation-assignee-{}", k.as_str())))),
        &form.assignee.as_str(),
    );
    let none = |selected: bool| SelectOption::new("", "—", selected);
    let users = std::iter::once(none(form.assignee_user_id.is_empty()))
        .chain(names.users.iter().filter(|u| u.is_active).map(|u| {
            SelectOption::new(u.id.to_string(), u.name.clone(), u.id.to_string() == form.assignee_user_id)
        }))
        .collect();
    let groups = std::iter::once(none(form.assignee_group_id.is_empty()))
        .chain(names.groups.iter().map(|(g, name)| {
            SelectOption::new(g.to_string(), name.clone(), g.to_string() == form.assignee_group_id)
        }))
        .collect();
    let webhooks = std::iter::once(none(form.webhook_id.is_empty()))
        .chain(names.webhooks.iter().map(|(id, url)| {
            SelectOption::new(id.to_string(), url.clone(), id.to_string() == form.webhook_id)
        }))
        .collect();
    let priorities = options(
        TaskPriority::ALL
            .iter()
            .map(|p| (p.as_str(), p.as_str().to_owned(), t(&format!("task-priority-{}", p.as_str())))),
        &form.priority.as_str(),
    );
    let shown = condition.show(&layout, &errors);
    let join_legend = layout.t("automation-condition-join");
    let error_items = condition.error_items(&layout, &shown, &errors);
    let runs = run_rows(&layout, names, runs);
    let action = id.map_or_else(|| "/admin/automation".to_owned(), |id| format!("/admin/automation/{id}"));
    let rows_hx = format!(
        r##"hx-post="{action}" hx-vals='{{"refresh": "1"}}' hx-target="#rule-condition" hx-select="#rule-condition""##
    );
    let board_href = format!("/admin/automation?pipeline={}", form.pipeline_id);
    let working_hint = layout.t_with("automation-due-working-hint", "week", &names.week_text(&layout));
    RulePage {
        layout,
        tab: Tab::Automation,
        tabs: Tab::ALL,
        id,
        form,
        board_href,
        triggers,
        watchable,
        dates,
        settable,
        webhooks,
        stages,
        actions,
        target_stages,
        assignees,
        users,
        groups,
        priorities,
        errors,
        error_items,
        join_all: shown.join_all,
        join_legend,
        sections: shown.sections,
        rows_hx,
        foreign: shown.foreign,
        runs,
        test_deal: String::new(),
        test_result: String::new(),
        working_hint,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NewQuery {
    pipeline: Option<i64>,
    stage: Option<i64>,
    trigger: String,
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    automation::may_edit(&user.session.access)?;
    let names = Names::load(&state, &user).await?;
    let pipeline = names.pipeline(query.pipeline).ok_or(AppError::NotFound)?;
    let trigger = Trigger::parse(&query.trigger).unwrap_or(Trigger::StageEntered);
    let input = RuleInput {
        pipeline_id: Some(pipeline.id),
        stage_id: query.stage.map(StageId),
        trigger: Some(trigger),
        ..RuleInput::default()
    };
    let form = RuleForm::from_input(&input);
    let condition = Embedded::from_tree(None, deal_fields(&state, &user).await?, &user.layout.time_zone);
    let page = rule_page(&user, &names, None, form, &condition, ValidationErrors::default(), Vec::new());
    Ok(page.into_response())
}

fn run_rows(layout: &Layout, names: &Names, runs: Vec<RuleRun>) -> Vec<RunRow> {
    runs.into_iter()
        .map(|run| RunRow {
            when: layout.datetime(run.occurred_at),
            deal_id: run.deal_id,
            outcome: layout.t(&format!("automation-outcome-{}", run.outcome.as_str())),
            tone: match run.outcome {
                RunOutcome::Fired => "green",
                RunOutcome::Skipped => "neutral",
                RunOutcome::Failed => "red",
            },
            task_id: run.task_id,
            assignee: run.assignee_id.map(|u| names.user(u)).unwrap_or_default(),
            detail: run.detail.unwrap_or_default(),
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TestQuery {
    /// A deal's number to try the rule on.
    test_deal: String,
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<TestQuery>,
) -> Result<Response, PageError> {
    let access = &user.session.access;
    let rule = automation::get(&state.db, access, id).await?;
    let names = Names::load(&state, &user).await?;
    let runs = automation::runs(&state.db, access, id).await?;
    let form = RuleForm::from_input(&RuleInput::from(&rule.fields));
    let candidates = deal_fields(&state, &user).await?;
    let mut condition =
        Embedded::from_tree(rule.fields.condition.as_deref(), candidates, &user.layout.time_zone);
    condition.name_records(&state.db, &user.session.access, &user.layout).await?;
    let mut page = rule_page(&user, &names, Some(id), form, &condition, ValidationErrors::default(), runs);
    page.test_deal = query.test_deal.trim().to_owned();
    if !page.test_deal.is_empty() {
        page.test_result = match page.test_deal.trim_start_matches('№').trim().parse::<i64>() {
            Ok(deal) => match automation::test_run(&state.db, access, id, DealId(deal)).await {
                Ok(preview) => preview_text(&page.layout, &names, &preview),
                Err(AppError::Invalid(errors)) => {
                    errors.0.first().map(|e| page.layout.error_message(e)).unwrap_or_default()
                }
                Err(other) => return Err(other.into()),
            },
            Err(_) => page.layout.t("error-automation-deal-unknown"),
        };
    }
    Ok(page.into_response())
}

/// "Would set «Call the client: …» for Anna, due …", or why it would do nothing.
fn preview_text(layout: &Layout, names: &Names, preview: &Preview) -> String {
    match preview {
        Preview::Skip(why) => layout.t_with("automation-test-skip", "reason", why),
        Preview::Task { title, assignee, due_at } => {
            let due = due_at.map(|d| layout.datetime(d)).unwrap_or_else(|| "—".to_owned());
            let args = [
                ("title", title.clone().into()),
                ("assignee", names.user(*assignee).into()),
                ("due", due.into()),
            ];
            crate::ui::i18n::t_args(layout.locale, "automation-test-task", &args)
        }
        Preview::Notice { text, recipient } => {
            let args = [("text", text.clone().into()), ("recipient", names.user(*recipient).into())];
            crate::ui::i18n::t_args(layout.locale, "automation-test-notice", &args)
        }
        Preview::Owner(owner) => layout.t_with("automation-test-owner", "owner", &names.user(*owner)),
        Preview::Field { field, value } => {
            let args = [
                ("field", names.field(layout, field).into()),
                ("value", value.clone().unwrap_or_else(|| "—".to_owned()).into()),
            ];
            crate::ui::i18n::t_args(layout.locale, "automation-test-field", &args)
        }
        Preview::Webhook(url) => layout.t_with("automation-test-webhook", "url", url),
        Preview::Move(stage) => {
            let name = names.stages.iter().find(|s| s.id == *stage).map(|s| stage_name(layout.locale, s));
            layout.t_with("automation-test-move", "stage", &name.unwrap_or_else(|| format!("#{stage}")))
        }
    }
}

/// The deal fields a rule's condition may name.
async fn deal_fields(state: &AppState, user: &SignedIn) -> Result<Vec<Candidate>, AppError> {
    Embedded::candidates(state, user, RecordKind::Deal).await
}

/// Saves a new rule (`id` none) or an edit; back to the board, or the form with its messages.
/// A condition row added, removed or changed shows the form again, nothing saved.
async fn save(state: AppState, user: SignedIn, id: Option<i64>, body: &[u8]) -> Result<Response, PageError> {
    let form: RuleForm = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let access = &user.session.access;
    let candidates = deal_fields(&state, &user).await?;
    let (mut condition, edited) = Embedded::from_form(&pairs, candidates, &user.layout.time_zone);
    condition.name_records(&state.db, &user.session.access, &user.layout).await?;
    let (mut input, mut errors) = form.input();
    let page = async |errors: ValidationErrors, status: StatusCode| -> Result<Response, PageError> {
        let names = Names::load(&state, &user).await?;
        let runs = match id {
            Some(id) => automation::runs(&state.db, access, id).await?,
            None => Vec::new(),
        };
        let page = rule_page(&user, &names, id, form.clone(), &condition, errors, runs);
        Ok((status, page).into_response())
    };
    if edited {
        return page(ValidationErrors::default(), StatusCode::OK).await;
    }
    let (tree, missing) = condition.condition();
    input.condition = tree;
    errors.0.extend(missing.0);
    let saved = if errors.is_empty() {
        match id {
            None => automation::create(&state.db, access, &input).await,
            Some(id) => automation::update(&state.db, access, id, &input).await,
        }
    } else {
        Err(AppError::Invalid(ValidationErrors::default()))
    };
    match saved {
        Ok(rule) => {
            Ok(Redirect::to(&format!("/admin/automation?pipeline={}", rule.fields.pipeline_id))
                .into_response())
        }
        Err(AppError::Invalid(refused)) => {
            errors.0.extend(condition.place_errors(refused, "condition").0);
            page(errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other.into()),
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    save(state, user, None, &body).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    save(state, user, Some(id), &body).await
}

pub(super) async fn delete(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let rule = automation::get(&state.db, &user.session.access, id).await?;
    automation::delete(&state.db, &user.session.access, id).await?;
    Ok(Redirect::to(&format!("/admin/automation?pipeline={}", rule.fields.pipeline_id)).into_response())
}
