//! Aggregates for the summary report, the funnel and plan-vs-actual: one GROUP BY query per
//! family of figures, never one per employee, so a report over 200 managers costs the same few
//! queries as one over 2.
//!
//! Money is summed as integer minor units (CAST to BIGINT: PostgreSQL sums BIGINT into
//! NUMERIC), per currency: adding roubles to dollars is the caller's decision, not SQL's.

use orbita_domain::activity::ActivityKind;
use orbita_domain::{PipelineId, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, Query, SelectStatement};

use crate::db::Db;
use crate::error::Result;

/// A half-open interval of time, `[from, to)`: the same boundaries as the list filters
/// (`created_from`/`created_to`, …), so a figure and its list agree on the edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Timestamp,
    pub to: Timestamp,
}

/// Deals created in the period, per owner.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OwnerCount {
    pub owner_id: i64,
    pub count: i64,
}

/// Deals won in the period (by `closed_at`), per owner and currency.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OwnerAmount {
    pub owner_id: i64,
    pub currency: String,
    pub count: i64,
    pub amount_minor: i64,
}

/// Deals lost in the period, per owner and reason.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LostReasonCount {
    pub owner_id: i64,
    pub reason: Option<String>,
    pub count: i64,
}

/// The open pipeline now, per owner and currency.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenPipeline {
    pub owner_id: i64,
    pub currency: String,
    pub count: i64,
    pub amount_minor: i64,
    /// Σ amount_minor × probability: the forecast in hundredths of a kopeck, exact; the caller
    /// rounds once, so a total is not a sum of rounded parts.
    pub weighted_x100: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActivityCount {
    pub responsible_id: i64,
    pub kind: String,
    pub count: i64,
}

/// Per assignee: tasks done in the period, open now, and open and overdue now.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskCounts {
    pub assignee_id: i64,
    pub done: i64,
    pub open: i64,
    pub overdue: i64,
}

/// Won deals per owner, currency and bucket (the index of the period they closed in).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WonInBucket {
    pub owner_id: i64,
    pub bucket: i64,
    pub currency: String,
    pub count: i64,
    pub amount_minor: i64,
}

fn bigint(expr: Expr) -> Expr {
    expr.cast_as("BIGINT")
}

/// `CAST(COALESCE(SUM(expr), 0) AS BIGINT)`.
fn sum(expr: Expr) -> Expr {
    bigint(expr.sum().if_null(0))
}

/// `CAST(COUNT(table.id) AS BIGINT)` (SQLite's COUNT is already 64-bit; this keeps one type).
fn count(table: &'static str) -> Expr {
    bigint(Expr::col((table, "id")).count())
}

fn only_owners(stmt: &mut SelectStatement, column: (&'static str, &'static str), owners: Option<&[UserId]>) {
    if let Some(owners) = owners {
        stmt.and_where(Expr::col(column).is_in(owners.iter().map(|o| o.0)));
    }
}

fn within(stmt: &mut SelectStatement, column: (&'static str, &'static str), period: Period) {
    stmt.and_where(Expr::col(column).gte(period.from)).and_where(Expr::col(column).lt(period.to));
}

fn deals_by_owner(owners: Option<&[UserId]>) -> SelectStatement {
    let mut stmt = Query::select();
    stmt.from("deals").column(("deals", "owner_id")).group_by_col(("deals", "owner_id"));
    only_owners(&mut stmt, ("deals", "owner_id"), owners);
    stmt
}

pub async fn deals_created(db: &Db, period: Period, owners: Option<&[UserId]>) -> Result<Vec<OwnerCount>> {
    let mut stmt = deals_by_owner(owners);
    stmt.expr_as(count("deals"), "count");
    within(&mut stmt, ("deals", "created_at"), period);
    db.fetch_all(&stmt).await
}

pub async fn deals_won(db: &Db, period: Period, owners: Option<&[UserId]>) -> Result<Vec<OwnerAmount>> {
    let mut stmt = deals_by_owner(owners);
    stmt.column(("deals", "currency"))
        .expr_as(count("deals"), "count")
        .expr_as(sum(Expr::col(("deals", "amount_minor"))), "amount_minor")
        .and_where(Expr::col(("deals", "status")).eq("won"))
        .group_by_col(("deals", "currency"));
    within(&mut stmt, ("deals", "closed_at"), period);
    db.fetch_all(&stmt).await
}

pub async fn deals_lost(db: &Db, period: Period, owners: Option<&[UserId]>) -> Result<Vec<LostReasonCount>> {
    let mut stmt = deals_by_owner(owners);
    stmt.expr_as(Expr::col(("deals", "lost_reason")), "reason")
        .expr_as(count("deals"), "count")
        .and_where(Expr::col(("deals", "status")).eq("lost"))
        .group_by_col(("deals", "lost_reason"));
    within(&mut stmt, ("deals", "closed_at"), period);
    db.fetch_all(&stmt).await
}

/// Open deals as they stand now: a pipeline has no period.
pub async fn open_pipeline(db: &Db, owners: Option<&[UserId]>) -> Result<Vec<OpenPipeline>> {
    let mut stmt = deals_by_owner(owners);
    let weighted = Expr::col(("deals", "amount_minor")).mul(Expr::col(("deals", "probability")));
    stmt.column(("deals", "currency"))
        .expr_as(count("deals"), "count")
        .expr_as(sum(Expr::col(("deals", "amount_minor"))), "amount_minor")
        .expr_as(sum(weighted), "weighted_x100")
        .and_where(Expr::col(("deals", "status")).eq("open"))
        .group_by_col(("deals", "currency"));
    db.fetch_all(&stmt).await
}

/// Done activities of these kinds that took place in the period, per responsible user.
pub async fn activities_done(
    db: &Db,
    period: Period,
    owners: Option<&[UserId]>,
    kinds: &[ActivityKind],
) -> Result<Vec<ActivityCount>> {
    let mut stmt = Query::select();
    stmt.from("activities")
        .column(("activities", "responsible_id"))
        .column(("activities", "kind"))
        .expr_as(count("activities"), "count")
        .and_where(Expr::col(("activities", "status")).eq("done"))
        .and_where(Expr::col(("activities", "kind")).is_in(kinds.iter().map(|k| k.as_str())))
        .group_by_col(("activities", "responsible_id"))
        .group_by_col(("activities", "kind"));
    within(&mut stmt, ("activities", "occurred_at"), period);
    only_owners(&mut stmt, ("activities", "responsible_id"), owners);
    db.fetch_all(&stmt).await
}

/// One pass over the assignees' tasks that are open or were done in the period.
pub async fn task_counts(
    db: &Db,
    period: Period,
    owners: Option<&[UserId]>,
    now: Timestamp,
) -> Result<Vec<TaskCounts>> {
    let done_at = || Expr::col(("tasks", "done_at"));
    let one_if =
        |condition: Expr| sum(Expr::case(condition, Expr::cust("1")).finally(Expr::cust("0")).into());
    let done_in_period = done_at().gte(period.from).and(done_at().lt(period.to));
    let mut stmt = Query::select();
    stmt.from("tasks")
        .column(("tasks", "assignee_id"))
        .expr_as(one_if(done_in_period.clone()), "done")
        .expr_as(one_if(done_at().is_null()), "open")
        .expr_as(one_if(done_at().is_null().and(Expr::col(("tasks", "due_at")).lt(now))), "overdue")
        .and_where(done_at().is_null().or(done_in_period))
        .group_by_col(("tasks", "assignee_id"));
    only_owners(&mut stmt, ("tasks", "assignee_id"), owners);
    db.fetch_all(&stmt).await
}

/// Won deals split by the periods `boundaries` make (n + 1 instants, ascending, make n
/// buckets numbered from 0): months in the organisation's time zone are computed by the caller,
/// so both databases bucket alike without knowing time zones.
pub async fn won_by_period(
    db: &Db,
    boundaries: &[Timestamp],
    owners: Option<&[UserId]>,
) -> Result<Vec<WonInBucket>> {
    let (Some(first), Some(last)) = (boundaries.first(), boundaries.last()) else { return Ok(Vec::new()) };
    if boundaries.len() < 2 {
        return Ok(Vec::new());
    }
    let closed = || Expr::col(("deals", "closed_at"));
    let mut bucket = Expr::case(closed().lt(boundaries[1]), Expr::cust("0"));
    for (index, end) in boundaries.iter().enumerate().skip(2) {
        bucket = bucket.case(closed().lt(*end), Expr::cust((index - 1).to_string()));
    }
    let mut inner = Query::select();
    inner
        .from("deals")
        .columns([("deals", "owner_id"), ("deals", "currency"), ("deals", "amount_minor"), ("deals", "id")])
        .expr_as(bigint(bucket.finally(Expr::cust("-1")).into()), "bucket")
        .and_where(Expr::col(("deals", "status")).eq("won"))
        .and_where(closed().gte(*first))
        .and_where(closed().lt(*last));
    only_owners(&mut inner, ("deals", "owner_id"), owners);
    // Grouped outside: PostgreSQL cannot match a GROUP BY expression with bound parameters to
    // the same expression in the select list.
    let stmt = Query::select()
        .columns([("w", "owner_id"), ("w", "bucket"), ("w", "currency")])
        .expr_as(count("w"), "count")
        .expr_as(sum(Expr::col(("w", "amount_minor"))), "amount_minor")
        .from_subquery(inner, "w")
        .group_by_col(("w", "owner_id"))
        .group_by_col(("w", "bucket"))
        .group_by_col(("w", "currency"))
        .to_owned();
    db.fetch_all(&stmt).await
}

/// The deals a funnel follows: those of a pipeline created in a period, optionally sliced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelFilter {
    pub pipeline_id: PipelineId,
    pub created: Period,
    pub owners: Option<Vec<UserId>>,
    pub source: Option<String>,
    /// Only deals of a company of this region (`companies.region`, matched exactly as the
    /// companies list's filter matches it); a deal without a company has none.
    pub region: Option<String>,
    /// Only deals of a company of this industry, likewise.
    pub industry: Option<String>,
}

fn cohort(stmt: &mut SelectStatement, filter: &FunnelFilter) {
    stmt.and_where(Expr::col(("deals", "pipeline_id")).eq(filter.pipeline_id.0));
    within(stmt, ("deals", "created_at"), filter.created);
    only_owners(stmt, ("deals", "owner_id"), filter.owners.as_deref());
    if let Some(source) = &filter.source {
        stmt.and_where(Expr::col(("deals", "source")).eq(source.as_str()));
    }
    for (column, value) in [("region", &filter.region), ("industry", &filter.industry)] {
        if let Some(value) = value {
            stmt.and_where(Expr::col(("deals", "company_id")).in_subquery(companies_where(column, value)));
        }
    }
}

/// `SELECT id FROM companies WHERE {column} = value`: deals carry no region or industry, their
/// company does. The companies' `(region, …)` and `(industry, …)` indexes serve it, whatever
/// the company's visibility: the funnel and the deals list select the owners' deals, not the
/// companies one sees. Shared by the funnel's slices and the deals list's filters
/// (`deals::DealFilter`), so a funnel and the list behind it select the same deals.
pub(crate) fn companies_where(column: &'static str, value: &str) -> SelectStatement {
    Query::select()
        .column(("companies", "id"))
        .from("companies")
        .and_where(Expr::col(("companies", column)).eq(value))
        .to_owned()
}

/// How many deals the funnel follows, and how many of them are won and lost now.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CohortSize {
    pub total: i64,
    pub won: i64,
    pub lost: i64,
}

pub async fn funnel_cohort(db: &Db, filter: &FunnelFilter) -> Result<CohortSize> {
    let status_is = |s: &str| {
        sum(Expr::case(Expr::col(("deals", "status")).eq(s), Expr::cust("1")).finally(Expr::cust("0")).into())
    };
    let mut stmt = Query::select();
    stmt.from("deals")
        .expr_as(count("deals"), "total")
        .expr_as(status_is("won"), "won")
        .expr_as(status_is("lost"), "lost");
    cohort(&mut stmt, filter);
    db.fetch_one(&stmt).await
}

/// Deals by the furthest stage (highest position, lost stages aside) they ever entered.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FurthestStage {
    pub position: i64,
    pub count: i64,
}

pub async fn funnel_furthest(db: &Db, filter: &FunnelFilter) -> Result<Vec<FurthestStage>> {
    // `furthest_position` is kept by a trigger on the stage history (migration 0010).
    let mut stmt = Query::select();
    stmt.from("deals")
        .expr_as(bigint(Expr::col(("deals", "furthest_position"))), "position")
        .expr_as(count("deals"), "count")
        .and_where(Expr::col(("deals", "furthest_position")).gt(0))
        .group_by_col(("deals", "furthest_position"));
    cohort(&mut stmt, filter);
    db.fetch_all(&stmt).await
}

/// Lost deals of the cohort by the stage they were lost from and the reason.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LostFrom {
    pub from_stage_id: Option<i64>,
    pub reason: Option<String>,
    pub count: i64,
}

pub async fn funnel_lost(db: &Db, filter: &FunnelFilter) -> Result<Vec<LostFrom>> {
    // `lost_from_stage_id` is kept by a trigger on the stage history (migration 0011).
    let mut stmt = Query::select();
    stmt.from("deals")
        .expr_as(Expr::col(("deals", "lost_from_stage_id")), "from_stage_id")
        .expr_as(Expr::col(("deals", "lost_reason")), "reason")
        .expr_as(count("deals"), "count")
        .and_where(Expr::col(("deals", "status")).eq("lost"))
        .group_by_col(("deals", "lost_from_stage_id"))
        .group_by_col(("deals", "lost_reason"));
    cohort(&mut stmt, filter);
    db.fetch_all(&stmt).await
}

/// Deals created in a period per source (or advertising campaign) and currency: how many came,
/// how many of them are won now and for how much.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SourceCount {
    /// `None`: no source (no campaign) written on the deal.
    pub source: Option<String>,
    pub currency: String,
    pub leads: i64,
    pub won: i64,
    pub won_minor: i64,
}

/// What the sources report groups deals by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKey {
    /// The deal's `source` (a web form writes its name there).
    Source,
    /// The `utm_campaign` of the page a web form's request came from; deals without one are
    /// left out.
    Campaign,
}

pub async fn deals_by_source(
    db: &Db,
    period: Period,
    owners: Option<&[UserId]>,
    key: SourceKey,
) -> Result<Vec<SourceCount>> {
    let column = match key {
        SourceKey::Source => ("deals", "source"),
        SourceKey::Campaign => ("deals", "utm_campaign"),
    };
    let won = || Expr::col(("deals", "status")).eq("won");
    let mut stmt = Query::select();
    stmt.from("deals")
        .expr_as(Expr::col(column), "source")
        .column(("deals", "currency"))
        .expr_as(count("deals"), "leads")
        .expr_as(sum(Expr::case(won(), Expr::cust("1")).finally(Expr::cust("0")).into()), "won")
        .expr_as(
            sum(Expr::case(won(), Expr::col(("deals", "amount_minor"))).finally(Expr::cust("0")).into()),
            "won_minor",
        )
        .group_by_col(column)
        .group_by_col(("deals", "currency"));
    if key == SourceKey::Campaign {
        stmt.and_where(Expr::col(column).is_not_null());
    }
    only_owners(&mut stmt, ("deals", "owner_id"), owners);
    within(&mut stmt, ("deals", "created_at"), period);
    db.fetch_all(&stmt).await
}
