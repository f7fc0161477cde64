//! `GET /deals/kanban`: a pipeline's board, a column per stage with its count and sums, the
//! deals as cards with their next task. A card moves by drag and drop (`static/kanban.js`
//! posts `/deals/{id}/stage`) or, without a script or a mouse, by its "Move to…" menu of
//! plain forms. Filters are the deals list's, in the same URL.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use orbita_app::{companies, deals, kanban};
use orbita_domain::access::{Action, Area};
use orbita_domain::pipeline::StageKind;
use orbita_domain::validation::{Currency, Money};
use orbita_domain::{CompanyId, DealId, PipelineId, StageId, Timestamp};

use super::deals::common::{self, People};
use super::deals::pipeline_options;
use super::deals::query::DealQuery;
use super::{SignedIn, groups};
use crate::AppState;
use crate::error::PageError;
use crate::ui::layout::tone;
use crate::ui::{Layout, Nav, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new().route("/deals/kanban", get(board))
}

pub struct CardView {
    pub id: DealId,
    pub title: String,
    pub company_id: Option<i64>,
    pub company: String,
    pub amount: Money,
    pub owner_name: String,
    pub owner_initials: String,
    pub task_title: String,
    pub task_due: Option<Timestamp>,
    pub overdue: bool,
}

pub struct ColumnView {
    pub stage_id: StageId,
    pub name: String,
    pub tone: &'static str,
    /// `open`, `won` or `lost`: a drop on a lost column asks for the reason first.
    pub kind: &'static str,
    pub probability: u8,
    pub count: i64,
    pub sums: String,
    pub cards: Vec<CardView>,
    /// The filtered list of this stage, when the column holds more deals than it shows.
    pub more_href: String,
    pub more: i64,
}

/// A stage a card can be moved to from its menu.
pub struct Target {
    pub id: StageId,
    pub name: String,
    pub lost: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "kanban/board.html")]
pub struct BoardPage {
    pub layout: Layout,
    pub query: DealQuery,
    pub now: Timestamp,
    pub pipeline_id: PipelineId,
    pub columns: Vec<ColumnView>,
    /// The reasons offered when a deal is dropped on a lost stage (none: the reason in words).
    pub loss_reasons: Vec<orbita_domain::loss_reason::LossReason>,
    pub targets: Vec<Target>,
    pub pipelines: Vec<SelectOption>,
    pub owners: Vec<SelectOption>,
    /// The group filter (none: no groups to offer).
    pub groups: Vec<SelectOption>,
    /// Where the move forms send the browser back: this board, with its filters.
    pub here: String,
    pub list_href: String,
    pub reset_href: String,
    pub total: i64,
    pub can_move: bool,
    pub can_create: bool,
    pub filtered: bool,
}

async fn board(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Response {
    match render(&state, &user, DealQuery::parse(raw.as_deref())).await {
        Ok(page) => page.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn render(state: &AppState, user: &SignedIn, mut query: DealQuery) -> Result<BoardPage, PageError> {
    let access = &user.session.access;
    let layout = user.page(user.t("nav-kanban"), Some(Nav::Kanban));
    let (pipelines, stages) = deals::pipelines_and_stages(&state.db).await?;
    let pipeline = common::id::<PipelineId>(&query.pipeline)
        .filter(|id| pipelines.iter().any(|p| p.id == *id))
        .or_else(|| pipelines.iter().find(|p| p.is_default).or(pipelines.first()).map(|p| p.id))
        .ok_or(PageError::NotFound)?;
    query.pipeline = pipeline.to_string();
    // The board is the stages: a stage filter from the list does not apply here.
    query.stage.clear();
    let filter = query.filter_in_group(&state.db, access, &layout.time_zone).await?;
    let board = kanban::board(&state.db, access, pipeline, &filter).await?;
    let people = People(orbita_app::admin::users(&state.db, access).await?);
    // The cards' companies by name in one query for the whole board.
    let company_ids: Vec<CompanyId> =
        board.iter().flat_map(|c| c.cards.iter().filter_map(|card| card.deal.fields.company_id)).collect();
    let companies = companies::names(&state.db, access, &company_ids).await?;
    let now = orbita_domain::now();

    let filters = query.filter_pairs();
    let columns: Vec<ColumnView> = board
        .into_iter()
        .map(|column| {
            let shown = i64::try_from(column.cards.len()).unwrap_or(i64::MAX);
            let mut pairs: Vec<_> = filters.iter().filter(|(k, _)| *k != "pipeline").cloned().collect();
            pairs.push(("stage", column.stage.id.to_string()));
            ColumnView {
                stage_id: column.stage.id,
                name: common::stage_name(layout.locale, &column.stage),
                tone: tone::stage_kind(column.stage.kind),
                kind: column.stage.kind.as_str(),
                probability: column.stage.probability,
                count: column.count,
                sums: sums(&layout, &column.sums),
                more_href: if column.count > shown {
                    DealQuery::link("/deals", &pairs)
                } else {
                    String::new()
                },
                more: column.count - shown,
                cards: column
                    .cards
                    .into_iter()
                    .map(|card| {
                        let deal = card.deal;
                        let company_id = deal.fields.company_id;
                        CardView {
                            id: deal.id,
                            title: deal.fields.title,
                            company: company_id
                                .map(|c| common::company_name(&layout, &companies, c))
                                .unwrap_or_default(),
                            company_id: company_id.map(|c| c.0),
                            amount: deal.fields.amount,
                            owner_name: people.name(deal.owner_id),
                            owner_initials: people.initials(deal.owner_id),
                            overdue: card.next_task.as_ref().is_some_and(|t| t.is_overdue(now)),
                            task_title: card
                                .next_task
                                .as_ref()
                                .map(|t| t.fields.title.clone())
                                .unwrap_or_default(),
                            task_due: card.next_task.and_then(|t| t.fields.due_at),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let targets = stages
        .iter()
        .filter(|s| s.pipeline_id == pipeline)
        .map(|s| Target {
            id: s.id,
            name: common::stage_name(layout.locale, s),
            lost: s.kind == StageKind::Lost,
        })
        .collect();
    let owner_blank = format!("{}: {}", layout.t("field-owner"), layout.t("filter-any"));
    let mut owners = vec![
        SelectOption::new("", owner_blank, query.owner.is_empty()),
        SelectOption::new("me", layout.t("filter-mine"), query.owner == "me"),
    ];
    owners.extend(
        people
            .visible(access, Area::Deals)
            .into_iter()
            .map(|u| SelectOption::new(u.id.to_string(), u.name.clone(), u.id.to_string() == query.owner)),
    );
    let groups = groups::options(&state.db, access, Area::Deals, &layout, &query.group).await?;
    let filtered = filters.iter().any(|(k, v)| *k != "pipeline" && !v.is_empty());
    Ok(BoardPage {
        total: columns.iter().map(|c| c.count).sum(),
        here: DealQuery::link("/deals/kanban", &filters),
        list_href: DealQuery::link("/deals", &filters),
        reset_href: format!("/deals/kanban?pipeline={pipeline}"),
        pipelines: pipeline_options(&layout, &pipelines, &query.pipeline, false),
        can_move: access.can(Area::Deals, Action::Edit),
        can_create: access.can(Area::Deals, Action::Create),
        pipeline_id: pipeline,
        loss_reasons: orbita_app::loss_reasons::offered(&state.db, pipeline).await?,
        columns,
        targets,
        owners,
        groups,
        filtered,
        query,
        now,
        layout,
    })
}

/// A column's sums, one per currency: `1 500 000,00 ₽ + $2 000.00`.
fn sums(layout: &Layout, sums: &[(String, i64)]) -> String {
    sums.iter()
        .map(|(code, minor)| match Currency::parse(code) {
            Ok(currency) => layout.money(Money::from_minor(*minor, currency)),
            Err(_) => format!("{minor} {code}"),
        })
        .collect::<Vec<_>>()
        .join(" + ")
}
