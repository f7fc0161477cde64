//! `GET /deals/{id}`: a deal's card with its pipeline progress, the stage change (won, lost
//! with a reason), quick actions (log a call with a follow-up task, add a task or a note) and
//! its timeline. `POST /deals/{id}/stage` moves it, from this card or from the kanban board.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use orbita_app::{AppError, companies, contacts, deals, tasks};
use orbita_domain::access::{Action, Area};
use orbita_domain::activity::{ActivityKind, Direction};
use orbita_domain::deal::{Deal, DealStatus};
use orbita_domain::list::TaskFilter;
use orbita_domain::pipeline::StageKind;
use orbita_domain::task::Task;
use orbita_domain::{DealId, FieldError, StageId, Timestamp, ValidationErrors};
use serde::Deserialize;

use super::common::{self, People};
use super::timeline::{self, TimelineItem};
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::pages::notice::with_notice;
use crate::pages::wall_clock;
use crate::ui::layout::tone;
use crate::ui::{Flash, FlashKind, Layout, Nav, SelectOption};

/// One stage in the progress bar: a click moves the deal there (a lost stage asks the reason).
pub struct Step {
    pub id: StageId,
    pub name: String,
    /// `done`, `current` or `todo`.
    pub state: &'static str,
    pub kind: &'static str,
}

pub struct Link {
    pub href: String,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "deals/card.html")]
pub struct CardPage {
    pub layout: Layout,
    pub deal: Deal,
    pub now: Timestamp,
    pub stage_name: String,
    pub pipeline_name: String,
    pub status_label: String,
    pub status_tone: &'static str,
    pub steps: Vec<Step>,
    /// The reasons offered when the deal is lost (none: the reason in the manager's words).
    pub loss_reasons: Vec<orbita_domain::loss_reason::LossReason>,
    pub company: Option<Link>,
    pub contact: Option<Link>,
    pub owner_name: String,
    pub custom_rows: Vec<crate::pages::custom_fields::CardRow>,
    pub open_tasks: Vec<Task>,
    pub timeline: Vec<TimelineItem>,
    pub errors: ValidationErrors,
    pub lost_reason: String,
    pub can_edit: bool,
    pub can_delete: bool,
    pub can_log: bool,
    pub can_add_task: bool,
    pub now_input: String,
    pub kinds: Vec<SelectOption>,
    pub directions: Vec<SelectOption>,
    pub self_href: String,
    pub new_task_href: String,
    pub new_activity_href: String,
}

/// What the stage form sent, shown again when it was refused.
#[derive(Default)]
pub struct StageAttempt {
    pub errors: ValidationErrors,
    pub lost_reason: String,
    pub stale: bool,
}

pub async fn show(State(state): State<AppState>, user: SignedIn, Path(id): Path<i64>) -> Response {
    match render(&state, &user, DealId(id), StageAttempt::default()).await {
        Ok(page) => page.into_response(),
        Err(error) => error.into_response(),
    }
}

pub async fn render(
    state: &AppState,
    user: &SignedIn,
    id: DealId,
    attempt: StageAttempt,
) -> Result<CardPage, PageError> {
    let access = &user.session.access;
    let db = &state.db;
    let deal = deals::get(db, access, id).await?;
    let mut layout = user.page(deal.fields.title.clone(), Some(Nav::Deals));
    if attempt.stale {
        layout.flashes.push(Flash { kind: FlashKind::Warning, message: layout.t("flash-conflict") });
    }
    let (pipelines, stages) = deals::pipelines_and_stages(db).await?;
    let people = People(orbita_app::admin::users(db, access).await?);
    // A linked record the user may not see is shown by number only.
    let company = match deal.fields.company_id {
        Some(cid) => {
            let names = companies::names(db, access, &[cid]).await?;
            Some(Link { href: format!("/companies/{cid}"), text: common::company_name(&layout, &names, cid) })
        }
        None => None,
    };
    let contact = match deal.fields.contact_id {
        Some(cid) => Some(Link {
            href: format!("/contacts/{cid}"),
            text: match contacts::get(db, access, cid).await {
                Ok(c) => c.fields.full_name(),
                Err(_) => layout.t_with("deals-contact-number", "id", &cid.to_string()),
            },
        }),
        None => None,
    };
    let task_filter = TaskFilter { deal_id: Some(id), done: Some(false), ..TaskFilter::default() };
    let open_tasks =
        tasks::list(db, access, &task_filter, None, 20).await.map(|p| p.items).unwrap_or_default();
    let entries = orbita_app::timeline::for_record(db, access, id.into(), 50).await?;
    let timeline = timeline::items(&layout, &entries, &stages, &people);
    let fields = orbita_app::custom_fields::active(db, orbita_domain::kind::RecordKind::Deal).await?;
    let currency = orbita_app::setup::settings(db).await?.currency;
    let shown = crate::pages::custom_fields::People { users: &people.0, currency };
    let custom_rows = crate::pages::custom_fields::card_rows(&layout, &fields, &deal.custom, &shown);

    let in_pipeline: Vec<_> = stages.iter().filter(|s| s.pipeline_id == deal.pipeline_id).collect();
    let current = in_pipeline.iter().find(|s| s.id == deal.stage_id);
    let current_position = current.map_or(0, |s| s.position);
    let steps = in_pipeline
        .iter()
        .map(|s| Step {
            id: s.id,
            name: common::stage_name(layout.locale, s),
            state: if s.id == deal.stage_id {
                "current"
            } else if s.kind == StageKind::Open
                && (s.position < current_position || deal.status == DealStatus::Won)
            {
                "done"
            } else {
                "todo"
            },
            kind: s.kind.as_str(),
        })
        .collect();
    let pipeline_name = pipelines
        .iter()
        .find(|p| p.id == deal.pipeline_id)
        .map(|p| common::pipeline_name(layout.locale, p))
        .unwrap_or_default();
    let now = orbita_domain::now();
    let links = link_pairs(&deal);
    let self_href = format!("/deals/{}", deal.id);
    let mut task_pairs: Vec<(&str, &str)> = links.iter().map(|(k, v)| (*k, v.as_str())).collect();
    task_pairs.push(("return_to", &self_href));
    let new_task_href = crate::ui::layout::url("/tasks/new", &task_pairs);
    let new_activity_href = crate::ui::layout::url("/activities/new", &task_pairs);
    Ok(CardPage {
        stage_name: current.map(|s| common::stage_name(layout.locale, s)).unwrap_or_default(),
        status_label: layout.t(&format!("deal-status-{}", deal.status.as_str())),
        status_tone: tone::deal_status(deal.status),
        steps,
        loss_reasons: orbita_app::loss_reasons::offered(db, deal.pipeline_id).await?,
        company,
        contact,
        owner_name: people.name(deal.owner_id),
        custom_rows,
        open_tasks,
        timeline,
        errors: attempt.errors,
        lost_reason: attempt.lost_reason,
        can_edit: access.covers_owner(Area::Deals, Action::Edit, deal.owner_id),
        can_delete: access.covers_owner(Area::Deals, Action::Delete, deal.owner_id),
        can_log: access.can(Area::Activities, Action::Create),
        can_add_task: access.can(Area::Tasks, Action::Create),
        now_input: wall_clock::local_datetime_value(now, &layout.time_zone),
        kinds: [ActivityKind::Call, ActivityKind::Meeting, ActivityKind::Email]
            .iter()
            .map(|k| SelectOption::new(k.as_str(), layout.t(&format!("activity-kind-{}", k.as_str())), false))
            .collect(),
        directions: Direction::ALL
            .iter()
            .map(|d| {
                let label = layout.t(&format!("activity-direction-{}", d.as_str()));
                SelectOption::new(d.as_str(), label, *d == Direction::Outgoing)
            })
            .collect(),
        pipeline_name,
        self_href,
        new_task_href,
        new_activity_href,
        now,
        deal,
        layout,
    })
}

/// The deal's links as query pairs, so a task or an activity started here points at the deal,
/// its company and its contact.
pub fn link_pairs(deal: &Deal) -> Vec<(&'static str, String)> {
    let mut pairs = vec![("deal_id", deal.id.to_string())];
    if let Some(c) = deal.fields.company_id {
        pairs.push(("company_id", c.to_string()));
    }
    if let Some(c) = deal.fields.contact_id {
        pairs.push(("contact_id", c.to_string()));
    }
    pairs
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StageForm {
    stage_id: String,
    lost_reason: String,
    version: String,
    return_to: String,
    /// `1`: closing the deal marks its open tasks done too.
    close_tasks: String,
    /// A loss reason's id from the list, or `other` for the words in `lost_reason`.
    lost_choice: String,
}

/// `POST /deals/{id}/stage`. A script (the kanban board) gets a status: 204 when moved, 422
/// with the message when refused (a lost stage needs a reason), 409 when someone else changed
/// the deal; a form gets a redirect, or the card again with the message.
pub async fn move_stage(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<StageForm>,
) -> Response {
    let id = DealId(id);
    let script = common::from_script(&headers);
    let result = match common::id::<StageId>(&form.stage_id) {
        Some(stage) => {
            let version = common::id::<i64>(&form.version);
            let lost_reason = if form.lost_choice.is_empty() {
                form.lost_reason.clone()
            } else {
                match orbita_app::loss_reasons::list(&state.db).await {
                    Ok(reasons) => orbita_domain::loss_reason::chosen_words(
                        &form.lost_choice,
                        &form.lost_reason,
                        &reasons,
                    ),
                    Err(error) => return PageError::from(error).into_response(),
                }
            };
            let change = deals::DealChange {
                stage: Some(deals::StageTarget { stage, lost_reason }),
                close_open_tasks: form.close_tasks == "1",
                ..deals::DealChange::default()
            };
            deals::change(&state.db, &user.session.access, id, &change, version).await
        }
        None => Err(AppError::from(FieldError::new("stage_id", "required", "Choose a stage"))),
    };
    let attempt = match result {
        Ok(_) if script => return StatusCode::NO_CONTENT.into_response(),
        Ok(_) => {
            let notice = if form.close_tasks == "1" { "closed-with-tasks" } else { "stage-moved" };
            let back = common::return_to(&form.return_to, &format!("/deals/{id}"));
            return Redirect::to(&with_notice(&back, notice)).into_response();
        }
        Err(AppError::Invalid(errors)) if script => {
            let message = errors.0.first().map(|e| user.layout.error_message(e)).unwrap_or_default();
            return (StatusCode::UNPROCESSABLE_ENTITY, message).into_response();
        }
        Err(AppError::Stale) if script => {
            return (StatusCode::CONFLICT, user.t("flash-conflict")).into_response();
        }
        Err(AppError::Invalid(errors)) => {
            StageAttempt { errors, lost_reason: form.lost_reason, stale: false }
        }
        Err(AppError::Stale) => StageAttempt { stale: true, ..StageAttempt::default() },
        Err(error) => return PageError::from(error).into_response(),
    };
    let status = if attempt.stale { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    match render(&state, &user, id, attempt).await {
        Ok(page) => (status, page).into_response(),
        Err(error) => error.into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "deals/delete.html")]
pub struct DeletePage {
    pub layout: Layout,
    pub deal: Deal,
}

/// `GET /deals/{id}/delete`: the confirmation step.
pub async fn confirm_delete(State(state): State<AppState>, user: SignedIn, Path(id): Path<i64>) -> Response {
    match deals::get(&state.db, &user.session.access, DealId(id)).await {
        Ok(deal) => {
            let layout = user.page(user.t("deals-delete-title"), Some(Nav::Deals));
            DeletePage { layout, deal }.into_response()
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

/// `POST /deals/{id}/delete`.
pub async fn delete(State(state): State<AppState>, user: SignedIn, Path(id): Path<i64>) -> Response {
    match deals::delete(&state.db, &user.session.access, DealId(id)).await {
        Ok(()) => Redirect::to("/deals?notice=deleted").into_response(),
        Err(error) => PageError::from(error).into_response(),
    }
}
