//! "My day", the home page: what a manager has to do today (overdue and today's tasks, today's
//! calls and meetings), the deals that wait for them (no next step, stuck in their stage) and
//! the month's target; for a head of sales also the team's same figures per person, the
//! pipeline by stage and the deals won this week. Days and weeks are the organisation's.

use chrono::{Datelike, Days};
use orbita_domain::access::{Action, Area};
use orbita_domain::activity::{Activity, ActivityStatus};
use orbita_domain::deal::Deal;
use orbita_domain::list::{ActivityFilter, TaskFilter};
use orbita_domain::local_time::day_start;
use orbita_domain::month::Month;
use orbita_domain::pipeline::Stage;
use orbita_domain::task::Task;
use orbita_domain::validation::Money;
use orbita_domain::{Timestamp, UserId};
use orbita_storage::deals::{self, DealFilter};
pub use orbita_storage::my_day::OwnerFigures;
use orbita_storage::my_day::{self as store, Moments};
use orbita_storage::{Db, pipelines};

use crate::targets::{GridCell, time_zone};
use crate::{Access, AppError, setup};

/// A deal is stuck when it has been this many days in its stage.
pub const STUCK_AFTER_DAYS: u64 = 14;
/// Deals shown per list; the count says how many there are.
const SHOWN: u64 = 10;
/// Today's tasks and meetings shown (a day rarely holds more).
const TODAY_MAX: u64 = 50;

#[derive(Debug, Clone)]
pub struct MyDay {
    /// Open tasks due before the day ends, the overdue first.
    pub tasks: Vec<Task>,
    /// Planned calls and meetings of today, by time.
    pub meetings: Vec<Activity>,
    pub figures: OwnerFigures,
    pub without_next_step: Vec<Deal>,
    pub stuck: Vec<Deal>,
    /// This month's target and what was won, when the user may see targets.
    pub target: Option<GridCell>,
    pub month: Option<Month>,
    /// For someone who reports on others: the team.
    pub team: Option<Team>,
    pub now: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Team {
    pub rows: Vec<TeamRow>,
    /// The default pipeline's open stages with their counts and sums.
    pub pipeline: Vec<StageLine>,
    pub won_this_week: Vec<Deal>,
    /// Count and sum (organisation's currency; other currencies counted only).
    pub won_count: i64,
    pub won_amount: Money,
}

#[derive(Debug, Clone)]
pub struct TeamRow {
    pub user_id: UserId,
    pub name: String,
    pub figures: OwnerFigures,
    pub target: Option<GridCell>,
}

#[derive(Debug, Clone)]
pub struct StageLine {
    pub stage: Stage,
    pub count: i64,
    pub amount: Money,
}

pub async fn load(db: &Db, access: &Access, now: Timestamp) -> Result<MyDay, AppError> {
    let settings = setup::settings(db).await?;
    let (tz, currency) = (time_zone(&settings), settings.currency);
    let today = now.with_timezone(&tz).date_naive();
    let day_end = day_start(today + Days::new(1), &tz);
    let week_start = day_start(today - Days::new(u64::from(today.weekday().num_days_from_monday())), &tz);
    let stuck_before = day_start(today - Days::new(STUCK_AFTER_DAYS), &tz);
    let at = Moments { now, day_end, stuck_before };
    let me = access.user_id();
    let mine = [me];

    let tasks = crate::tasks::list(
        db,
        access,
        &TaskFilter {
            assignee_ids: Some(vec![me]),
            done: Some(false),
            due_before: Some(day_end),
            ..Default::default()
        },
        None,
        TODAY_MAX,
    )
    .await?
    .items;
    let mut meetings = crate::activities::list(
        db,
        access,
        &ActivityFilter {
            status: Some(ActivityStatus::Planned),
            responsible_ids: Some(vec![me]),
            from: Some(day_start(today, &tz)),
            to: Some(day_end),
            ..Default::default()
        },
        None,
        TODAY_MAX,
    )
    .await?
    .items;
    meetings.reverse();
    let figures =
        store::figures(db, Some(&mine), at).await?.pop().unwrap_or_else(|| OwnerFigures::nothing(me));
    let without_next_step = store::without_next_step(db, Some(&mine), SHOWN).await?;
    let stuck = store::stuck(db, Some(&mine), stuck_before, SHOWN).await?;

    let month = Month::of(today);
    let grid = match month {
        Some(month) if access.can(Area::Reports, Action::View) => {
            Some(crate::targets::grid(db, access, month, month).await?)
        }
        _ => None,
    };
    let target = grid
        .as_ref()
        .and_then(|g| g.rows.iter().find(|r| r.user_id == me))
        .and_then(|r| r.cells.first().cloned());
    let team = match grid.filter(|g| g.rows.iter().any(|r| r.user_id != me)) {
        Some(grid) => {
            let owners: Vec<UserId> = grid.rows.iter().map(|r| r.user_id).collect();
            let counted = store::figures(db, Some(&owners), at).await?;
            let rows = grid
                .rows
                .into_iter()
                .map(|row| TeamRow {
                    figures: counted
                        .iter()
                        .find(|f| f.owner_id == row.user_id)
                        .cloned()
                        .unwrap_or_else(|| OwnerFigures::nothing(row.user_id)),
                    target: row.cells.into_iter().next(),
                    user_id: row.user_id,
                    name: row.name,
                })
                .collect();
            let won = store::won_totals(db, Some(&owners), week_start).await?;
            Some(Team {
                rows,
                pipeline: pipeline(db, access, currency).await?,
                won_this_week: store::won_since(db, Some(&owners), week_start, SHOWN).await?,
                won_count: won.iter().map(|(_, count, _)| count).sum(),
                won_amount: Money::from_minor(
                    won.iter().filter(|(c, _, _)| c == currency.as_str()).map(|(_, _, sum)| sum).sum(),
                    currency,
                ),
            })
        }
        None => None,
    };
    Ok(MyDay { tasks, meetings, figures, without_next_step, stuck, target, month, team, now })
}

/// The default pipeline's open stages, counted over the deals the user may see.
async fn pipeline(
    db: &Db,
    access: &Access,
    currency: orbita_domain::validation::Currency,
) -> Result<Vec<StageLine>, AppError> {
    let Some(pipeline) = pipelines::list(db).await?.into_iter().find(|p| p.is_default) else {
        return Ok(Vec::new());
    };
    let visible = access.visibility(Area::Deals, Action::View)?;
    let totals = deals::stage_totals(
        db,
        &DealFilter { visible, pipeline_id: Some(pipeline.id), ..Default::default() },
    )
    .await?;
    let stages = pipelines::stages(db).await?;
    Ok(stages
        .into_iter()
        .filter(|s| s.pipeline_id == pipeline.id && s.kind == orbita_domain::pipeline::StageKind::Open)
        .map(|stage| {
            let here = totals.iter().filter(|t| t.stage_id == stage.id.0);
            let count = here.clone().map(|t| t.count).sum();
            let amount = here.filter(|t| t.currency == currency.as_str()).map(|t| t.amount_minor).sum();
            StageLine { stage, count, amount: Money::from_minor(amount, currency) }
        })
        .collect())
}
