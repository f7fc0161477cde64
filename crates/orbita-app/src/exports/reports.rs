//! The reports' exports: the summary report, the funnel, the sources and the sales-targets grid, as their
//! pages show them.

use std::io::Write;

use orbita_domain::access::{Action, Area};
use orbita_domain::org::Locale;
use orbita_domain::validation::Money;
use orbita_export::{Cell, Column, ColumnKind};
use orbita_storage::Db;
use orbita_storage::targets::Month;

use super::{Describe, Done, ExportSpec, Sink, complete};
use crate::Access;
use crate::reports::{
    Funnel, FunnelParams, FunnelStage, SourceLine, SourcesParams, SummaryParams, SummaryRow,
};
use crate::targets::GridCell;

/// The summary's columns in the page's order: its two tables side by side, each amount in the
/// organisation's currency followed by what the page adds under it (the other currencies, the
/// top lost reasons) as text.
const SUMMARY_COLUMNS: [(&str, ColumnKind); 19] = [
    ("field-responsible", ColumnKind::Text),
    ("report-deals-created", ColumnKind::Integer),
    ("report-won-count", ColumnKind::Integer),
    ("report-won-amount", ColumnKind::Money),
    ("report-won-other", ColumnKind::Text),
    ("report-lost-count", ColumnKind::Integer),
    ("report-lost-reasons", ColumnKind::Text),
    ("report-open-amount", ColumnKind::Money),
    ("report-open-other", ColumnKind::Text),
    ("report-forecast", ColumnKind::Money),
    ("report-conversion", ColumnKind::Percent),
    ("report-average-won", ColumnKind::Money),
    ("report-calls", ColumnKind::Integer),
    ("report-meetings", ColumnKind::Integer),
    ("report-tasks-done", ColumnKind::Integer),
    ("report-tasks-open", ColumnKind::Integer),
    ("report-tasks-overdue", ColumnKind::Integer),
    ("report-target", ColumnKind::Money),
    ("report-target-percent", ColumnKind::Percent),
];

/// Amounts in currencies other than the organisation's, as the page writes them under its
/// own (`100,00 $, 5,00 €`): one cell can hold one currency's number, and there is no rate to
/// add them up with.
pub fn other_currencies(amounts: &[Money], locale: Locale) -> String {
    let written = amounts.iter().map(|m| match locale {
        Locale::Ru => m.format_ru(),
        Locale::En => m.format_en(),
    });
    written.collect::<Vec<_>>().join(", ")
}

fn summary_row(row: &SummaryRow, name: String, spec: &ExportSpec<'_>) -> Vec<Cell> {
    let words = |text: String| if text.is_empty() { Cell::Empty } else { Cell::Text(text) };
    vec![
        Cell::Text(name),
        Cell::Integer(row.deals_created),
        Cell::Integer(row.won_count),
        Cell::Money(row.won_amount),
        words(other_currencies(&row.won_other, spec.locale)),
        Cell::Integer(row.lost_count),
        words(lost_reasons(&row.lost_reasons, spec.label)),
        Cell::Money(row.open_amount),
        words(other_currencies(&row.open_other, spec.locale)),
        Cell::Money(row.forecast),
        row.conversion.map_or(Cell::Empty, Cell::Percent),
        row.average_won.map_or(Cell::Empty, Cell::Money),
        Cell::Integer(row.calls),
        Cell::Integer(row.meetings),
        Cell::Integer(row.tasks_done),
        Cell::Integer(row.tasks_open),
        Cell::Integer(row.tasks_overdue),
        row.target.map_or(Cell::Empty, Cell::Money),
        row.target_percent.map_or(Cell::Empty, Cell::Percent),
    ]
}

/// The summary report as on screen: a row per employee and the total. Amounts are in the
/// organisation's currency; deals in other currencies count in the counts only.
pub async fn summary_report<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    params: &SummaryParams,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Reports, Action::Export)?;
    let report = crate::reports::summary(db, access, params).await?;
    let mut sink = Sink::start(spec, &(spec.label)("nav-reports"), &SUMMARY_COLUMNS, out)?;
    let mut rows: Vec<Vec<Cell>> = report.rows.iter().map(|r| summary_row(r, r.name.clone(), spec)).collect();
    rows.push(summary_row(&report.total, (spec.label)("report-total"), spec));
    sink.write(rows).await?;
    let described = Describe::default()
        .add("from", Some(params.from))
        .add("to", Some(params.to))
        .add("group", params.group)
        .finish();
    complete(db, access, sink, "summary_report", described, spec.format).await
}

const FUNNEL_COLUMNS: [(&str, ColumnKind); 6] = [
    ("field-stage", ColumnKind::Text),
    ("report-funnel-reached", ColumnKind::Integer),
    ("report-funnel-previous", ColumnKind::Percent),
    ("report-funnel-start", ColumnKind::Percent),
    ("report-funnel-lost-here", ColumnKind::Integer),
    ("report-funnel-lost-reasons", ColumnKind::Text),
];

/// How many lost reasons a funnel's stage or a summary's row lists, as their pages do.
pub const REASONS_SHOWN: usize = 3;

/// The most frequent lost reasons, as the funnel and summary pages write them:
/// `Дорого (3), без причины (1)`.
pub fn lost_reasons(reasons: &[(String, i64)], label: &dyn Fn(&str) -> String) -> String {
    reasons
        .iter()
        .take(REASONS_SHOWN)
        .map(|(reason, n)| {
            let reason = if reason.is_empty() { label("report-reason-none") } else { reason.clone() };
            format!("{reason} ({n})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The funnel's columns, each at least as wide as its header: a few figures under long headers
/// ("Проиграны на этапе") would otherwise cut them off.
fn funnel_columns(spec: &ExportSpec<'_>) -> Vec<Column> {
    FUNNEL_COLUMNS
        .iter()
        .map(|(key, kind)| {
            let header = (spec.label)(key);
            let fit = header.chars().count() as f64 + 2.0;
            Column::new(header, *kind).with_width(fit.max(kind.default_width()))
        })
        .collect()
}

fn funnel_stage_row(stage: &FunnelStage, spec: &ExportSpec<'_>) -> Vec<Cell> {
    let name = if spec.locale == Locale::En { &stage.stage.name_en } else { &stage.stage.name_ru };
    vec![
        Cell::Text(name.clone()),
        Cell::Integer(stage.reached),
        stage.from_previous.map_or(Cell::Empty, Cell::Percent),
        stage.from_start.map_or(Cell::Empty, Cell::Percent),
        Cell::Integer(stage.lost_here),
        Cell::Text(lost_reasons(&stage.lost_reasons, spec.label)),
    ]
}

/// The funnel's sheet as the page reads: a row per stage, then the deals lost before any stage
/// (only when there are some, as the page's note), then the total: the deals of the cohort and
/// how many of them are lost.
fn funnel_rows(funnel: &Funnel, spec: &ExportSpec<'_>) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = funnel.stages.iter().map(|s| funnel_stage_row(s, spec)).collect();
    let line = |key: &str, reached: Cell, lost: i64| {
        vec![
            Cell::Text((spec.label)(key)),
            reached,
            Cell::Empty,
            Cell::Empty,
            Cell::Integer(lost),
            Cell::Empty,
        ]
    };
    if funnel.lost_elsewhere > 0 {
        rows.push(line("report-funnel-lost-elsewhere-row", Cell::Empty, funnel.lost_elsewhere));
    }
    rows.push(line("report-total", Cell::Integer(funnel.deals), funnel.lost));
    rows
}

/// The funnel as on screen, for the same pipeline, period and slices, counted over the deals
/// of the employees the user may report on.
pub async fn funnel_report<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    params: &FunnelParams,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Reports, Action::Export)?;
    let funnel = crate::reports::funnel(db, access, params).await?;
    let mut sink = Sink::with_columns(spec, &(spec.label)("report-funnel-title"), funnel_columns(spec), out)?;
    sink.write(funnel_rows(&funnel, spec)).await?;
    let described = Describe::default()
        .add("pipeline", Some(params.pipeline_id))
        .add("from", Some(params.from))
        .add("to", Some(params.to))
        .add("owner", params.owner)
        .add("group", params.group)
        .add("source", params.source.as_deref())
        .add("region", params.region.as_deref())
        .add("industry", params.industry.as_deref())
        .finish();
    complete(db, access, sink, "funnel_report", described, spec.format).await
}

/// Who the targets grid's export is recorded against: exporting the targets is an event about
/// them, told apart from a target's edit by its action (`export`).
const TARGETS_ENTITY: &str = "sales_target";

/// A month as the grid's head writes it: `ноя 2026`.
fn month_label(month: Month, spec: &ExportSpec<'_>) -> String {
    format!("{} {}", (spec.label)(&format!("report-month-{}", month.month())), month.year())
}

/// The grid's columns: the employee, then each month's target, actual and percentage, headed
/// `ноя 2026: План`; each at least as wide as its header.
fn targets_columns(months: &[Month], spec: &ExportSpec<'_>) -> Vec<Column> {
    let fit = |header: String, kind: ColumnKind| {
        let width = header.chars().count() as f64 + 2.0;
        Column::new(header, kind).with_width(width.max(kind.default_width()))
    };
    let figures = [
        ("report-target", ColumnKind::Money),
        ("report-actual", ColumnKind::Money),
        ("report-target-percent", ColumnKind::Percent),
    ];
    let mut columns = vec![Column::new((spec.label)("report-employee"), ColumnKind::Text)];
    for month in months {
        let month = month_label(*month, spec);
        columns
            .extend(figures.iter().map(|(key, kind)| fit(format!("{month}: {}", (spec.label)(key)), *kind)));
    }
    columns
}

fn targets_row(name: String, cells: &[GridCell]) -> Vec<Cell> {
    let figures = cells.iter().flat_map(|cell| {
        [
            cell.target.map_or(Cell::Empty, Cell::Money),
            Cell::Money(cell.actual),
            cell.percent.map_or(Cell::Empty, Cell::Percent),
        ]
    });
    std::iter::once(Cell::Text(name)).chain(figures).collect()
}

/// The sales-targets grid as on screen (`targets::grid`): a row per employee the user may
/// report on, then the total; per month the target, the won amount (both money cells in the
/// organisation's currency) and the percentage reached.
pub async fn sales_targets<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    first: Month,
    last: Month,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Reports, Action::Export)?;
    let grid = crate::targets::grid(db, access, first, last).await?;
    let columns = targets_columns(&grid.months, spec);
    let mut sink = Sink::with_columns(spec, &(spec.label)("report-targets-title"), columns, out)?;
    let mut rows: Vec<Vec<Cell>> = grid.rows.iter().map(|r| targets_row(r.name.clone(), &r.cells)).collect();
    rows.push(targets_row((spec.label)("report-total"), &grid.totals));
    sink.write(rows).await?;
    let described = Describe::default().add("from", Some(first)).add("to", Some(last)).finish();
    complete(db, access, sink, TARGETS_ENTITY, described, spec.format).await
}

/// The sources report's columns, as its page's tables.
const SOURCE_COLUMNS: [(&str, ColumnKind); 6] = [
    ("report-source", ColumnKind::Text),
    ("report-leads", ColumnKind::Integer),
    ("report-won-count", ColumnKind::Integer),
    ("report-conversion", ColumnKind::Percent),
    ("report-revenue", ColumnKind::Money),
    ("report-average-won", ColumnKind::Money),
];

fn source_row(line: &SourceLine, name: String) -> Vec<Cell> {
    vec![
        Cell::Text(name),
        Cell::Integer(line.leads),
        Cell::Integer(line.won),
        line.conversion.map_or(Cell::Empty, Cell::Percent),
        Cell::Money(line.revenue),
        line.average.map_or(Cell::Empty, Cell::Money),
    ]
}

/// The sources report as on screen: a row per source and the total, then a row per
/// advertising campaign (`utm_campaign: spring`).
pub async fn sources_report<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    params: &SourcesParams,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Reports, Action::Export)?;
    let report = crate::reports::sources(db, access, params).await?;
    let mut sink = Sink::start(spec, &(spec.label)("report-sources-title"), &SOURCE_COLUMNS, out)?;
    let none = (spec.label)("report-source-none");
    let mut rows: Vec<Vec<Cell>> = report
        .by_source
        .iter()
        .map(|l| source_row(l, l.source.clone().unwrap_or_else(|| none.clone())))
        .collect();
    rows.push(source_row(&report.total, (spec.label)("report-total")));
    rows.extend(
        report
            .by_campaign
            .iter()
            .map(|l| source_row(l, format!("utm_campaign: {}", l.source.as_deref().unwrap_or_default()))),
    );
    sink.write(rows).await?;
    let described = Describe::default()
        .add("from", Some(params.from))
        .add("to", Some(params.to))
        .add("group", params.group)
        .finish();
    complete(db, access, sink, "sources_report", described, spec.format).await
}
