//! `/api/v1/reports`: the summary report (сводный отчёт) per employee and in total, and the
//! funnel of a pipeline, for a period of whole days in the organisation's calendar (unless told
//! otherwise the summary's this month, the funnel's this year: `reports::DefaultPeriod`, as the
//! report pages), as the report pages show them. Whose figures: the caller's
//! Reports/View scope (own, group, all), optionally narrowed to one group. Both also download
//! as XLSX or CSV, with the same query as their JSON.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Days, NaiveDate, Utc};
use orbita_app::Db;
use orbita_app::exports::{self, Format};
use orbita_app::reports::{self, DefaultPeriod, FunnelParams, SourcesParams, SummaryParams};
use orbita_domain::validation::Money;
use orbita_domain::{GroupId, PipelineId, UserId, ValidationErrors};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::calendar;
use crate::exports::{deliver, downloads, spec, spool};
use crate::extract::Params;
use crate::pipelines::Stage;
use crate::problem::ApiError;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(summary))
        .routes(routes!(funnel))
        .routes(routes!(export_xlsx))
        .routes(routes!(export_csv))
        .routes(routes!(funnel_xlsx))
        .routes(routes!(funnel_csv))
        .routes(routes!(sources))
        .routes(routes!(sources_xlsx))
        .routes(routes!(sources_csv))
}

/// An amount as the API writes money: a decimal string with two places.
pub fn money(money: &Money) -> String {
    format!("{:.2}", money.amount)
}

/// A fraction (`0.4235`, four decimals) as a percentage with two (`42.35`).
pub fn percent(fraction: Decimal) -> String {
    format!("{:.2}", fraction * Decimal::ONE_HUNDRED)
}

/// An amount in a currency other than the organisation's, never added to its amounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct Amount {
    #[schema(pattern = r"^[0-9]+\.[0-9]{2}$", example = "1500.00")]
    pub amount: String,
    #[schema(pattern = "^[A-Z]{3}$", example = "USD")]
    pub currency: String,
}

impl From<&Money> for Amount {
    fn from(m: &Money) -> Self {
        Amount { amount: money(m), currency: m.currency.as_str().to_owned() }
    }
}

/// A reason deals were lost for, and how many.
#[derive(Debug, Serialize, ToSchema)]
pub struct LostReason {
    /// Empty when none was given.
    pub reason: String,
    pub count: i64,
}

fn lost_reasons(reasons: &[(String, i64)]) -> Vec<LostReason> {
    reasons.iter().map(|(reason, count)| LostReason { reason: reason.clone(), count: *count }).collect()
}

/// One employee's figures for the period, or the total's. Amounts are decimal strings in the
/// report's `currency`; percentages have two decimals (`42.35`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryRow {
    /// `null` in the total.
    pub user_id: Option<i64>,
    /// `null` in the total.
    pub user_name: Option<String>,
    /// Deals created in the period.
    pub deals_created: i64,
    /// Deals won in the period (by closing day), in any currency.
    pub won_count: i64,
    /// Won in the organisation's currency: the actual against the target.
    #[schema(pattern = r"^[0-9]+\.[0-9]{2}$", example = "150000.50")]
    pub won_amount: String,
    /// Won in other currencies, one amount per currency.
    pub won_other: Vec<Amount>,
    /// Deals lost in the period, in any currency.
    pub lost_count: i64,
    /// The most frequent reasons, most frequent first (at most five).
    pub lost_reasons: Vec<LostReason>,
    /// Open deals now, whatever their age.
    pub open_count: i64,
    #[schema(pattern = r"^[0-9]+\.[0-9]{2}$")]
    pub open_amount: String,
    /// Σ amount × probability over open deals, to the kopeck.
    #[schema(pattern = r"^[0-9]+\.[0-9]{2}$")]
    pub forecast: String,
    pub open_other: Vec<Amount>,
    /// won / (won + lost), in percent; `null` when nothing was closed.
    #[schema(example = "42.35")]
    pub conversion: Option<String>,
    /// The average won deal in the organisation's currency; `null` when none was won.
    pub average_won: Option<String>,
    /// Calls and meetings done in the period.
    pub calls: i64,
    pub meetings: i64,
    /// Tasks done in the period; open and overdue now.
    pub tasks_done: i64,
    pub tasks_open: i64,
    pub tasks_overdue: i64,
    /// The sum of the monthly targets of `target_months`; `null` when none is set.
    pub target_amount: Option<String>,
    /// `won_amount` as a percentage of `target_amount`; `null` without a target.
    #[schema(example = "80.00")]
    pub target_percent: Option<String>,
}

impl From<&reports::SummaryRow> for SummaryRow {
    fn from(r: &reports::SummaryRow) -> Self {
        SummaryRow {
            user_id: r.user_id.map(|u| u.0),
            user_name: r.user_id.map(|_| r.name.clone()),
            deals_created: r.deals_created,
            won_count: r.won_count,
            won_amount: money(&r.won_amount),
            won_other: r.won_other.iter().map(Amount::from).collect(),
            lost_count: r.lost_count,
            lost_reasons: lost_reasons(&r.lost_reasons),
            open_count: r.open_count,
            open_amount: money(&r.open_amount),
            forecast: money(&r.forecast),
            open_other: r.open_other.iter().map(Amount::from).collect(),
            conversion: r.conversion.map(percent),
            average_won: r.average_won.as_ref().map(money),
            calls: r.calls,
            meetings: r.meetings,
            tasks_done: r.tasks_done,
            tasks_open: r.tasks_open,
            tasks_overdue: r.tasks_overdue,
            target_amount: r.target.as_ref().map(money),
            target_percent: r.target_percent.map(percent),
        }
    }
}

/// The summary report.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryReport {
    /// The first day of the period.
    pub from: NaiveDate,
    /// The last day of the period (included).
    pub to: NaiveDate,
    /// The organisation's currency: every amount of the rows but `won_other` and `open_other`.
    #[schema(pattern = "^[A-Z]{3}$", example = "RUB")]
    pub currency: String,
    /// The moment the open and overdue counts refer to.
    pub generated_at: DateTime<Utc>,
    /// The months the period touches, `YYYY-MM`: their targets make `target_amount`.
    pub target_months: Vec<String>,
    /// One per employee, by name.
    pub rows: Vec<SummaryRow>,
    pub total: SummaryRow,
}

/// The period, as the report pages' URLs carry it.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// The first day, `YYYY-MM-DD`; the first of this month by default.
    #[param(value_type = Option<String>, format = Date, example = "2026-01-01")]
    from: Option<String>,
    /// The last day (included), `YYYY-MM-DD`; the last of this month by default.
    #[param(value_type = Option<String>, format = Date, example = "2026-01-31")]
    to: Option<String>,
    /// Only the members of this group.
    group_id: Option<i64>,
}

/// `from` and `to` (both included) as the services' period (`to` excluded); a missing end
/// from the report's default period of today, as the report's page has it.
async fn period(
    db: &Db,
    from: Option<&str>,
    to: Option<&str>,
    default: fn(NaiveDate) -> DefaultPeriod,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let mut errors = ValidationErrors::default();
    let from = errors.check(calendar::date("from", from));
    let to = errors.check(calendar::date("to", to));
    errors.into_result()?;
    let (from, to) = match (from.flatten(), to.flatten()) {
        (Some(from), Some(to)) => (from, to),
        (from, to) => {
            let default = default(calendar::today(db).await?);
            (from.unwrap_or(default.first), to.unwrap_or(default.last))
        }
    };
    Ok((from, to.checked_add_days(Days::new(1)).unwrap_or(to)))
}

impl SummaryQuery {
    async fn params(&self, db: &Db) -> Result<SummaryParams, ApiError> {
        let (from, to) = period(db, self.from.as_deref(), self.to.as_deref(), DefaultPeriod::summary).await?;
        Ok(SummaryParams { from, to, group: self.group_id.map(GroupId) })
    }
}

/// The summary report: a row per employee whose reports you see, and the total.
#[utoipa::path(get, path = "/api/v1/reports/summary", tag = "reports", params(SummaryQuery),
    responses((status = 200, description = "The report", body = SummaryReport)))]
async fn summary(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<SummaryQuery>,
) -> Result<Json<SummaryReport>, ApiError> {
    let params = query.params(&state.db).await?;
    let report = reports::summary(&state.db, &caller.access, &params).await?;
    Ok(Json(SummaryReport {
        from: report.from,
        // The service's end is the day after.
        to: report.to.pred_opt().unwrap_or(report.to),
        currency: report.currency.as_str().to_owned(),
        generated_at: report.generated_at,
        target_months: report.target_months.iter().map(ToString::to_string).collect(),
        rows: report.rows.iter().map(SummaryRow::from).collect(),
        total: SummaryRow::from(&report.total),
    }))
}

downloads!(
    export,
    tag = "reports",
    params = SummaryQuery,
    export_xlsx = "/api/v1/reports/summary.xlsx",
    "Download the summary report as XLSX",
    export_csv = "/api/v1/reports/summary.csv",
    "Download the summary report as CSV",
);

/// The summary report as a file: a row per employee, then the total ("Итого" or "Total").
async fn export(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<SummaryQuery>,
    format: Format,
) -> Result<Response, ApiError> {
    let params = query.params(&state.db).await?;
    let spec = spec(&state.db, &caller, format).await?;
    let file = spool()?;
    let result = exports::summary_report(&state.db, &caller.access, &params, &spec, file).await;
    deliver(&state.db, result, format, "summary-report").await
}

/// One stage of the funnel.
#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelStage {
    pub stage: Stage,
    /// Deals of the cohort that reached this stage or a later one.
    pub reached: i64,
    /// `reached` as a percentage of the previous stage's; `null` for the first stage.
    pub from_previous: Option<String>,
    /// `reached` as a percentage of the cohort.
    pub from_start: Option<String>,
    /// Deals of the cohort lost after this stage.
    pub lost_here: i64,
    pub lost_reasons: Vec<LostReason>,
}

/// The funnel of the deals of a pipeline created in the period (the cohort): how many
/// reached each stage (by their stage history, up to now) and where the lost ones dropped out.
#[derive(Debug, Serialize, ToSchema)]
pub struct Funnel {
    pub pipeline_id: i64,
    pub from: NaiveDate,
    /// The last day of the period (included).
    pub to: NaiveDate,
    /// Deals in the cohort, won and lost of them now.
    pub deals: i64,
    pub won: i64,
    pub lost: i64,
    /// The open and won stages, in pipeline order.
    pub stages: Vec<FunnelStage>,
    /// Lost deals whose stage before losing is unknown.
    pub lost_elsewhere: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FunnelQuery {
    /// The pipeline (see `/api/v1/pipelines`).
    pipeline_id: i64,
    /// The first day deals were created, `YYYY-MM-DD`; the first of this year by default, as
    /// on the funnel page.
    #[param(value_type = Option<String>, format = Date, example = "2026-01-01")]
    from: Option<String>,
    /// The last day (included); the last of this year by default.
    #[param(value_type = Option<String>, format = Date, example = "2026-01-31")]
    to: Option<String>,
    /// Only this owner's deals.
    owner_id: Option<i64>,
    /// Only the deals of this group's members.
    group_id: Option<i64>,
    /// Only deals from this source.
    source: Option<String>,
    /// Only deals of companies of this region, as written on the company (exact match).
    #[param(example = "Москва")]
    region: Option<String>,
    /// Only deals of companies of this industry, as written on the company (exact match).
    industry: Option<String>,
}

/// A slice given empty is no slice, as on the funnel page.
fn slice(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty()).map(str::to_owned)
}

impl FunnelQuery {
    async fn params(&self, db: &Db) -> Result<FunnelParams, ApiError> {
        let (from, to) = period(db, self.from.as_deref(), self.to.as_deref(), DefaultPeriod::funnel).await?;
        Ok(FunnelParams {
            pipeline_id: PipelineId(self.pipeline_id),
            from,
            to,
            owner: self.owner_id.map(UserId),
            group: self.group_id.map(GroupId),
            source: slice(self.source.as_deref()),
            region: slice(self.region.as_deref()),
            industry: slice(self.industry.as_deref()),
        })
    }
}

/// The funnel of a pipeline.
#[utoipa::path(get, path = "/api/v1/reports/funnel", tag = "reports", params(FunnelQuery),
    responses((status = 200, description = "The funnel", body = Funnel)))]
async fn funnel(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<FunnelQuery>,
) -> Result<Json<Funnel>, ApiError> {
    let params = query.params(&state.db).await?;
    let funnel = reports::funnel(&state.db, &caller.access, &params).await?;
    let (from, to) = (params.from, params.to);
    Ok(Json(Funnel {
        pipeline_id: query.pipeline_id,
        from,
        to: to.pred_opt().unwrap_or(to),
        deals: funnel.deals,
        won: funnel.won,
        lost: funnel.lost,
        stages: funnel
            .stages
            .iter()
            .map(|s| FunnelStage {
                stage: Stage::from(&s.stage),
                reached: s.reached,
                from_previous: s.from_previous.map(percent),
                from_start: s.from_start.map(percent),
                lost_here: s.lost_here,
                lost_reasons: lost_reasons(&s.lost_reasons),
            })
            .collect(),
        lost_elsewhere: funnel.lost_elsewhere,
    }))
}

downloads!(
    funnel_export,
    tag = "reports",
    params = FunnelQuery,
    funnel_xlsx = "/api/v1/reports/funnel.xlsx",
    "Download the funnel as XLSX",
    funnel_csv = "/api/v1/reports/funnel.csv",
    "Download the funnel as CSV",
);

/// The funnel as a file: a row per open and won stage (reached, percentages from the previous
/// stage and from the start, lost there and the top reasons), the deals lost before any stage
/// when there are some, then the total ("Итого" or "Total": the cohort and its lost deals).
async fn funnel_export(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<FunnelQuery>,
    format: Format,
) -> Result<Response, ApiError> {
    let params = query.params(&state.db).await?;
    let spec = spec(&state.db, &caller, format).await?;
    let file = spool()?;
    let result = exports::funnel_report(&state.db, &caller.access, &params, &spec, file).await;
    deliver(&state.db, result, format, "funnel-report").await
}

/// One source's (or campaign's) deals created in the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceLine {
    /// The deal's `source` (a web form writes its name) or `utm_campaign`; `null`: none written.
    pub source: Option<String>,
    pub leads: i64,
    /// Of those, won by now.
    pub won: i64,
    /// `won` over `leads`, a percentage with two decimals.
    pub conversion: Option<String>,
    /// Won, in the organisation's currency.
    #[schema(pattern = r"^[0-9]+\.[0-9]{2}$", example = "1500.00")]
    pub revenue: String,
    pub average: Option<String>,
}

impl From<&reports::SourceLine> for SourceLine {
    fn from(l: &reports::SourceLine) -> Self {
        SourceLine {
            source: l.source.clone(),
            leads: l.leads,
            won: l.won,
            conversion: l.conversion.map(percent),
            revenue: money(&l.revenue),
            average: l.average.as_ref().map(money),
        }
    }
}

/// Where clients come from: the deals created in the period by source and by advertising
/// campaign, with how many of them are won now.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourcesReport {
    pub from: NaiveDate,
    /// The last day of the period (included).
    pub to: NaiveDate,
    #[schema(pattern = "^[A-Z]{3}$", example = "RUB")]
    pub currency: String,
    /// Most leads first; the deals with no source last.
    pub by_source: Vec<SourceLine>,
    /// Only the deals with a `utm_campaign`.
    pub by_campaign: Vec<SourceLine>,
    pub total: SourceLine,
}

impl SummaryQuery {
    async fn sources_params(&self, db: &Db) -> Result<SourcesParams, ApiError> {
        let (from, to) = period(db, self.from.as_deref(), self.to.as_deref(), DefaultPeriod::summary).await?;
        Ok(SourcesParams { from, to, group: self.group_id.map(GroupId) })
    }
}

/// The sources report (this month unless told otherwise).
#[utoipa::path(get, path = "/api/v1/reports/sources", tag = "reports", params(SummaryQuery),
    responses((status = 200, description = "The report", body = SourcesReport)))]
async fn sources(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<SummaryQuery>,
) -> Result<Json<SourcesReport>, ApiError> {
    let params = query.sources_params(&state.db).await?;
    let report = reports::sources(&state.db, &caller.access, &params).await?;
    Ok(Json(SourcesReport {
        from: report.from,
        to: report.to.pred_opt().unwrap_or(report.to),
        currency: report.currency.as_str().to_owned(),
        by_source: report.by_source.iter().map(SourceLine::from).collect(),
        by_campaign: report.by_campaign.iter().map(SourceLine::from).collect(),
        total: SourceLine::from(&report.total),
    }))
}

downloads!(
    sources_export,
    tag = "reports",
    params = SummaryQuery,
    sources_xlsx = "/api/v1/reports/sources.xlsx",
    "Download the sources report as XLSX",
    sources_csv = "/api/v1/reports/sources.csv",
    "Download the sources report as CSV",
);

/// The sources report as a file: a row per source, the total, then a row per campaign.
async fn sources_export(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<SummaryQuery>,
    format: Format,
) -> Result<Response, ApiError> {
    let params = query.sources_params(&state.db).await?;
    let spec = spec(&state.db, &caller, format).await?;
    let file = spool()?;
    let result = exports::sources_report(&state.db, &caller.access, &params, &spec, file).await;
    deliver(&state.db, result, format, "sources-report").await
}

#[cfg(test)]
mod tests {
    use orbita_domain::validation::Currency;

    use super::*;

    #[test]
    fn money_and_percentages_are_exact_decimal_strings() {
        assert_eq!(money(&Money::from_minor(18_333_383, Currency::RUB)), "183333.83");
        assert_eq!(money(&Money::from_minor(0, Currency::RUB)), "0.00");
        assert_eq!(percent(Decimal::new(7333, 4)), "73.33");
        assert_eq!(percent(Decimal::new(1, 0)), "100.00");
        assert_eq!(percent(Decimal::new(12345, 4)), "123.45");
    }
}
