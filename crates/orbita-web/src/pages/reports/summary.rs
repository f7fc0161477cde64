//! `GET /reports`: the summary report for a period (this month unless the URL says otherwise),
//! a row per employee and the total. Every count links to the list it counts
//! (`SummaryReport::drill`); amounts link to the list of their count.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orbita_app::reports::{self, DefaultPeriod, Figure, SummaryParams, SummaryReport, SummaryRow};
use orbita_app::{AppError, exports};
use orbita_domain::access::{Action, Area};
use orbita_domain::validation::Money;
use orbita_domain::{GroupId, ValidationErrors};

use super::period::{self, DayRange, QuickLink};
use super::{Tab, chart, drill, group_options, percent};
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::pages::list_query::ListQuery;
use crate::ui::{Layout, Nav, SelectOption};

const PATH: &str = "/reports";

/// A figure and the list behind it (empty `href`: nothing to open).
#[derive(Debug, Clone, Default)]
pub struct Fig {
    pub text: String,
    pub href: String,
}

/// One line of the table, ready to print.
#[derive(Debug, Clone, Default)]
pub struct Line {
    pub name: String,
    pub total: bool,
    pub created: Fig,
    pub won: Fig,
    pub won_amount: Fig,
    /// Won in other currencies, never added to the organisation's: `$ 100.00`.
    pub won_other: String,
    pub lost: Fig,
    /// The most frequent reasons: `Дорого (3), Нет бюджета (1)`.
    pub lost_reasons: String,
    pub open_amount: Fig,
    pub open_other: String,
    pub forecast: Fig,
    pub conversion: String,
    pub average_won: Fig,
    pub calls: Fig,
    pub meetings: Fig,
    pub tasks_done: Fig,
    pub tasks_open: Fig,
    pub tasks_overdue: Fig,
    pub overdue: bool,
    pub target: Fig,
    pub actual: Fig,
    pub target_percent: String,
    /// The progress bar (SVG), empty without a target.
    pub meter: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/summary.html")]
pub struct SummaryPage {
    pub layout: Layout,
    pub tab: Tab,
    pub tabs: [Tab; 4],
    pub from: String,
    pub to: String,
    pub period: String,
    pub quick: Vec<QuickLink>,
    pub groups: Vec<SelectOption>,
    pub period_error: String,
    pub lines: Vec<Line>,
    pub total: Option<Line>,
    /// Whether the user may export the report, and its query string for the export form.
    pub export: bool,
    pub export_query: String,
}

pub async fn summary(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let query = ListQuery::parse(raw.as_deref());
    let access = &user.session.access;
    let layout = user.page(user.t("report-summary-title"), Some(Nav::Reports));
    let today = period::today(&layout.time_zone);
    let range = range(&query, &layout.time_zone);
    let params =
        SummaryParams { from: range.from, to: range.end(), group: query.parsed::<i64>("group").map(GroupId) };
    let (report, errors) = match reports::summary(&state.db, access, &params).await {
        Ok(report) => (Some(report), ValidationErrors::default()),
        Err(AppError::Invalid(errors)) => (None, errors),
        Err(other) => return Err(other.into()),
    };
    let groups = group_options(&state.db, access, &layout, query.get("group")).await?;

    let period_error = errors.0.first().map(|e| layout.error_message(e)).unwrap_or_default();
    let (lines, total) = match &report {
        Some(report) => {
            let targets_href = targets_href(report);
            let group = params.group;
            let lines = report.rows.iter().map(|r| line(&layout, report, r, &targets_href, group)).collect();
            let mut total = line(&layout, report, &report.total, &targets_href, group);
            total.name = layout.t("report-total");
            total.total = true;
            (lines, Some(total))
        }
        None => (Vec::new(), None),
    };
    let page = SummaryPage {
        tab: Tab::Summary,
        tabs: Tab::ALL,
        from: range.first_value(),
        to: range.last_value(),
        period: range.label(&layout),
        quick: period::quick_links(&layout, PATH, &query, today, range),
        groups,
        period_error,
        lines,
        total,
        export: access.can(Area::Reports, Action::Export),
        export_query: query.state(),
        layout,
    };
    let status = if errors.0.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, page).into_response())
}

/// The period a query string asks for: this month unless it says otherwise.
pub(in crate::pages) fn range(query: &ListQuery, tz: &str) -> DayRange {
    DayRange::from_query(query, DefaultPeriod::summary(period::today(tz)).into())
}

/// The targets grid for the months whose targets make the report's target column.
fn targets_href(report: &SummaryReport) -> String {
    let month = |m: Option<&orbita_domain::month::Month>| m.map(ToString::to_string).unwrap_or_default();
    let (first, last) = (month(report.target_months.first()), month(report.target_months.last()));
    crate::ui::layout::url("/reports/targets", &[("from", &first), ("to", &last)])
}

/// A row of the table; its figures link to their lists, narrowed to the report's `group`.
fn line(
    layout: &Layout,
    report: &SummaryReport,
    row: &SummaryRow,
    targets_href: &str,
    group: Option<GroupId>,
) -> Line {
    let tz = &layout.time_zone;
    let link = |figure: Figure| drill::href(&report.drill(row.user_id, figure), tz, group);
    let count = |n: i64, figure: Figure| Fig {
        text: layout.number(n),
        href: if n == 0 { String::new() } else { link(figure) },
    };
    let money = |m: &Money, figure: Figure| Fig {
        text: layout.money(m),
        href: if m.to_minor() == 0 { String::new() } else { link(figure) },
    };
    let others = |list: &[Money]| list.iter().map(|m| layout.money(m)).collect::<Vec<_>>().join(", ");
    // The same text as the file's column.
    let reasons = exports::lost_reasons(&row.lost_reasons, &|key: &str| layout.t(key));
    let dash = || "—".to_owned();
    Line {
        name: row.name.clone(),
        total: false,
        created: count(row.deals_created, Figure::DealsCreated),
        won: count(row.won_count, Figure::Won),
        won_amount: money(&row.won_amount, Figure::Won),
        won_other: others(&row.won_other),
        lost: count(row.lost_count, Figure::Lost),
        lost_reasons: reasons,
        open_amount: money(&row.open_amount, Figure::Open),
        open_other: others(&row.open_other),
        forecast: money(&row.forecast, Figure::Open),
        conversion: row.conversion.map_or_else(dash, |c| percent(layout, c)),
        average_won: row
            .average_won
            .as_ref()
            .map_or_else(|| Fig { text: dash(), href: String::new() }, |m| money(m, Figure::Won)),
        calls: count(row.calls, Figure::Calls),
        meetings: count(row.meetings, Figure::Meetings),
        tasks_done: count(row.tasks_done, Figure::TasksDone),
        tasks_open: count(row.tasks_open, Figure::TasksOpen),
        tasks_overdue: count(row.tasks_overdue, Figure::TasksOverdue),
        overdue: row.tasks_overdue > 0,
        target: match &row.target {
            Some(target) => Fig { text: layout.money(target), href: targets_href.to_owned() },
            None => Fig { text: dash(), href: targets_href.to_owned() },
        },
        actual: money(&row.won_amount, Figure::Won),
        target_percent: row.target_percent.map_or_else(dash, |p| percent(layout, p)),
        meter: row.target_percent.map(|p| chart::meter(super::fraction_f64(p))).unwrap_or_default(),
    }
}
