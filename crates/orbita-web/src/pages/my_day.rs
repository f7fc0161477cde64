//! "Мой день" / My day (`GET /`), the home page: today's tasks with one-click done, today's
//! calls and meetings, the deals waiting for a step or stuck in their stage, the month's
//! target; for a head of sales the team's figures per person, the pipeline and this week's
//! wins. One service call (`orbita_app::my_day::load`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use orbita_app::my_day::OwnerFigures;
use orbita_app::my_day::{self, MyDay};
use orbita_app::targets::GridCell;
use orbita_domain::Timestamp;
use orbita_domain::activity::ActivityKind;
use orbita_domain::deal::Deal;
use orbita_domain::pipeline::Stage;

use super::SignedIn;
use super::deals::common::{self, LinkNames, People};
use super::reports::{chart, fraction_f64, percent};
use super::tasks::TaskRow;
use crate::AppState;
use crate::error::PageError;
use crate::ui::format::local_date;
use crate::ui::{Layout, Nav};

/// Where a done button brings the browser back to without a script.
const BACK: &str = "/";

#[derive(Template, WebTemplate)]
#[template(path = "my_day/page.html")]
pub struct MyDayPage {
    pub layout: Layout,
    pub today: String,
    pub now: Timestamp,
    /// The task rows print the assignee only on the team's lists.
    pub show_assignee: bool,
    pub tasks: Vec<TaskRow>,
    pub meetings: Vec<MeetingLine>,
    pub figures: OwnerFigures,
    pub without_next_step: Vec<DealLine>,
    pub stuck: Vec<DealLine>,
    pub stuck_days: u64,
    pub target: Option<TargetView>,
    pub team: Option<TeamView>,
}

pub struct MeetingLine {
    pub time: String,
    pub kind: String,
    pub subject: String,
    pub href: String,
    pub about: Option<(String, String)>,
}

pub struct DealLine {
    pub href: String,
    pub title: String,
    pub stage: String,
    pub amount: String,
    /// "in the stage since …", as a date.
    pub since: String,
}

pub struct TargetView {
    pub month: String,
    pub target: String,
    pub won: String,
    pub percent: String,
    pub meter: String,
}

pub struct TeamView {
    pub rows: Vec<TeamLine>,
    pub pipeline: Vec<StageBar>,
    pub won: Vec<DealLine>,
    pub won_count: i64,
    pub won_amount: String,
}

pub struct TeamLine {
    pub name: String,
    pub tasks_href: String,
    pub figures: OwnerFigures,
    pub target: String,
    pub won: String,
    pub percent: String,
}

pub struct StageBar {
    pub name: String,
    pub count: i64,
    pub amount: String,
    pub href: String,
    pub meter: String,
}

pub async fn home(State(state): State<AppState>, user: SignedIn) -> Response {
    match render(&state, &user).await {
        Ok(page) => page.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn render(state: &AppState, user: &SignedIn) -> Result<MyDayPage, PageError> {
    let access = &user.session.access;
    let now = orbita_domain::now();
    let day: MyDay = my_day::load(&state.db, access, now).await?;
    let layout = user.page(user.t("my-day-title"), Some(Nav::MyDay));
    let links = day
        .tasks
        .iter()
        .map(|t| (t.fields.company_id, t.fields.contact_id, t.fields.deal_id))
        .chain(day.meetings.iter().map(|a| (a.fields.company_id, a.fields.contact_id, a.fields.deal_id)));
    let names = LinkNames::load(&state.db, access, links).await?;
    let people = People(orbita_app::admin::users(&state.db, access).await?);
    let stages = orbita_app::deals::pipelines_and_stages(&state.db).await?.1;
    let tasks = day.tasks.iter().map(|t| TaskRow::new(&layout, t, &people, &names, now, BACK)).collect();
    let meetings = day
        .meetings
        .iter()
        .map(|a| MeetingLine {
            time: crate::ui::format::time(layout.locale, &layout.time_zone, a.fields.occurred_at),
            kind: layout.t(match a.fields.kind {
                ActivityKind::Meeting => "activity-kind-meeting",
                ActivityKind::Call => "activity-kind-call",
                ActivityKind::Email => "activity-kind-email",
                ActivityKind::Note => "activity-kind-note",
            }),
            subject: a.fields.subject.clone(),
            href: format!("/activities/{}", a.id),
            about: a
                .fields
                .deal_id
                .map(|id| (format!("/deals/{id}"), names.deal(&layout, id)))
                .or_else(|| {
                    a.fields.company_id.map(|id| (format!("/companies/{id}"), names.company(&layout, id)))
                })
                .or_else(|| {
                    a.fields.contact_id.map(|id| (format!("/contacts/{id}"), names.contact(&layout, id)))
                }),
        })
        .collect();
    let deal_line = |deal: &Deal| deal_line(&layout, &stages, deal);
    let target = day.target.as_ref().zip(day.month).map(|(cell, month)| TargetView {
        month: super::reports::month_label(&layout, month),
        target: cell.target.as_ref().map(|t| layout.money(t)).unwrap_or_default(),
        won: layout.money(cell.actual),
        percent: cell.percent.map(|p| percent(&layout, p)).unwrap_or_default(),
        meter: cell.percent.map(|p| chart::meter(fraction_f64(p))).unwrap_or_default(),
    });
    let team = day.team.as_ref().map(|team| {
        let most = team.pipeline.iter().map(|s| s.count).max().unwrap_or(0).max(1);
        TeamView {
            rows: team
                .rows
                .iter()
                .map(|row| {
                    let (target, won, pct) = cell_texts(&layout, row.target.as_ref());
                    TeamLine {
                        name: row.name.clone(),
                        tasks_href: format!("/tasks?assignee={}", row.user_id),
                        figures: row.figures.clone(),
                        target,
                        won,
                        percent: pct,
                    }
                })
                .collect(),
            pipeline: team
                .pipeline
                .iter()
                .map(|line| StageBar {
                    name: common::stage_name(layout.locale, &line.stage),
                    count: line.count,
                    amount: layout.money(line.amount),
                    href: format!("/deals?stage={}&status=open", line.stage.id),
                    meter: chart::meter(line.count as f64 / most as f64),
                })
                .collect(),
            won: team.won_this_week.iter().map(deal_line).collect(),
            won_count: team.won_count,
            won_amount: layout.money(team.won_amount),
        }
    });
    Ok(MyDayPage {
        today: layout.date(local_date(&layout.time_zone, now)),
        now,
        show_assignee: false,
        tasks,
        meetings,
        figures: day.figures.clone(),
        without_next_step: day.without_next_step.iter().map(deal_line).collect(),
        stuck: day.stuck.iter().map(deal_line).collect(),
        stuck_days: my_day::STUCK_AFTER_DAYS,
        target,
        team,
        layout,
    })
}

fn deal_line(layout: &Layout, stages: &[Stage], deal: &Deal) -> DealLine {
    DealLine {
        href: format!("/deals/{}", deal.id),
        title: deal.fields.title.clone(),
        stage: stages
            .iter()
            .find(|s| s.id == deal.stage_id)
            .map(|s| common::stage_name(layout.locale, s))
            .unwrap_or_default(),
        amount: layout.money(deal.fields.amount),
        since: deal.stage_entered_at.map(|at| layout.date_of(at)).unwrap_or_default(),
    }
}

fn cell_texts(layout: &Layout, cell: Option<&GridCell>) -> (String, String, String) {
    let Some(cell) = cell else { return Default::default() };
    (
        cell.target.as_ref().map(|t| layout.money(t)).unwrap_or_default(),
        layout.money(cell.actual),
        cell.percent.map(|p| percent(layout, p)).unwrap_or_default(),
    )
}
