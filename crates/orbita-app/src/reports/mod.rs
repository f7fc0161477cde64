//! The summary report (сводный отчёт) and the funnel: figures per employee and in total for a
//! period of the organisation's calendar. A handful of GROUP BY queries per report, whatever
//! the head count, and every figure can be opened as the list it counts
//! ([`SummaryReport::drill`]).
//!
//! Whose figures: the Reports/View scope (own, group, all), optionally narrowed to one group;
//! deals, tasks and activities are counted for exactly that set of users.
//! Money: the organisation's currency. Won and open deals in other currencies are never added
//! to it (there is no exchange rate to do it honestly); they are listed per currency in
//! `won_other` and `open_other`. Counts (won, lost, conversion) include every currency.

mod sources;

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use orbita_domain::activity::{ActivityKind, ActivityStatus};
use orbita_domain::deal::DealStatus;
use orbita_domain::pipeline::{Stage, StageKind};
use orbita_domain::validation::{Currency, Money};
use orbita_domain::{GroupId, PipelineId, Timestamp, UserId};
use orbita_storage::activities::ActivityFilter;
use orbita_storage::deals::DealFilter;
use orbita_storage::reports::{self as aggregates, FunnelFilter, Period};
use orbita_storage::targets::{self as target_store, Month};
use orbita_storage::tasks::TaskFilter;
use orbita_storage::{Db, pipelines};
use rust_decimal::Decimal;

// The calendar (time zone, periods, whose figures) is shared with targets and exports.
use crate::targets as calendar;
use crate::{Access, AppError};

pub use sources::{SourceLine, SourcesParams, SourcesReport, sources};

/// A report's period when the request names none, in whole days of the organisation's
/// calendar, both ends included (as the pages' and the API's `from` and `to`). The one place
/// the defaults live, so a page, its file and the API's JSON and files show the same period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultPeriod {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl DefaultPeriod {
    /// The summary report: the month of `today`, the unit its targets are set in.
    pub fn summary(today: NaiveDate) -> DefaultPeriod {
        let first = today.with_day(1).unwrap_or(today);
        DefaultPeriod { first, last: Self::last_day(first, 1) }
    }

    /// The funnel: the year of `today`. A cohort of a month is mostly still open, so its
    /// conversions say little; a year's deals have had time to move through the stages.
    pub fn funnel(today: NaiveDate) -> DefaultPeriod {
        let first = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        DefaultPeriod { first, last: Self::last_day(first, 12) }
    }

    /// The last day of the `months` months starting at `first`.
    fn last_day(first: NaiveDate, months: u32) -> NaiveDate {
        first.checked_add_months(Months::new(months)).and_then(|d| d.pred_opt()).unwrap_or(first)
    }
}

/// A period of whole days, `from` included and `to` excluded, in the organisation's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group: Option<GroupId>,
}

/// One employee's figures, or the total (`user_id: None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub user_id: Option<UserId>,
    pub name: String,
    pub deals_created: i64,
    /// Won in the period (by `closed_at`), any currency.
    pub won_count: i64,
    /// Won in the organisation's currency: the "actual" against the target.
    pub won_amount: Money,
    pub won_other: Vec<Money>,
    pub lost_count: i64,
    /// The most frequent reasons, most frequent first (at most five); "" when none was given.
    pub lost_reasons: Vec<(String, i64)>,
    /// Open deals now, whatever their age.
    pub open_count: i64,
    pub open_amount: Money,
    /// Σ amount × probability / 100 over open deals, rounded once to the kopeck.
    pub forecast: Money,
    pub open_other: Vec<Money>,
    /// won / (won + lost), as a fraction with four decimals (0.4235 is 42.35 %).
    pub conversion: Option<Decimal>,
    /// The organisation-currency won amount over the deals won in it, to the kopeck.
    pub average_won: Option<Money>,
    pub calls: i64,
    pub meetings: i64,
    pub tasks_done: i64,
    pub tasks_open: i64,
    pub tasks_overdue: i64,
    /// The sum of the monthly targets of `SummaryReport::target_months`.
    pub target: Option<Money>,
    /// `won_amount / target`, a fraction with four decimals.
    pub target_percent: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `from`..`to` as instants: the boundaries every figure and drill uses.
    pub period: Period,
    pub currency: Currency,
    /// The "now" of the open and overdue task counts.
    pub generated_at: Timestamp,
    /// The calendar months the period touches: their targets make the target column.
    pub target_months: Vec<Month>,
    /// The owners counted; `None`: everyone (scope all, no group).
    pub owners: Option<Vec<UserId>>,
    pub rows: Vec<SummaryRow>,
    pub total: SummaryRow,
}

/// A figure of the summary report that has a list behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Figure {
    DealsCreated,
    Won,
    Lost,
    Open,
    Calls,
    Meetings,
    TasksDone,
    TasksOpen,
    TasksOverdue,
}

/// The list, and its filter, that reproduces a figure: the web layer turns it into the list's
/// URL. Amounts, averages and the forecast open the list of their count (`Won`, `Open`).
#[derive(Debug, Clone)]
pub enum Drill {
    Deals(DealFilter),
    Activities(ActivityFilter),
    Tasks(TaskDrill),
}

/// Tasks' list filter has no range of completion times: the done-in-period figure needs one.
#[derive(Debug, Clone, Default)]
pub struct TaskDrill {
    pub filter: TaskFilter,
    pub done_from: Option<Timestamp>,
    pub done_to: Option<Timestamp>,
}

impl SummaryReport {
    /// The filter of the list behind a figure of an employee's row (`Some(user)`) or of the
    /// total (`None`).
    pub fn drill(&self, user: Option<UserId>, figure: Figure) -> Drill {
        let owners = match user {
            Some(user) => Some(vec![user]),
            None => self.owners.clone(),
        };
        let Period { from, to } = self.period;
        let deals = |status, closed: bool| DealFilter {
            status,
            owner_ids: owners.clone(),
            created_from: (!closed && status.is_none()).then_some(from),
            created_to: (!closed && status.is_none()).then_some(to),
            closed_from: closed.then_some(from),
            closed_to: closed.then_some(to),
            ..Default::default()
        };
        let activities = |kind| ActivityFilter {
            kind: Some(kind),
            status: Some(ActivityStatus::Done),
            responsible_ids: owners.clone(),
            from: Some(from),
            to: Some(to),
            ..Default::default()
        };
        let tasks = |done, due_before| TaskFilter {
            assignee_ids: owners.clone(),
            done,
            due_before,
            ..Default::default()
        };
        match figure {
            Figure::DealsCreated => Drill::Deals(deals(None, false)),
            Figure::Won => Drill::Deals(deals(Some(DealStatus::Won), true)),
            Figure::Lost => Drill::Deals(deals(Some(DealStatus::Lost), true)),
            Figure::Open => Drill::Deals(deals(Some(DealStatus::Open), false)),
            Figure::Calls => Drill::Activities(activities(ActivityKind::Call)),
            Figure::Meetings => Drill::Activities(activities(ActivityKind::Meeting)),
            Figure::TasksDone => Drill::Tasks(TaskDrill {
                filter: tasks(Some(true), None),
                done_from: Some(from),
                done_to: Some(to),
            }),
            Figure::TasksOpen => {
                Drill::Tasks(TaskDrill { filter: tasks(Some(false), None), ..Default::default() })
            }
            Figure::TasksOverdue => Drill::Tasks(TaskDrill {
                filter: tasks(Some(false), Some(self.generated_at)),
                ..Default::default()
            }),
        }
    }
}

/// The summary report for a period, per employee the user may see and in total.
pub async fn summary(db: &Db, access: &Access, params: &SummaryParams) -> Result<SummaryReport, AppError> {
    let staff = calendar::staff(db, access, params.group).await?;
    let settings = crate::setup::settings(db).await?;
    let tz = calendar::time_zone(&settings);
    let period = calendar::period(params.from, params.to, tz)?;
    let currency = settings.currency;
    let now = orbita_domain::now();
    let owners = staff.filter.as_deref();

    let mut tallies: BTreeMap<i64, Tally> = BTreeMap::new();
    for row in aggregates::deals_created(db, period, owners).await? {
        tallies.entry(row.owner_id).or_default().created = row.count;
    }
    for row in aggregates::deals_won(db, period, owners).await? {
        tallies.entry(row.owner_id).or_default().add_won(
            &row.currency,
            currency,
            row.count,
            row.amount_minor,
        );
    }
    for row in aggregates::deals_lost(db, period, owners).await? {
        let tally = tallies.entry(row.owner_id).or_default();
        tally.lost += row.count;
        *tally.lost_reasons.entry(row.reason.unwrap_or_default()).or_default() += row.count;
    }
    for row in aggregates::open_pipeline(db, owners).await? {
        tallies.entry(row.owner_id).or_default().add_open(&row, currency);
    }
    let kinds = [ActivityKind::Call, ActivityKind::Meeting];
    for row in aggregates::activities_done(db, period, owners, &kinds).await? {
        let tally = tallies.entry(row.responsible_id).or_default();
        match ActivityKind::parse(&row.kind) {
            Some(ActivityKind::Call) => tally.calls += row.count,
            _ => tally.meetings += row.count,
        }
    }
    for row in aggregates::task_counts(db, period, owners, now).await? {
        let tally = tallies.entry(row.assignee_id).or_default();
        (tally.tasks_done, tally.tasks_open, tally.tasks_overdue) = (row.done, row.open, row.overdue);
    }
    let last_day = params.to.checked_sub_days(Days::new(1)).unwrap_or(params.to);
    let (first, last) = (calendar::month_of(params.from)?, calendar::month_of(last_day)?);
    for target in target_store::list(db, first, last, owners).await? {
        if target.amount.currency == currency {
            let tally = tallies.entry(target.user_id.0).or_default();
            tally.target_minor = Some(tally.target_minor.unwrap_or(0) + target.amount.to_minor());
        }
    }

    let mut total = Tally::default();
    let mut rows = Vec::new();
    for user in &staff.users {
        let tally = tallies.remove(&user.id.0).unwrap_or_default();
        total.add(&tally);
        if user.is_active || !tally.is_empty() {
            rows.push(tally.row(Some(user.id), user.name.clone(), currency));
        }
    }
    Ok(SummaryReport {
        from: params.from,
        to: params.to,
        period,
        currency,
        generated_at: now,
        target_months: first.through(last),
        owners: staff.filter.clone(),
        rows,
        total: total.row(None, String::new(), currency),
    })
}

/// Which deals the funnel follows: those of a pipeline created in the period, optionally of
/// one owner, of one group, from one source, or of companies of one region or industry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelParams {
    pub pipeline_id: PipelineId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub owner: Option<UserId>,
    pub group: Option<GroupId>,
    pub source: Option<String>,
    /// The deal's company's region, as written on the company (exact match).
    pub region: Option<String>,
    /// The deal's company's industry, likewise.
    pub industry: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelStage {
    pub stage: Stage,
    /// Deals of the cohort that entered this stage or a later one (skipping counts as passing).
    pub reached: i64,
    /// `reached` over the previous stage's `reached`, a fraction with four decimals.
    pub from_previous: Option<Decimal>,
    /// `reached` over the cohort.
    pub from_start: Option<Decimal>,
    /// Deals of the cohort lost now whose last stage before the lost one was this one.
    pub lost_here: i64,
    pub lost_reasons: Vec<(String, i64)>,
}

/// The funnel of a cohort: the deals created in the period. Each stage counts the deals that
/// ever reached it (by their stage history, up to now), so the numbers only fall from stage to
/// stage, and a deal counts in the period it entered the pipeline however long it takes.
#[derive(Debug, Clone)]
pub struct Funnel {
    pub period: Period,
    pub deals: i64,
    pub won: i64,
    pub lost: i64,
    /// The open and won stages, in pipeline order; lost deals appear in `lost_here`.
    pub stages: Vec<FunnelStage>,
    /// Lost deals whose previous stage is unknown (created straight into a lost stage).
    pub lost_elsewhere: i64,
    /// The cohort as a list filter: the deals list selects exactly the deals the funnel counts
    /// (the region and industry slices too, by the deal's company).
    pub cohort: DealFilter,
}

pub async fn funnel(db: &Db, access: &Access, params: &FunnelParams) -> Result<Funnel, AppError> {
    let staff = calendar::staff(db, access, params.group).await?;
    let tz = calendar::time_zone(&crate::setup::settings(db).await?);
    let period = calendar::period(params.from, params.to, tz)?;
    let owners = match (params.owner, staff.filter) {
        (Some(owner), Some(visible)) => Some(visible.into_iter().filter(|u| *u == owner).collect()),
        (Some(owner), None) => Some(vec![owner]),
        (None, visible) => visible,
    };
    let filter = FunnelFilter {
        pipeline_id: params.pipeline_id,
        created: period,
        owners,
        source: params.source.clone(),
        region: params.region.clone(),
        industry: params.industry.clone(),
    };
    let stages: Vec<Stage> =
        pipelines::stages(db).await?.into_iter().filter(|s| s.pipeline_id == params.pipeline_id).collect();
    if stages.is_empty() {
        return Err(AppError::NotFound);
    }
    let cohort = aggregates::funnel_cohort(db, &filter).await?;
    let furthest = aggregates::funnel_furthest(db, &filter).await?;
    let lost = aggregates::funnel_lost(db, &filter).await?;
    let mut lost_elsewhere = 0;
    for row in &lost {
        if !stages.iter().any(|s| Some(s.id.0) == row.from_stage_id) {
            lost_elsewhere += row.count;
        }
    }
    let mut previous: Option<i64> = None;
    let mut funnel_stages = Vec::new();
    for stage in stages.into_iter().filter(|s| s.kind != StageKind::Lost) {
        let position = i64::from(stage.position);
        let reached: i64 = furthest.iter().filter(|f| f.position >= position).map(|f| f.count).sum();
        let mut reasons = BTreeMap::new();
        for row in lost.iter().filter(|l| l.from_stage_id == Some(stage.id.0)) {
            *reasons.entry(row.reason.clone().unwrap_or_default()).or_default() += row.count;
        }
        funnel_stages.push(FunnelStage {
            reached,
            from_previous: previous.and_then(|p| calendar::fraction(reached, p)),
            from_start: calendar::fraction(reached, cohort.total),
            lost_here: reasons.values().sum(),
            lost_reasons: calendar::top(reasons),
            stage,
        });
        previous = Some(reached);
    }
    Ok(Funnel {
        period,
        deals: cohort.total,
        won: cohort.won,
        lost: cohort.lost,
        stages: funnel_stages,
        lost_elsewhere,
        cohort: DealFilter {
            pipeline_id: Some(filter.pipeline_id),
            owner_ids: filter.owners,
            source: filter.source,
            region: filter.region,
            industry: filter.industry,
            created_from: Some(period.from),
            created_to: Some(period.to),
            ..Default::default()
        },
    })
}

/// One employee's (or the total's) raw figures, before they become a row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Tally {
    created: i64,
    won: i64,
    /// Won in the organisation's currency: how many and how much.
    won_home: i64,
    won_minor: i64,
    won_other: BTreeMap<String, i64>,
    lost: i64,
    lost_reasons: BTreeMap<String, i64>,
    open: i64,
    open_minor: i64,
    weighted_x100: i64,
    open_other: BTreeMap<String, i64>,
    calls: i64,
    meetings: i64,
    tasks_done: i64,
    tasks_open: i64,
    tasks_overdue: i64,
    target_minor: Option<i64>,
}

fn merge(into: &mut BTreeMap<String, i64>, from: &BTreeMap<String, i64>) {
    for (key, value) in from {
        *into.entry(key.clone()).or_default() += value;
    }
}

/// Amounts in currencies other than the organisation's, one `Money` per currency.
fn other_money(amounts: BTreeMap<String, i64>) -> Vec<Money> {
    amounts
        .into_iter()
        .filter_map(|(code, minor)| Currency::parse(&code).ok().map(|c| Money::from_minor(minor, c)))
        .collect()
}

impl Tally {
    fn add_won(&mut self, code: &str, home: Currency, count: i64, minor: i64) {
        self.won += count;
        if code == home.as_str() {
            self.won_home += count;
            self.won_minor += minor;
        } else {
            *self.won_other.entry(code.to_owned()).or_default() += minor;
        }
    }

    fn add_open(&mut self, row: &aggregates::OpenPipeline, home: Currency) {
        self.open += row.count;
        if row.currency == home.as_str() {
            self.open_minor += row.amount_minor;
            self.weighted_x100 += row.weighted_x100;
        } else {
            *self.open_other.entry(row.currency.clone()).or_default() += row.amount_minor;
        }
    }

    fn add(&mut self, other: &Tally) {
        for (mine, theirs) in [
            (&mut self.created, other.created),
            (&mut self.won, other.won),
            (&mut self.won_home, other.won_home),
            (&mut self.won_minor, other.won_minor),
            (&mut self.lost, other.lost),
            (&mut self.open, other.open),
            (&mut self.open_minor, other.open_minor),
            (&mut self.weighted_x100, other.weighted_x100),
            (&mut self.calls, other.calls),
            (&mut self.meetings, other.meetings),
            (&mut self.tasks_done, other.tasks_done),
            (&mut self.tasks_open, other.tasks_open),
            (&mut self.tasks_overdue, other.tasks_overdue),
        ] {
            *mine += theirs;
        }
        merge(&mut self.won_other, &other.won_other);
        merge(&mut self.lost_reasons, &other.lost_reasons);
        merge(&mut self.open_other, &other.open_other);
        if let Some(target) = other.target_minor {
            self.target_minor = Some(self.target_minor.unwrap_or(0) + target);
        }
    }

    fn is_empty(&self) -> bool {
        *self == Tally::default()
    }

    fn row(self, user_id: Option<UserId>, name: String, currency: Currency) -> SummaryRow {
        let money = |minor| Money::from_minor(minor, currency);
        SummaryRow {
            user_id,
            name,
            deals_created: self.created,
            won_count: self.won,
            won_amount: money(self.won_minor),
            won_other: other_money(self.won_other),
            lost_count: self.lost,
            lost_reasons: calendar::top(self.lost_reasons),
            open_count: self.open,
            open_amount: money(self.open_minor),
            forecast: money(calendar::div_round(self.weighted_x100, 100)),
            open_other: other_money(self.open_other),
            conversion: calendar::fraction(self.won, self.won + self.lost),
            average_won: (self.won_home > 0)
                .then(|| money(calendar::div_round(self.won_minor, self.won_home))),
            calls: self.calls,
            meetings: self.meetings,
            tasks_done: self.tasks_done,
            tasks_open: self.tasks_open,
            tasks_overdue: self.tasks_overdue,
            target: self.target_minor.map(money),
            target_percent: self.target_minor.and_then(|t| calendar::fraction(self.won_minor, t)),
        }
    }
}
