//! The durable job queue in one table: enqueue inside the write that asks for the work,
//! claim what is due with a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so several instances
//! never take the same job; SQLite's writes take turns), then finish, fail or release it.

use orbita_domain::Timestamp;
use orbita_domain::job::{Job, JobState};
use sea_query::{
    Cond, Expr, ExprTrait, LockBehavior, LockType, OnConflict, Order, Query, ReturningClause, SelectStatement,
};

use crate::db::{Backend, Db, Tx};
use crate::error::Result;
use crate::values::corrupt;
use crate::values::table_row;

const TABLE: &str = "jobs";

table_row! {
    struct JobRow {
        id: i64,
        kind: String,
        payload: String,
        state: String,
        run_at: Timestamp,
        attempts: i64,
        max_attempts: i64,
        last_error: Option<String>,
        locked_by: Option<String>,
        locked_until: Option<Timestamp>,
        created_at: Timestamp,
        updated_at: Timestamp,
        finished_at: Option<Timestamp>,
        #[expect(dead_code, reason = "selected with the rest; a firing's key is only ever matched in SQL")]
        unique_key: Option<String>,
    }
}

impl TryFrom<JobRow> for Job {
    type Error = crate::error::StorageError;

    fn try_from(r: JobRow) -> Result<Job> {
        Ok(Job {
            id: r.id,
            kind: r.kind,
            payload: r.payload,
            state: JobState::parse(&r.state).ok_or_else(|| corrupt(format!("job state {:?}", r.state)))?,
            run_at: r.run_at,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            last_error: r.last_error,
            locked_by: r.locked_by,
            locked_until: r.locked_until,
            created_at: r.created_at,
            updated_at: r.updated_at,
            finished_at: r.finished_at,
        })
    }
}

fn jobs(rows: Vec<JobRow>) -> Result<Vec<Job>> {
    rows.into_iter().map(Job::try_from).collect()
}

/// Work to queue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: &'a str,
    pub run_at: Timestamp,
    pub max_attempts: i64,
    /// At most one job ever holds a key: a second with the same key is not queued.
    pub unique_key: Option<&'a str>,
}

/// Queues a job inside the caller's write; `None` when its `unique_key` is taken.
pub async fn enqueue(tx: &mut Tx, job: &NewJob<'_>, now: Timestamp) -> Result<Option<i64>> {
    let stmt = Query::insert()
        .into_table(TABLE)
        .columns([
            "kind",
            "payload",
            "state",
            "run_at",
            "max_attempts",
            "unique_key",
            "created_at",
            "updated_at",
        ])
        .values_panic([
            job.kind.into(),
            job.payload.into(),
            JobState::Queued.as_str().into(),
            job.run_at.into(),
            job.max_attempts.into(),
            job.unique_key.map(str::to_owned).into(),
            now.into(),
            now.into(),
        ])
        .on_conflict(OnConflict::column("unique_key").do_nothing().to_owned())
        .returning_col("id")
        .to_owned();
    let id: Option<(i64,)> = tx.fetch_optional(&stmt).await?;
    Ok(id.map(|(id,)| id))
}

/// Leases up to `limit` due jobs to `worker` until `lease_until`: queued and failed ones whose
/// time has come, and running ones whose worker lost its lease. Each claim counts an attempt.
pub async fn claim(
    db: &Db,
    worker: &str,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u64,
) -> Result<Vec<Job>> {
    claim_in_lane(db, worker, Lane::All, now, lease_until, limit).await
}

/// Which kinds of job a worker's loop takes: a long kind (an export, minutes of work) runs in
/// a lane of its own so that it never holds back the short ones queued behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane<'a> {
    All,
    Only(&'a str),
    Except(&'a str),
}

/// [`claim`] for the jobs of one lane: the waiting jobs that are due, oldest first, then the
/// jobs whose worker's lease ran out. Two reads, not one with an OR: the waiting ones are read
/// in order through `jobs_waiting` (an ordered index scan, which on PostgreSQL marks the
/// entries of jobs already taken as dead as it passes them; a bitmap scan of both states
/// re-read every stale entry at each claim, 11 ms at 23,000 of them after a burst).
pub async fn claim_in_lane(
    db: &Db,
    worker: &str,
    lane: Lane<'_>,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u64,
) -> Result<Vec<Job>> {
    let waiting = waiting_at(now);
    let lapsed = Cond::all()
        .add(Expr::col("state").eq(JobState::Running.as_str()))
        .add(Expr::col("locked_until").lt(now));
    // Each claim is one statement, committed as it runs: its own atomicity is all a claim
    // needs, and a transaction around it would cost two more round trips a batch.
    let mut claimed = Vec::new();
    for (due, order) in [(waiting, "run_at"), (lapsed, "locked_until")] {
        let left = limit.saturating_sub(claimed.len() as u64);
        if left == 0 {
            break;
        }
        let due = match lane {
            Lane::All => due,
            Lane::Only(kind) => due.add(Expr::col("kind").eq(kind)),
            Lane::Except(kind) => due.add(Expr::col("kind").ne(kind)),
        };
        let mut pick = Query::select();
        pick.column("id").from(TABLE).cond_where(due).order_by(order, Order::Asc).order_by("id", Order::Asc);
        pick.limit(left);
        if db.backend() == Backend::Postgres {
            pick.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let stmt = Query::update()
            .table(TABLE)
            .value("state", JobState::Running.as_str())
            .value("locked_by", worker)
            .value("locked_until", lease_until)
            .value("attempts", Expr::col("attempts").add(1))
            .value("updated_at", now)
            .and_where(Expr::col("id").in_subquery(pick))
            .returning(ReturningClause::Columns(COLUMNS.iter().map(|c| (*c).into()).collect()))
            .to_owned();
        claimed.extend(db.write_returning::<JobRow>(&stmt).await?);
    }
    let mut claimed = jobs(claimed)?;
    claimed.sort_by_key(|j| (j.run_at, j.id));
    Ok(claimed)
}

fn leased(id: i64, worker: &str) -> Cond {
    Cond::all()
        .add(Expr::col("id").eq(id))
        .add(Expr::col("state").eq(JobState::Running.as_str()))
        .add(Expr::col("locked_by").eq(worker))
}

/// The job is done; `false` when `worker` no longer held it (its lease ran out and another
/// took it).
pub async fn finish(db: &Db, id: i64, worker: &str, now: Timestamp) -> Result<bool> {
    Ok(finish_all(db, &[id], worker, now).await? == 1)
}

/// The jobs `ids` are done, in one write: a batch's outcomes cost one commit, not one each.
/// Returns how many `worker` still held (the others' leases ran out and another took them).
pub async fn finish_all(db: &Db, ids: &[i64], worker: &str, now: Timestamp) -> Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let held = Cond::all()
        .add(Expr::col("id").is_in(ids.iter().copied()))
        .add(Expr::col("state").eq(JobState::Running.as_str()))
        .add(Expr::col("locked_by").eq(worker));
    let stmt = Query::update()
        .table(TABLE)
        .value("state", JobState::Done.as_str())
        .value("locked_by", Option::<String>::None)
        .value("locked_until", Option::<Timestamp>::None)
        .value("updated_at", now)
        .value("finished_at", now)
        .cond_where(held)
        .to_owned();
    db.execute(&stmt).await
}

/// The attempt failed with `error`: the job waits until `retry_at`, or is dead without one.
pub async fn fail(
    db: &Db,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<bool> {
    let mut stmt = Query::update();
    stmt.table(TABLE)
        .value("last_error", error)
        .value("locked_by", Option::<String>::None)
        .value("locked_until", Option::<Timestamp>::None)
        .value("updated_at", now)
        .cond_where(leased(id, worker));
    match retry_at {
        Some(at) => stmt.value("state", JobState::Failed.as_str()).value("run_at", at),
        None => stmt.value("state", JobState::Dead.as_str()).value("finished_at", now),
    };
    let mut tx = db.begin().await?;
    let touched = tx.execute(&stmt).await?;
    tx.commit().await?;
    Ok(touched == 1)
}

/// A long job (an export) still at work keeps its lease to `until`; `false` when `worker` no
/// longer holds it.
pub async fn extend_lease(db: &Db, id: i64, worker: &str, until: Timestamp, now: Timestamp) -> Result<bool> {
    let stmt = Query::update()
        .table(TABLE)
        .value("locked_until", until)
        .value("updated_at", now)
        .cond_where(leased(id, worker))
        .to_owned();
    let mut tx = db.begin().await?;
    let touched = tx.execute(&stmt).await?;
    tx.commit().await?;
    Ok(touched == 1)
}

/// Hands back what `worker` still holds (it is stopping): queued again, the attempt not
/// counted.
pub async fn release(db: &Db, worker: &str, now: Timestamp) -> Result<u64> {
    let stmt = Query::update()
        .table(TABLE)
        .value("state", JobState::Queued.as_str())
        .value("attempts", Expr::col("attempts").sub(1))
        .value("locked_by", Option::<String>::None)
        .value("locked_until", Option::<Timestamp>::None)
        .value("updated_at", now)
        .and_where(Expr::col("state").eq(JobState::Running.as_str()))
        .and_where(Expr::col("locked_by").eq(worker))
        .to_owned();
    let mut tx = db.begin().await?;
    let released = tx.execute(&stmt).await?;
    tx.commit().await?;
    Ok(released)
}

/// A dead or failed job queued again now, with its attempts counted afresh; `false` for a job
/// in any other state.
pub async fn retry(tx: &mut Tx, id: i64, now: Timestamp) -> Result<bool> {
    let stmt = Query::update()
        .table(TABLE)
        .value("state", JobState::Queued.as_str())
        .value("attempts", 0)
        .value("run_at", now)
        .value("finished_at", Option::<Timestamp>::None)
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("state").is_in([JobState::Dead.as_str(), JobState::Failed.as_str()]))
        .to_owned();
    Ok(tx.execute(&stmt).await? == 1)
}

fn select() -> SelectStatement {
    Query::select().columns(COLUMNS).from(TABLE).to_owned()
}

/// How many jobs are in each state.
pub async fn count_by_state(db: &Db) -> Result<Vec<(JobState, i64)>> {
    let stmt = Query::select()
        .column("state")
        .expr(Expr::col("id").count())
        .from(TABLE)
        .group_by_col("state")
        .to_owned();
    let rows: Vec<(String, i64)> = db.fetch_all(&stmt).await?;
    rows.into_iter()
        .map(|(state, n)| {
            Ok((JobState::parse(&state).ok_or_else(|| corrupt(format!("job state {state:?}")))?, n))
        })
        .collect()
}

/// Whether any job waits to be claimed at `now` (queued or failed, due): one entry of
/// `jobs_waiting`, however long the queue (a count of it would read every entry).
pub async fn any_waiting(db: &Db, now: Timestamp) -> Result<bool> {
    let stmt = Query::select().column("id").from(TABLE).cond_where(waiting_at(now)).limit(1).to_owned();
    Ok(db.fetch_optional::<(i64,)>(&stmt).await?.is_some())
}

/// Jobs waiting to be claimed at `now`: queued or failed, their time come (`jobs_waiting`).
fn waiting_at(now: Timestamp) -> Cond {
    Cond::all()
        .add(Expr::col("state").is_in([JobState::Queued.as_str(), JobState::Failed.as_str()]))
        .add(Expr::col("run_at").lte(now))
}

/// Whether any job is leased to a worker: one entry of `jobs_lease`.
pub async fn any_running(db: &Db) -> Result<bool> {
    let stmt = Query::select()
        .column("id")
        .from(TABLE)
        .and_where(Expr::col("state").eq(JobState::Running.as_str()))
        .limit(1)
        .to_owned();
    Ok(db.fetch_optional::<(i64,)>(&stmt).await?.is_some())
}

/// Deletes the jobs done before `before`: their work is recorded where it was done.
pub async fn purge_done(db: &Db, before: Timestamp) -> Result<u64> {
    let stmt = Query::delete()
        .from_table(TABLE)
        .and_where(Expr::col("state").eq(JobState::Done.as_str()))
        .and_where(Expr::col("finished_at").lt(before))
        .to_owned();
    let mut tx = db.begin().await?;
    let deleted = tx.execute(&stmt).await?;
    tx.commit().await?;
    Ok(deleted)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Job>> {
    let row = db.fetch_optional::<JobRow>(&select().and_where(Expr::col("id").eq(id)).to_owned()).await?;
    row.map(Job::try_from).transpose()
}

/// The jobs in `states`, newest first.
pub async fn list(db: &Db, states: &[JobState], limit: u64) -> Result<Vec<Job>> {
    let stmt = select()
        .and_where(Expr::col("state").is_in(states.iter().map(|s| s.as_str())))
        .order_by("id", Order::Desc)
        .limit(limit)
        .to_owned();
    jobs(db.fetch_all::<JobRow>(&stmt).await?)
}
