//! `/api/v1/sales-targets`: monthly sales targets (план продаж) per employee, with what each
//! won against them. A head of sales sets the targets of their groups' members, an
//! administrator everyone's (`PUT`); whoever may see an employee's reports may read their
//! targets. Amounts are in the organisation's currency. The grid also downloads as XLSX or CSV
//! (`/api/v1/sales-targets.xlsx`), with the list's query.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::Response;
use orbita_app::Db;
use orbita_app::exports::{self, Format};
use orbita_app::targets::{self, GridCell, TargetGrid};
use orbita_domain::month::Month;
use orbita_domain::{FieldError, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::calendar;
use crate::exports::{deliver, downloads, spec, spool};
use crate::extract::{Body, Params};
use crate::problem::ApiError;
use crate::reports::{money, percent};

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get, put))
        .routes(routes!(export_xlsx))
        .routes(routes!(export_csv))
}

/// One employee's target for one month, and what they won in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesTarget {
    pub user_id: i64,
    pub user_name: String,
    #[schema(pattern = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])$", example = "2026-03")]
    pub month: String,
    /// The target, a decimal with two places.
    #[schema(pattern = r"^[0-9]+\.[0-9]{2}$", example = "150000.00")]
    pub amount: String,
    /// The organisation's currency.
    #[schema(pattern = "^[A-Z]{3}$", example = "RUB")]
    pub currency: String,
    /// Won in the month (deals closed as won, by their closing day in the organisation's time
    /// zone), in the same currency.
    #[schema(pattern = r"^[0-9]+\.[0-9]{2}$", example = "120000.50")]
    pub won_amount: String,
    /// `won_amount` as a percentage of `amount`, two decimals (`80.00`); `null` for a zero target.
    #[schema(example = "80.00")]
    pub target_percent: Option<String>,
}

impl SalesTarget {
    fn new(user_id: UserId, user_name: &str, month: Month, cell: &GridCell) -> Option<SalesTarget> {
        let target = cell.target.as_ref()?;
        Some(SalesTarget {
            user_id: user_id.0,
            user_name: user_name.to_owned(),
            month: month.to_string(),
            amount: money(target),
            currency: target.currency.as_str().to_owned(),
            won_amount: money(&cell.actual),
            target_percent: cell.percent.map(percent),
        })
    }
}

/// Every target of the grid, employee by employee, month by month.
fn all(grid: &TargetGrid) -> Vec<SalesTarget> {
    grid.rows
        .iter()
        .flat_map(|row| {
            grid.months
                .iter()
                .zip(&row.cells)
                .filter_map(|(month, cell)| SalesTarget::new(row.user_id, &row.name, *month, cell))
        })
        .collect()
}

/// The targets of a period; never paged (employees × at most 36 months).
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesTargetList {
    pub items: Vec<SalesTarget>,
    /// Always `null`: one page holds them all.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SalesTargetQuery {
    /// The first month, `YYYY-MM`; this month by default.
    #[param(pattern = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])$", example = "2026-01")]
    from: Option<String>,
    /// The last month (included), `YYYY-MM`; `from` by default. At most 36 months in all.
    #[param(pattern = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])$", example = "2026-03")]
    to: Option<String>,
}

/// A month parameter, its errors named after it.
fn month(field: &str, raw: &str) -> Result<Month, FieldError> {
    targets::parse_month(raw).map_err(|e| FieldError::new(field, e.code, e.message))
}

/// List the targets you may see.
#[utoipa::path(get, path = "/api/v1/sales-targets", tag = "sales-targets", params(SalesTargetQuery),
    responses((status = 200, description = "The targets set for the months, of the employees whose reports you see",
        body = SalesTargetList)))]
async fn list(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<SalesTargetQuery>,
) -> Result<Json<SalesTargetList>, ApiError> {
    let (first, last) = query.months(&state.db).await?;
    let grid = targets::grid(&state.db, &caller.access, first, last).await?;
    Ok(Json(SalesTargetList { items: all(&grid), next_cursor: None }))
}

impl SalesTargetQuery {
    /// The first and last month asked for: this month and `from` by default.
    async fn months(&self, db: &Db) -> Result<(Month, Month), ApiError> {
        let mut errors = orbita_domain::ValidationErrors::default();
        let from = self.from.as_deref().map(|raw| errors.check(month("from", raw)));
        let to = self.to.as_deref().map(|raw| errors.check(month("to", raw)));
        match (errors.into_result(), from.flatten(), to.flatten()) {
            (Err(errors), ..) => Err(errors.into()),
            (Ok(()), Some(first), Some(last)) => Ok((first, last)),
            (Ok(()), Some(first), None) => Ok((first, first)),
            (Ok(()), None, to) => {
                let this = Month::of(calendar::today(db).await?).ok_or_else(ApiError::internal)?;
                Ok((this, to.unwrap_or(this)))
            }
        }
    }
}

downloads!(
    export,
    tag = "sales-targets",
    params = SalesTargetQuery,
    export_xlsx = "/api/v1/sales-targets.xlsx",
    "Download the sales-targets grid as XLSX",
    export_csv = "/api/v1/sales-targets.csv",
    "Download the sales-targets grid as CSV",
);

/// The grid of the targets page as a file, for the same months as the list: a row per
/// employee whose reports you see, then the total ("Итого" or "Total"); per month the target,
/// the won amount (both money in the organisation's currency) and the percentage reached.
/// Needs the reports' export right.
async fn export(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<SalesTargetQuery>,
    format: Format,
) -> Result<Response, ApiError> {
    let (first, last) = query.months(&state.db).await?;
    let spec = spec(&state.db, &caller, format).await?;
    let file = spool()?;
    let result = exports::sales_targets(&state.db, &caller.access, first, last, &spec, file).await;
    deliver(&state.db, result, format, "sales-targets").await
}

/// The `{user_id}/{month}` of a target's path: a user id that is no integer is a 400, a month
/// that is no `YYYY-MM` a 422 on `month`.
struct TargetPath {
    user: UserId,
    month: String,
}

impl<S: Send + Sync> FromRequestParts<S> for TargetPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let path = axum::extract::Path::<(String, String)>::from_request_parts(parts, state).await.map_err(
            |_| ApiError::bad_request("The path must be /api/v1/sales-targets/{user_id}/{YYYY-MM}"),
        )?;
        let (user, month) = path.0;
        let user =
            user.parse().map_err(|_| ApiError::bad_request("The user id in the path must be an integer"))?;
        Ok(TargetPath { user: UserId(user), month })
    }
}

/// Reads one target from a one-month grid.
fn one(grid: &TargetGrid, user: UserId) -> Result<SalesTarget, ApiError> {
    let (row, month) = grid
        .rows
        .iter()
        .find(|r| r.user_id == user)
        .zip(grid.months.first())
        .ok_or_else(ApiError::not_found)?;
    row.cells
        .first()
        .and_then(|cell| SalesTarget::new(user, &row.name, *month, cell))
        .ok_or_else(ApiError::not_found)
}

/// Read one employee's target for one month.
#[utoipa::path(get, path = "/api/v1/sales-targets/{user_id}/{month}", tag = "sales-targets",
    params(("user_id" = i64, Path, description = "The employee's user id"),
        ("month" = String, Path, description = "`YYYY-MM`", pattern = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])$", example = "2026-03")),
    responses((status = 200, description = "The target", body = SalesTarget)))]
async fn get(
    State(state): State<ApiState>,
    caller: Caller,
    path: TargetPath,
) -> Result<Json<SalesTarget>, ApiError> {
    let month = month("month", &path.month)?;
    let grid = targets::grid(&state.db, &caller.access, month, month).await?;
    Ok(Json(one(&grid, path.user)?))
}

/// A target to set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SalesTargetWrite {
    /// A decimal string such as `150000.00` (also `150 000,00`), at most two decimals, in the
    /// organisation's currency. Not a JSON number, as every amount of this API.
    #[schema(example = "150000.00", pattern = r"^[0-9]{1,15}([.,][0-9]{1,2})?$")]
    pub amount: String,
}

/// Set one employee's target for one month (a head of sales for their groups' members, an
/// administrator for everyone).
#[utoipa::path(put, path = "/api/v1/sales-targets/{user_id}/{month}", tag = "sales-targets",
    params(("user_id" = i64, Path, description = "The employee's user id"),
        ("month" = String, Path, description = "`YYYY-MM`", pattern = "^[1-9][0-9]{3}-(0[1-9]|1[0-2])$", example = "2026-03")),
    request_body = SalesTargetWrite,
    responses((status = 200, description = "The stored target", body = SalesTarget)))]
async fn put(
    State(state): State<ApiState>,
    caller: Caller,
    path: TargetPath,
    Body(body): Body<SalesTargetWrite>,
) -> Result<Json<SalesTarget>, ApiError> {
    let stored = targets::set(&state.db, &caller.access, path.user, &path.month, &body.amount).await?;
    let grid = targets::grid(&state.db, &caller.access, stored.month, stored.month).await?;
    Ok(Json(one(&grid, path.user)?))
}

#[cfg(test)]
mod tests {
    use orbita_domain::validation::{Currency, Money};

    use super::*;

    #[test]
    fn a_cell_without_a_target_is_no_target() {
        let month = Month::new(2026, 3).expect("month");
        let empty = GridCell { target: None, actual: Money::from_minor(100, Currency::RUB), percent: None };
        assert!(SalesTarget::new(UserId(1), "A", month, &empty).is_none());
        let set = GridCell {
            target: Some(Money::from_minor(15_000_000, Currency::RUB)),
            actual: Money::from_minor(12_000_050, Currency::RUB),
            percent: Some(rust_decimal::Decimal::new(8000, 4)),
        };
        let target = SalesTarget::new(UserId(1), "A", month, &set).expect("target");
        assert_eq!((target.amount.as_str(), target.won_amount.as_str()), ("150000.00", "120000.50"));
        assert_eq!(target.target_percent.as_deref(), Some("80.00"));
        assert_eq!(target.month, "2026-03");
    }
}
