//! `GET /reports/sources`: where clients come from — the deals created in the period by source
//! and by advertising campaign, with how many are won, the conversion, the revenue and the
//! average deal. A source's counts open the deals list they count.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orbita_app::AppError;
use orbita_app::reports::{self, DefaultPeriod, SourceLine, SourcesParams, SourcesReport};
use orbita_domain::access::{Action, Area};
use orbita_domain::{GroupId, ValidationErrors};

use super::period::{self, DayRange, QuickLink};
use super::summary::Fig;
use super::{Tab, drill, group_options, percent};
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::pages::list_query::ListQuery;
use crate::ui::{Layout, Nav, SelectOption};

const PATH: &str = "/reports/sources";

/// One table: its title, its lines, and whether the total closes it.
pub struct Section {
    pub title: String,
    /// The first column's head: a source or a campaign.
    pub head: String,
    pub lines: Vec<Line>,
    pub with_total: bool,
}

/// One line of a table, ready to print.
pub struct Line {
    pub name: String,
    pub leads: Fig,
    pub won: Fig,
    pub conversion: String,
    pub revenue: String,
    pub average: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/sources.html")]
pub struct SourcesPage {
    pub layout: Layout,
    pub tab: Tab,
    pub tabs: [Tab; 4],
    pub from: String,
    pub to: String,
    pub period: String,
    pub quick: Vec<QuickLink>,
    pub groups: Vec<SelectOption>,
    pub period_error: String,
    /// By source (with the total), then by campaign.
    pub sections: Vec<Section>,
    pub total: Option<Line>,
    pub export: bool,
    pub export_query: String,
}

pub async fn sources(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let query = ListQuery::parse(raw.as_deref());
    let access = &user.session.access;
    let layout = user.page(user.t("report-sources-title"), Some(Nav::Reports));
    let today = period::today(&layout.time_zone);
    let range = range(&query, &layout.time_zone);
    let group = query.parsed::<i64>("group").map(GroupId);
    let params = SourcesParams { from: range.from, to: range.end(), group };
    let (report, errors) = match reports::sources(&state.db, access, &params).await {
        Ok(report) => (Some(report), ValidationErrors::default()),
        Err(AppError::Invalid(errors)) => (None, errors),
        Err(other) => return Err(other.into()),
    };
    let groups = group_options(&state.db, access, &layout, query.get("group")).await?;
    let period_error = errors.0.first().map(|e| layout.error_message(e)).unwrap_or_default();
    let (sections, total) = match &report {
        Some(r) => {
            let none = layout.t("report-source-none");
            let named = |l: &SourceLine| l.source.clone().unwrap_or_else(|| none.clone());
            let by_source =
                r.by_source.iter().map(|l| line(&layout, r, l, named(l), Some(false), group)).collect();
            let by_campaign =
                r.by_campaign.iter().map(|l| line(&layout, r, l, named(l), Some(true), group)).collect();
            let total = line(&layout, r, &r.total, layout.t("report-total"), None, group);
            let sections = vec![
                Section {
                    title: layout.t("report-by-source"),
                    head: layout.t("report-source"),
                    lines: by_source,
                    with_total: true,
                },
                Section {
                    title: layout.t("report-by-campaign"),
                    head: layout.t("report-campaign"),
                    lines: by_campaign,
                    with_total: false,
                },
            ];
            (sections, Some(total))
        }
        None => (Vec::new(), None),
    };
    let page = SourcesPage {
        tab: Tab::Sources,
        tabs: Tab::ALL,
        from: range.first_value(),
        to: range.last_value(),
        period: range.label(&layout),
        quick: period::quick_links(&layout, PATH, &query, today, range),
        groups,
        period_error,
        sections,
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

/// A line; a named source's or campaign's counts (`campaign`: which; `None`: the total, not
/// linked) open the deals list.
fn line(
    layout: &Layout,
    report: &SourcesReport,
    l: &SourceLine,
    name: String,
    campaign: Option<bool>,
    group: Option<GroupId>,
) -> Line {
    let tz = &layout.time_zone;
    let fig = |n: i64, won: bool| {
        let drill = match campaign {
            Some(campaign) if n > 0 => report.drill(l.source.as_deref(), campaign, won),
            _ => None,
        };
        Fig { text: layout.number(n), href: drill.map(|d| drill::href(&d, tz, group)).unwrap_or_default() }
    };
    let dash = || "—".to_owned();
    Line {
        name,
        leads: fig(l.leads, false),
        won: fig(l.won, true),
        conversion: l.conversion.map_or_else(dash, |c| percent(layout, c)),
        revenue: layout.money(l.revenue),
        average: l.average.map_or_else(dash, |m| layout.money(m)),
    }
}
