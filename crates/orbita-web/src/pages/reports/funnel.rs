//! `GET /reports/funnel?pipeline=&from=&to=&owner=&group=&source=&region=&industry=`: the
//! funnel of the deals created in the period (this year unless the URL says otherwise), per
//! stage: how many reached it, the conversion from the previous stage and from the start, the
//! deals lost there and why; drawn as bars. Region and industry are the deal's company's.
//! Under it, plan versus actual per employee by month (`targets::grid`). The export buttons
//! start a background export of the same funnel (`POST /exports`, list `funnel`); the direct
//! download is `/reports/funnel.xlsx` (`pages::exports`), read by [`params`] as here.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orbita_app::reports::{self, Drill, Funnel, FunnelParams};
use orbita_app::{AppError, admin, deals, exports, targets};
use orbita_domain::access::{Action, Area};
use orbita_domain::deal::DealStatus;
use orbita_domain::month::Month;
use orbita_domain::pipeline::{Pipeline, Stage, StageKind};
use orbita_domain::validation::{Currency, Money};
use orbita_domain::{GroupId, PipelineId, UserId, ValidationErrors};
use rust_decimal::Decimal;

use super::chart::{self, FunnelBar, PlanPoint, PlanWords};
use super::period::{self, DayRange, QuickLink};
use super::{Tab, drill, group_options, month_label, percent};
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::pages::deals::pipeline_options;
use crate::pages::list_query::ListQuery;
use crate::ui::{Layout, Locale, Nav, SelectOption};

const PATH: &str = "/reports/funnel";
/// The plan chart shows at most a year: the last twelve months of a longer period.
const PLAN_MONTHS: usize = 12;
/// The slices by the deal's company, in the "Region, industry" panel.
const COMPANY_SLICES: [&str; 2] = ["region", "industry"];

/// One stage in the table under the chart.
#[derive(Debug, Clone)]
pub struct StageLine {
    pub name: String,
    pub reached: String,
    pub from_previous: String,
    pub from_start: String,
    pub lost: String,
    pub lost_reasons: String,
    pub won: bool,
}

/// One employee's plan-versus-actual chart.
#[derive(Debug, Clone)]
pub struct PlanChart {
    pub name: String,
    /// The months together: `План 3 000 000,00 ₽ · Факт 2 550 000,00 ₽ · 85 %`.
    pub sum: String,
    pub svg: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/funnel.html")]
pub struct FunnelPage {
    pub layout: Layout,
    pub tab: Tab,
    pub tabs: [Tab; 4],
    pub from: String,
    pub to: String,
    pub period: String,
    pub quick: Vec<QuickLink>,
    pub pipelines: Vec<SelectOption>,
    pub owners: Vec<SelectOption>,
    pub groups: Vec<SelectOption>,
    pub source: String,
    pub region: String,
    pub industry: String,
    /// How many of the company slices are set: the panel's counter.
    pub company_slices: usize,
    pub period_error: String,
    /// `None` when the period was refused.
    pub summary: Option<CohortSummary>,
    pub svg: String,
    pub stages: Vec<StageLine>,
    pub plans: Vec<PlanChart>,
    pub plan_months: String,
    /// Over six months the plan charts scroll sideways on a phone rather than cramp.
    pub plan_wide: bool,
    /// Whether the user may export the report, and the funnel's query string for the export
    /// form (with the pipeline shown, so the file is of that pipeline whatever the default).
    pub export: bool,
    pub export_query: String,
}

/// The cohort's size and outcome, each a link to its deals.
#[derive(Debug, Clone)]
pub struct CohortSummary {
    pub deals: String,
    pub deals_href: String,
    pub won: String,
    pub won_href: String,
    pub lost: String,
    pub lost_href: String,
    pub lost_elsewhere: i64,
}

fn stage_name(layout: &Layout, stage: &Stage) -> String {
    match layout.locale {
        Locale::Ru => stage.name_ru.clone(),
        Locale::En => stage.name_en.clone(),
    }
}

/// The same text as the export's reasons column.
fn reasons(layout: &Layout, reasons: &[(String, i64)]) -> String {
    exports::lost_reasons(reasons, &|key: &str| layout.t(key))
}

/// The period a query string asks for: this year unless it says otherwise (the API's funnel
/// has the same default, from the same place).
pub(in crate::pages) fn range(query: &ListQuery, tz: &str) -> DayRange {
    DayRange::from_query(query, reports::DefaultPeriod::funnel(period::today(tz)).into())
}

/// The funnel a query string asks for, read as the page reads it: a missing or unknown
/// pipeline is the default one (else the first); `None` when there is no pipeline at all.
pub(in crate::pages) fn params(
    query: &ListQuery,
    pipelines: &[Pipeline],
    range: DayRange,
) -> Option<FunnelParams> {
    let pipeline_id = query
        .parsed::<PipelineId>("pipeline")
        .filter(|id| pipelines.iter().any(|p| p.id == *id))
        .or_else(|| pipelines.iter().find(|p| p.is_default).or(pipelines.first()).map(|p| p.id))?;
    Some(FunnelParams {
        pipeline_id,
        from: range.from,
        to: range.end(),
        owner: query.parsed::<UserId>("owner"),
        group: query.parsed::<i64>("group").map(GroupId),
        source: query.opt("source"),
        region: query.opt("region"),
        industry: query.opt("industry"),
    })
}

pub async fn funnel(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let query = ListQuery::parse(raw.as_deref());
    let access = &user.session.access;
    let db = &state.db;
    let layout = user.page(user.t("report-funnel-title"), Some(Nav::Reports));
    let today = period::today(&layout.time_zone);
    let range = range(&query, &layout.time_zone);
    let (pipelines, _) = deals::pipelines_and_stages(db).await?;
    let params = params(&query, &pipelines, range).ok_or(PageError::NotFound)?;
    let pipeline_id = params.pipeline_id.to_string();
    let (funnel, errors) = match reports::funnel(db, access, &params).await {
        Ok(funnel) => (Some(funnel), ValidationErrors::default()),
        Err(AppError::Invalid(errors)) => (None, errors),
        Err(other) => return Err(other.into()),
    };
    let plan_range = plan_months(range);
    let plans = match (&funnel, plan_range) {
        (Some(funnel), Some((first, last))) => {
            plan_charts(&layout, funnel, &targets::grid(db, access, first, last).await?)
        }
        _ => Vec::new(),
    };
    let users = admin::users(db, access).await?;
    let owner = query.get("owner");
    let any = format!("{}: {}", layout.t("field-owner"), layout.t("filter-any"));
    let mut owners = vec![SelectOption::new("", any, owner.is_empty())];
    owners.extend(
        users
            .iter()
            .filter(|u| access.covers_owner(Area::Reports, Action::View, u.id))
            .map(|u| SelectOption::new(u.id.to_string(), u.name.clone(), u.id.to_string() == owner)),
    );
    let groups = group_options(db, access, &layout, query.get("group")).await?;

    let (summary, svg, stage_lines) = match &funnel {
        Some(funnel) => {
            let (svg, lines) = draw(&layout, funnel);
            (Some(cohort(&layout, funnel, params.group)), svg, lines)
        }
        None => (None, String::new(), Vec::new()),
    };
    let page = FunnelPage {
        tab: Tab::Funnel,
        tabs: Tab::ALL,
        from: range.first_value(),
        to: range.last_value(),
        period: range.label(&layout),
        quick: period::quick_links(&layout, PATH, &query, today, range),
        pipelines: pipeline_options(&layout, &pipelines, &pipeline_id, false),
        owners,
        groups,
        source: query.get("source").to_owned(),
        region: query.get("region").to_owned(),
        industry: query.get("industry").to_owned(),
        company_slices: COMPANY_SLICES.iter().filter(|name| !query.get(name).is_empty()).count(),
        period_error: errors.0.first().map(|e| layout.error_message(e)).unwrap_or_default(),
        summary,
        svg,
        stages: stage_lines,
        plan_wide: plan_range.is_some_and(|(first, last)| first.through(last).len() > 6),
        plan_months: plan_range
            .map(|(first, last)| format!("{} – {}", month_label(&layout, first), month_label(&layout, last)))
            .unwrap_or_default(),
        plans,
        export: access.can(Area::Reports, Action::Export),
        // `href` with no path is `?state`; the export form carries the bare query string.
        export_query: query
            .href("", &["pipeline"], &[("pipeline", &pipeline_id)])
            .trim_start_matches('?')
            .to_owned(),
        layout,
    };
    let status = if errors.0.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, page).into_response())
}

/// The months of the period, at most the last twelve; `None` for a reversed period.
fn plan_months(range: DayRange) -> Option<(Month, Month)> {
    let (mut first, last) = (Month::of(range.from)?, Month::of(range.to)?);
    if first > last {
        return None;
    }
    while first.through(last).len() > PLAN_MONTHS {
        first = first.next()?;
    }
    Some((first, last))
}

/// The cohort's figures, each a link to the deals list of exactly those deals (the group and
/// the region and industry slices included).
fn cohort(layout: &Layout, funnel: &Funnel, group: Option<GroupId>) -> CohortSummary {
    let tz = &layout.time_zone;
    let with_status = |status| {
        let mut filter = funnel.cohort.clone();
        filter.status = Some(status);
        drill::href(&Drill::Deals(filter), tz, group)
    };
    CohortSummary {
        deals: layout.count("report-count-deals", funnel.deals),
        deals_href: drill::href(&Drill::Deals(funnel.cohort.clone()), tz, group),
        won: layout.number(funnel.won),
        won_href: with_status(DealStatus::Won),
        lost: layout.number(funnel.lost),
        lost_href: with_status(DealStatus::Lost),
        lost_elsewhere: funnel.lost_elsewhere,
    }
}

/// The funnel's SVG and its table.
fn draw(layout: &Layout, funnel: &Funnel) -> (String, Vec<StageLine>) {
    let dash = || "—".to_owned();
    let mut bars = Vec::new();
    let mut lines = Vec::new();
    for s in &funnel.stages {
        let name = stage_name(layout, &s.stage);
        let from_start = s.from_start.map_or_else(dash, |p| percent(layout, p));
        let from_previous = s.from_previous.map(|p| percent(layout, p));
        let won = s.stage.kind == StageKind::Won;
        bars.push(FunnelBar {
            label: name.clone(),
            value: s.reached,
            value_text: format!("{} · {}", layout.number(s.reached), from_start),
            note: from_previous
                .as_ref()
                .map(|p| layout.t_with("report-funnel-from-previous", "percent", p))
                .unwrap_or_default(),
            won,
        });
        lines.push(StageLine {
            name,
            reached: layout.number(s.reached),
            from_previous: from_previous.unwrap_or_else(dash),
            from_start,
            lost: layout.number(s.lost_here),
            lost_reasons: reasons(layout, &s.lost_reasons),
            won,
        });
    }
    (chart::funnel("funnel", &layout.t("report-funnel-chart"), &bars), lines)
}

/// An employee's months together: the won amount, and when targets are set, their sum and
/// the share reached in the months that have one.
fn plan_sum(layout: &Layout, cells: &[targets::GridCell], currency: Currency) -> String {
    let money = |minor: i64| layout.money(Money::from_minor(minor, currency));
    let actual: i64 = cells.iter().map(|c| c.actual.to_minor()).sum();
    let won = format!("{} {}", layout.t("report-actual"), money(actual));
    let planned: Vec<(i64, i64)> =
        cells.iter().filter_map(|c| c.target.as_ref().map(|t| (t.to_minor(), c.actual.to_minor()))).collect();
    let target: i64 = planned.iter().map(|(t, _)| t).sum();
    if planned.is_empty() || target == 0 {
        return won;
    }
    let reached: i64 = planned.iter().map(|(_, a)| a).sum();
    let share = percent(layout, Decimal::from(reached) / Decimal::from(target));
    format!(
        "{won} · {} {} · {}",
        layout.t("report-target"),
        money(target),
        layout.t_with("report-plan-share", "percent", &share)
    )
}

/// A chart per employee of the grid, limited to the funnel's people (owner, group, scope).
fn plan_charts(layout: &Layout, funnel: &Funnel, grid: &targets::TargetGrid) -> Vec<PlanChart> {
    let shown = |id: UserId| funnel.cohort.owner_ids.as_ref().is_none_or(|ids| ids.contains(&id));
    let rows: Vec<_> = grid.rows.iter().filter(|r| shown(r.user_id)).collect();
    let max = rows
        .iter()
        .flat_map(|r| r.cells.iter())
        .map(|c| c.actual.to_minor().max(c.target.as_ref().map_or(0, |t| t.to_minor())))
        .max()
        .unwrap_or(0);
    let (target, actual) = (layout.t("report-target"), layout.t("report-actual"));
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let points: Vec<PlanPoint> = grid
                .months
                .iter()
                .zip(&row.cells)
                .map(|(month, cell)| PlanPoint {
                    label: layout.t(&format!("report-month-{}", month.month())),
                    target: cell.target.as_ref().map(|t| t.to_minor()),
                    actual: cell.actual.to_minor(),
                    target_text: cell.target.as_ref().map_or_else(|| "—".to_owned(), |t| layout.money(t)),
                    actual_text: layout.money(cell.actual),
                    percent_text: cell.percent.map_or_else(|| "—".to_owned(), |p| percent(layout, p)),
                })
                .collect();
            let title = layout.t_with("report-plan-chart-title", "name", &row.name);
            let words = PlanWords { title: &title, target: &target, actual: &actual };
            PlanChart {
                name: row.name.clone(),
                sum: plan_sum(layout, &row.cells, grid.currency),
                svg: chart::plan_vs_actual(&format!("plan-{i}"), &words, &points, max),
            }
        })
        .collect()
}
