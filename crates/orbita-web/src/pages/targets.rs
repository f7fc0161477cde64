//! Monthly sales targets (`/reports/targets?from=YYYY-MM&to=YYYY-MM`): employees × months, each
//! cell the target, the won amount and the percentage, this month and the next two unless the
//! URL says otherwise. A head of sales edits the cells of their team in place: every cell is a
//! small form (`POST /reports/targets`); htmx swaps just the cell, and without a script the
//! browser makes the round trip. A refused amount stays in the cell, as typed, with the
//! reason. `POST /reports/targets/copy?month=YYYY-MM` copies the month before into it. The
//! export buttons start a background export of the grid shown (`POST /exports`, list
//! `targets`); the direct download is `/reports/targets.xlsx` (`pages::exports`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use orbita_app::AppError;
use orbita_app::targets::{self, GridCell, TargetGrid};
use orbita_domain::access::{Action, Area};
use orbita_domain::month::Month;
use orbita_domain::validation::Money;
use orbita_domain::{FieldError, UserId, ValidationErrors};
use serde::Deserialize;

use super::SignedIn;
use super::list_query::ListQuery;
use super::reports::period::today;
use super::reports::{Tab, chart, fraction_f64, month_label, percent};
use crate::AppState;
use crate::error::PageError;
use crate::ui::layout::url;
use crate::ui::{Flash, FlashKind, Layout, Nav};

const PATH: &str = "/reports/targets";
/// The months shown by default: this one and the next two.
const DEFAULT_MONTHS: usize = 3;

pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(grid).post(set)).route("/reports/targets/copy", post(copy))
}

/// One cell, ready to print: the form when editable, the figures always.
#[derive(Debug, Clone, Default)]
pub struct CellView {
    /// The `id` of the `<td>`, which htmx replaces.
    pub id: String,
    pub user_id: String,
    pub month: String,
    /// The input's value: the target, or what was typed when it was refused.
    pub value: String,
    pub error: String,
    pub editable: bool,
    /// The target as money (read-only cells and totals).
    pub target: String,
    pub actual: String,
    pub actual_href: String,
    pub percent: String,
    pub meter: String,
    /// `Иван Петров, ноя 2026`: what the input is for, for screen readers.
    pub label: String,
    pub saved: bool,
    /// The grid's months, so the cell's form brings a browser without a script back to them.
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone)]
pub struct RowView {
    pub name: String,
    pub cells: Vec<CellView>,
}

#[derive(Debug, Clone)]
pub struct MonthHead {
    pub label: String,
    /// The copy form's action; empty when the user may not set targets.
    pub copy_action: String,
    pub copy_title: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "targets/grid.html")]
pub struct GridPage {
    pub layout: Layout,
    pub tab: Tab,
    pub tabs: [Tab; 4],
    pub from: String,
    pub to: String,
    pub error: String,
    pub months: Vec<MonthHead>,
    pub rows: Vec<RowView>,
    pub totals: Vec<CellView>,
    pub can_edit: bool,
    pub earlier_href: String,
    pub later_href: String,
    /// Whether the user may export the grid, and its months for the export form: the file
    /// holds the grid shown.
    pub export: bool,
    pub export_query: String,
}

/// A cell alone, for htmx to swap in.
#[derive(Template, WebTemplate)]
#[template(path = "targets/cell.html")]
pub struct CellFragment {
    pub layout: Layout,
    pub cell: CellView,
}

/// A refused edit, shown in its cell on the page.
struct Refused {
    user_id: UserId,
    month: String,
    value: String,
    error: String,
}

/// The input's value for a target, as the amount parser reads it back: `150 000`,
/// `150 000,50` in Russian (no-break spaces group thousands), `150000.50` in English (whose
/// comma would be read as the decimal separator).
fn amount_value(layout: &Layout, money: &Money) -> String {
    let minor = money.to_minor();
    let (int, frac) = (minor / 100, minor % 100);
    let (int, separator) = match layout.locale {
        crate::ui::Locale::Ru => (layout.number(int), ','),
        crate::ui::Locale::En => (int.to_string(), '.'),
    };
    if frac == 0 { int } else { format!("{int}{separator}{frac:02}") }
}

/// The won deals of one employee (or everyone's, `None`) in one month.
fn won_href(user: Option<UserId>, month: Month) -> String {
    let first = month.first_day();
    let last = month.next().map_or(first, |m| m.first_day().pred_opt().unwrap_or(first));
    let owner = user.map(|u| u.to_string()).unwrap_or_default();
    url(
        "/deals",
        &[
            ("owner", &owner),
            ("status", "won"),
            ("closed_from", &first.format("%Y-%m-%d").to_string()),
            ("closed_to", &last.format("%Y-%m-%d").to_string()),
        ],
    )
}

struct CellContext<'a> {
    layout: &'a Layout,
    from: &'a str,
    to: &'a str,
}

impl CellContext<'_> {
    fn cell(&self, user: Option<(UserId, &str)>, month: Month, cell: &GridCell, editable: bool) -> CellView {
        let layout = self.layout;
        let month_text = month.to_string();
        let (id, user_id, label) = match user {
            Some((id, name)) => (
                format!("target-{id}-{month_text}"),
                id.to_string(),
                format!("{}: {name}, {}", layout.t("report-target"), month_label(layout, month)),
            ),
            None => (format!("target-total-{month_text}"), String::new(), String::new()),
        };
        CellView {
            id,
            user_id,
            value: cell.target.as_ref().map(|t| amount_value(layout, t)).unwrap_or_default(),
            error: String::new(),
            editable,
            target: cell.target.as_ref().map_or_else(|| "—".to_owned(), |t| layout.money(t)),
            actual: layout.money(cell.actual),
            actual_href: won_href(user.map(|(id, _)| id), month),
            percent: cell.percent.map(|p| percent(layout, p)).unwrap_or_default(),
            meter: cell.percent.map(|p| chart::meter(fraction_f64(p))).unwrap_or_default(),
            label,
            saved: false,
            month: month_text,
            from: self.from.to_owned(),
            to: self.to.to_owned(),
        }
    }
}

/// The months asked for, or this month and the next two; a malformed month is reported. The
/// grid's file (`pages::exports`) reads them so too.
pub(in crate::pages) fn window(
    query: &ListQuery,
    tz: &str,
) -> Result<(Month, Month, Option<FieldError>), PageError> {
    let this = Month::of(today(tz)).ok_or(PageError::Internal)?;
    let mut error = None;
    let mut read = |name: &str| match query.get(name) {
        "" => None,
        raw => targets::parse_month(raw).map_err(|e| error = Some(e)).ok(),
    };
    let (from, to) = (read("from"), read("to"));
    let first = from.unwrap_or(this);
    let default_last = (1..DEFAULT_MONTHS).try_fold(first, |m, _| m.next()).unwrap_or(first);
    Ok((first, to.unwrap_or(default_last), error))
}

/// The same number of months just before or after `first..=last`.
fn shifted(first: Month, last: Month, later: bool) -> Option<(Month, Month)> {
    let len = first.through(last).len();
    let step = |m: Month| if later { m.next() } else { m.previous() };
    let mut window = (first, last);
    for _ in 0..len.max(1) {
        window = (step(window.0)?, step(window.1)?);
    }
    Some(window)
}

async fn grid(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let query = ListQuery::parse(raw.as_deref());
    let mut page = render(&state, &user, &query, None).await?;
    let notice = match query.get("notice") {
        "saved" => Some(page.layout.t("report-target-saved")),
        "copied" => {
            Some(page.layout.count("report-targets-copied", query.parsed::<i64>("count").unwrap_or(0)))
        }
        _ => None,
    };
    if let Some(message) = notice {
        page.layout.flashes.push(Flash { kind: FlashKind::Success, message });
    }
    Ok(page.into_response())
}

async fn render(
    state: &AppState,
    user: &SignedIn,
    query: &ListQuery,
    refused: Option<Refused>,
) -> Result<GridPage, PageError> {
    let access = &user.session.access;
    let layout = user.page(user.t("report-targets-title"), Some(Nav::Reports));
    let (first, last, month_error) = window(query, &layout.time_zone)?;
    let (from, to) = (first.to_string(), last.to_string());
    let (grid, errors) = match targets::grid(&state.db, access, first, last).await {
        Ok(grid) => (Some(grid), ValidationErrors::default()),
        Err(AppError::Invalid(errors)) => (None, errors),
        Err(other) => return Err(other.into()),
    };
    let error =
        month_error.as_ref().or(errors.0.first()).map(|e| layout.error_message(e)).unwrap_or_default();
    let can_edit = access.can(Area::Reports, Action::Edit);
    let context = CellContext { layout: &layout, from: &from, to: &to };
    let (months, rows, totals) = match &grid {
        Some(grid) => table(&context, grid, can_edit, refused.as_ref()),
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let link = |window: Option<(Month, Month)>| {
        window
            .map_or_else(String::new, |(a, b)| url(PATH, &[("from", &a.to_string()), ("to", &b.to_string())]))
    };
    Ok(GridPage {
        tab: Tab::Targets,
        tabs: Tab::ALL,
        error,
        months,
        rows,
        totals,
        can_edit,
        earlier_href: link(shifted(first, last, false)),
        later_href: link(shifted(first, last, true)),
        export: grid.is_some() && access.can(Area::Reports, Action::Export),
        export_query: url("", &[("from", &from), ("to", &to)]).trim_start_matches('?').to_owned(),
        from,
        to,
        layout,
    })
}

type Table = (Vec<MonthHead>, Vec<RowView>, Vec<CellView>);

fn table(context: &CellContext<'_>, grid: &TargetGrid, can_edit: bool, refused: Option<&Refused>) -> Table {
    let layout = context.layout;
    let months = grid
        .months
        .iter()
        .map(|m| MonthHead {
            label: month_label(layout, *m),
            copy_action: if can_edit {
                url("/reports/targets/copy", &[("month", &m.to_string())])
            } else {
                String::new()
            },
            copy_title: m
                .previous()
                .map(|p| layout.t_with("report-targets-copy-title", "month", &month_label(layout, p)))
                .unwrap_or_default(),
        })
        .collect();
    let rows = grid
        .rows
        .iter()
        .map(|row| {
            let cells = grid
                .months
                .iter()
                .zip(&row.cells)
                .map(|(month, cell)| {
                    let mut view = context.cell(Some((row.user_id, &row.name)), *month, cell, row.editable);
                    if let Some(r) = refused.filter(|r| r.user_id == row.user_id && r.month == view.month) {
                        view.value.clone_from(&r.value);
                        view.error.clone_from(&r.error);
                    }
                    view
                })
                .collect();
            RowView { name: row.name.clone(), cells }
        })
        .collect();
    let totals =
        grid.months.iter().zip(&grid.totals).map(|(m, c)| context.cell(None, *m, c, false)).collect();
    (months, rows, totals)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SetForm {
    user_id: String,
    month: String,
    amount: String,
    /// The grid's months, to come back to without a script.
    from: String,
    to: String,
}

/// `POST /reports/targets`: htmx gets the cell back (refused or saved); a plain form gets the
/// grid again, by a redirect when saved or with the typed value and the reason when refused.
async fn set(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Form(form): Form<SetForm>,
) -> Result<Response, PageError> {
    let access = &user.session.access;
    let htmx = headers.contains_key("hx-request");
    let employee: UserId = form.user_id.trim().parse().map_err(|_| PageError::NotFound)?;
    let error = match targets::set(&state.db, access, employee, &form.month, &form.amount).await {
        Ok(saved) if htmx => return cell(&state, &user, employee, saved.month, &form, None).await,
        Ok(_) => {
            let to = url(PATH, &[("from", &form.from), ("to", &form.to), ("notice", "saved")]);
            return Ok(Redirect::to(&to).into_response());
        }
        Err(AppError::Invalid(errors)) => {
            errors.0.first().map(|e| user.layout.error_message(e)).unwrap_or_default()
        }
        Err(other) => return Err(other.into()),
    };
    if htmx {
        // The month itself may be what was refused: then there is no cell to draw.
        let month = targets::parse_month(&form.month).map_err(|e| PageError::Invalid(e.message))?;
        return cell(&state, &user, employee, month, &form, Some(error)).await;
    }
    let back = url("", &[("from", &form.from), ("to", &form.to)]);
    let query = ListQuery::parse(back.strip_prefix('?'));
    let refused =
        Refused { user_id: employee, month: form.month.trim().to_owned(), value: form.amount, error };
    let page = render(&state, &user, &query, Some(refused)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// One cell after an edit: its figures from the grid of that month.
async fn cell(
    state: &AppState,
    user: &SignedIn,
    employee: UserId,
    month: Month,
    form: &SetForm,
    error: Option<String>,
) -> Result<Response, PageError> {
    let grid = targets::grid(&state.db, &user.session.access, month, month).await?;
    let row = grid.rows.iter().find(|r| r.user_id == employee).ok_or(PageError::NotFound)?;
    let figures = row.cells.first().ok_or(PageError::NotFound)?;
    let layout = user.page(String::new(), Some(Nav::Reports));
    let context = CellContext { layout: &layout, from: &form.from, to: &form.to };
    let mut view = context.cell(Some((row.user_id, &row.name)), month, figures, row.editable);
    match error {
        Some(error) => {
            view.value.clone_from(&form.amount);
            view.error = error;
        }
        None => view.saved = true,
    }
    Ok(CellFragment { layout, cell: view }.into_response())
}

#[derive(Deserialize)]
struct CopyQuery {
    #[serde(default)]
    month: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CopyForm {
    from: String,
    to: String,
}

/// `POST /reports/targets/copy?month=YYYY-MM`: the previous month's targets into this one,
/// for the employees who have none yet.
async fn copy(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<CopyQuery>,
    Form(form): Form<CopyForm>,
) -> Result<Response, PageError> {
    let month =
        targets::parse_month(&query.month).map_err(|e| PageError::Invalid(user.layout.error_message(&e)))?;
    let created = targets::copy_previous_month(&state.db, &user.session.access, month).await?;
    let count = created.len().to_string();
    let to = url(PATH, &[("from", &form.from), ("to", &form.to), ("notice", "copied"), ("count", &count)]);
    Ok(Redirect::to(&to).into_response())
}
