//! The durable job queue at work: what a job may do (`Work`), queuing it inside the write that
//! asks for it, and the worker every `orbita serve` (and `orbita worker`) runs: it claims
//! what is due, does it, and records the outcome; a failure waits with a growing pause and
//! after the last attempt the job is dead until an administrator retries it.

use std::future::Future;
use std::time::Duration as StdDuration;

use chrono::Duration;
use orbita_domain::job::{self, Job};
use orbita_domain::{Timestamp, now};
use orbita_storage::jobs::{self as store, Lane, NewJob};
use orbita_storage::{Db, Tx, custom_fields};
use serde::{Deserialize, Serialize};

use orbita_domain::FieldError;
use orbita_domain::access::{Action, Area};
use orbita_domain::audit::AuditAction;
use orbita_domain::job::JobState;

use crate::webhooks::Outbound;
use crate::{Access, AppError, audit_trail};

/// Attempts before a job is dead.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a worker holds a job; one that dies keeps it no longer, and a job that takes longer
/// is stopped and counted as failed.
pub const LEASE: Duration = Duration::minutes(10);
/// Jobs claimed at a time by one worker.
const BATCH: u64 = 20;
/// How long a batch runs before the jobs it has done are recorded without waiting for the rest.
const FLUSH_AFTER: StdDuration = StdDuration::from_secs(30);
/// How often an idle worker looks for due jobs.
const POLL: StdDuration = StdDuration::from_secs(2);
/// How long a done job is kept, and how often a worker deletes older ones.
const KEEP_DONE: Duration = Duration::days(7);
const PURGE_EVERY: StdDuration = StdDuration::from_secs(600);
/// How often a worker looks for tasks that fell overdue and digests that are due.
const SCAN_EVERY: StdDuration = StdDuration::from_secs(60);

/// What a job does: stored as its kind and a JSON payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Work {
    /// Build an indexed custom field's indexes (on PostgreSQL without holding writes back).
    CustomFieldIndexes { field_id: i64 },
    /// Run an automation rule for an event of a deal (`event` names it: `stage-7@<micros>`);
    /// `chain`: how many rules' moves led to the event (0: a person's change).
    Automation {
        rule_id: i64,
        deal_id: i64,
        event: String,
        #[serde(default)]
        chain: u32,
    },
    /// Deliver an event to a webhook.
    Webhook { webhook_id: i64, event: String, occurred_at: String, data: serde_json::Value },
    /// E-mail a user the notifications waiting for their batch.
    NotificationMail { user_id: i64 },
    /// E-mail a user their digest of `day` (`2026-12-07`, in the organisation's time zone).
    Digest { user_id: i64, day: String },
    /// Write the file of a background export (`export_jobs`), in the language it was asked in.
    Export { export_id: i64, locale: String },
}

/// The kind of the export jobs, which run in a lane of their own.
pub const EXPORT_KIND: &str = "export";

/// A job as held by its worker: a long one keeps its lease while it works.
#[derive(Debug, Clone)]
pub struct Lease {
    pub job_id: i64,
    pub worker: String,
}

impl Lease {
    /// The lease runs another [`LEASE`] from now.
    pub async fn keep(&self, db: &Db) {
        let at = now();
        match store::extend_lease(db, self.job_id, &self.worker, at + LEASE, at).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(job = self.job_id, "the job's lease was lost"),
            Err(error) => tracing::warn!(job = self.job_id, %error, "the job's lease was not kept"),
        }
    }
}

impl Work {
    /// The kind and the payload, as stored.
    fn stored(&self) -> (String, String) {
        // A tagged enum of plain fields always serialises.
        let mut value = serde_json::to_value(self).unwrap_or_default();
        let kind = value
            .as_object_mut()
            .and_then(|o| o.remove("kind"))
            .and_then(|k| k.as_str().map(str::to_owned))
            .unwrap_or_default();
        (kind, value.to_string())
    }

    /// A stored job's work; an unknown kind (queued by a newer release) is an error, so the job
    /// waits for an instance that knows it.
    fn parse(kind: &str, payload: &str) -> Result<Work, String> {
        let mut value: serde_json::Value = serde_json::from_str(payload).map_err(|e| e.to_string())?;
        let object = value.as_object_mut().ok_or("the payload is not an object")?;
        object.insert("kind".into(), kind.into());
        serde_json::from_value(value).map_err(|e| format!("cannot read the work {kind:?}: {e}"))
    }
}

/// Queues `work` to run at `run_at`, inside the caller's write: it runs only if the write
/// commits.
pub async fn enqueue_in(tx: &mut Tx, work: &Work, run_at: Timestamp) -> Result<(), AppError> {
    let (kind, payload) = work.stored();
    let new = NewJob { kind: &kind, payload: &payload, run_at, max_attempts: MAX_ATTEMPTS, unique_key: None };
    store::enqueue(tx, &new, now()).await?;
    Ok(())
}

/// Queues `work` unless a job with `key` was ever queued: an event that must be acted on
/// once across instances (a rule set off by a stage move, a reminder at its time).
pub async fn enqueue_once_in(tx: &mut Tx, work: &Work, run_at: Timestamp, key: &str) -> Result<(), AppError> {
    let (kind, payload) = work.stored();
    let new =
        NewJob { kind: &kind, payload: &payload, run_at, max_attempts: MAX_ATTEMPTS, unique_key: Some(key) };
    store::enqueue(tx, &new, now()).await?;
    Ok(())
}

/// Runs the jobs due now as `worker`, calling nobody outside; returns how many it took.
pub async fn run_due(db: &Db, worker: &str) -> Result<usize, AppError> {
    run_due_at(db, worker, now()).await
}

/// Runs the jobs due at `at` (tests pass a time ahead to run delayed work without waiting).
pub async fn run_due_at(db: &Db, worker: &str, at: Timestamp) -> Result<usize, AppError> {
    run_due_with(db, worker, &Outbound::default(), at).await
}

/// Runs the jobs due at `at` with the server's configuration for outgoing calls. The batch's
/// successes are recorded together after it (one commit); a failure at once, with its pause.
/// A worker that dies mid-batch leaves its done jobs leased, and they run again: jobs are
/// written to be run twice without doing their work twice.
pub async fn run_due_with(
    db: &Db,
    worker: &str,
    outbound: &Outbound,
    at: Timestamp,
) -> Result<usize, AppError> {
    run_lane(db, worker, outbound, Lane::All, BATCH, at).await
}

/// [`run_due_with`] for the jobs of one lane, at most `batch` of them.
async fn run_lane(
    db: &Db,
    worker: &str,
    outbound: &Outbound,
    lane: Lane<'_>,
    batch: u64,
    at: Timestamp,
) -> Result<usize, AppError> {
    let claimed = store::claim_in_lane(db, worker, lane, at, at + LEASE, batch).await?;
    let started = std::time::Instant::now();
    let mut done = Vec::with_capacity(claimed.len());
    for job in &claimed {
        if run_one(db, worker, outbound, job).await {
            done.push(job.id);
        }
        // A slow batch (a webhook waiting on its receiver) records what is done so far, long
        // before the leases run out.
        if started.elapsed() > FLUSH_AFTER {
            finish_all(db, worker, &mut done).await?;
        }
    }
    finish_all(db, worker, &mut done).await?;
    Ok(claimed.len())
}

async fn finish_all(db: &Db, worker: &str, done: &mut Vec<i64>) -> Result<(), AppError> {
    let finished = store::finish_all(db, done, worker, now()).await?;
    if finished < done.len() as u64 {
        tracing::warn!(done = done.len(), finished, "some done jobs were not recorded: their lease ran out");
    }
    done.clear();
    Ok(())
}

/// Runs one job; `true` when it succeeded (recorded with its batch), a failure is recorded here.
async fn run_one(db: &Db, worker: &str, outbound: &Outbound, job: &Job) -> bool {
    let outcome = if job.attempts > job.max_attempts {
        // Claimed again after its worker died on each attempt: it is not tried once more.
        Err("out of attempts: the worker stopped during each".to_owned())
    } else {
        match Work::parse(&job.kind, &job.payload) {
            // An export keeps its lease while it writes; any other job gets one lease.
            Ok(work @ Work::Export { .. }) => perform(db, outbound, &work, job, worker).await,
            Ok(work) => {
                let limit = LEASE.to_std().unwrap_or(StdDuration::from_secs(600));
                tokio::time::timeout(limit, perform(db, outbound, &work, job, worker))
                    .await
                    .unwrap_or_else(|_| Err("it took longer than its lease".to_owned()))
            }
            Err(error) => Err(error),
        }
    };
    let outcome_label = if outcome.is_ok() { "done" } else { "failed" };
    // The kind's first word (`export`, `webhook`, …): a label per kind, not per payload.
    let kind = job.kind.split([':', '.']).next().unwrap_or_default().to_owned();
    metrics::counter!("orbita_jobs_total", "kind" => kind, "outcome" => outcome_label).increment(1);
    let Err(error) = outcome else { return true };
    let at = now();
    let retry_at = (job.attempts < job.max_attempts).then(|| at + job::backoff(job.attempts, rand::random()));
    tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts, %error, dead = retry_at.is_none(), "job failed");
    match store::fail(db, job.id, worker, &error, retry_at, at).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(job = job.id, "job outcome not recorded: its lease ran out"),
        Err(error) => tracing::error!(job = job.id, %error, "job outcome not recorded"),
    }
    false
}

/// Does one job's work; an error is the job's `last_error`.
async fn perform(db: &Db, outbound: &Outbound, work: &Work, job: &Job, worker: &str) -> Result<(), String> {
    match work {
        Work::CustomFieldIndexes { field_id } => {
            let field = custom_fields::get(db, *field_id).await.map_err(|e| e.to_string())?;
            match field {
                // Removed or no longer indexed since it was queued: nothing to build.
                Some(field) if field.indexed && field.is_active() => {
                    custom_fields::build_indexes(db, &field).await.map_err(|e| e.to_string())
                }
                _ => Ok(()),
            }
        }
        Work::Automation { rule_id, deal_id, event, chain } => {
            crate::automation::run(db, *rule_id, *deal_id, event, *chain).await
        }
        Work::Webhook { webhook_id, event, occurred_at, data } => {
            crate::webhooks::deliver(db, outbound, *webhook_id, event, occurred_at, data).await
        }
        Work::NotificationMail { user_id } => crate::notifications::send_batch(db, outbound, *user_id).await,
        Work::Digest { user_id, day } => crate::notifications::send_digest(db, outbound, *user_id, day).await,
        Work::Export { export_id, locale } => {
            let lease = Lease { job_id: job.id, worker: worker.to_owned() };
            crate::export_jobs::run_queued(db, outbound, *export_id, locale, &lease).await
        }
    }
}

/// What administrators see of the queue: how many jobs are in each state, and those in
/// trouble (failed and waiting for their next attempt, or dead), newest first.
#[derive(Debug, Clone)]
pub struct Overview {
    pub counts: Vec<(JobState, i64)>,
    pub troubled: Vec<Job>,
}

pub async fn overview(db: &Db, access: &Access) -> Result<Overview, AppError> {
    access.require_all(Area::UsersAndSettings, Action::View)?;
    let counts = store::count_by_state(db).await?;
    let troubled = store::list(db, &[JobState::Dead, JobState::Failed], 100).await?;
    Ok(Overview { counts, troubled })
}

/// How many jobs are in each state, for `/metrics` (no rights: the numbers name nothing).
pub async fn depth(db: &Db) -> Result<Vec<(JobState, i64)>, AppError> {
    Ok(store::count_by_state(db).await?)
}

/// The jobs in `states`, newest first (at most `limit`).
pub async fn list(db: &Db, access: &Access, states: &[JobState], limit: u64) -> Result<Vec<Job>, AppError> {
    access.require_all(Area::UsersAndSettings, Action::View)?;
    Ok(store::list(db, states, limit).await?)
}

/// Queues a dead or failed job again now, its attempts counted afresh; audited.
pub async fn retry(db: &Db, access: &Access, id: i64) -> Result<Job, AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)?;
    let before = store::get(db, id).await?.ok_or(AppError::NotFound)?;
    let at = now();
    let mut tx = db.begin().await?;
    if !store::retry(&mut tx, id, at).await? {
        return Err(FieldError::new("id", "job-not-retryable", "Only a failed or dead job is retried").into());
    }
    let change =
        audit_trail::one("state", Some(before.state.to_string()), Some(JobState::Queued.to_string()));
    audit_trail::record(&mut tx, &access.context(), "job", id, AuditAction::Update, change, at).await?;
    tx.commit().await?;
    store::get(db, id).await?.ok_or(AppError::NotFound)
}

/// A name for this process's worker, unique across instances.
pub fn worker_name() -> String {
    format!("worker-{}-{:08x}", std::process::id(), rand::random::<u32>())
}

/// Runs due jobs until `stop` resolves: the batch in hand is finished, and whatever is still
/// leased to this worker is handed back for another. Exports run beside the other jobs, in
/// lanes of their own.
pub async fn work(db: Db, worker: String, outbound: Outbound, stop: impl Future<Output = ()>) {
    tracing::info!(%worker, "job worker started");
    let (stopping, stopped) = tokio::sync::watch::channel(false);
    let signal = async move {
        stop.await;
        // The lanes may all have stopped already; nothing is then waiting.
        let _ = stopping.send(true);
    };
    let general = lane_loop(&db, &worker, &outbound, Lane::Except(EXPORT_KIND), BATCH, true, stopped.clone());
    // Two exports at once: one user's long file does not hold back everyone else's.
    let export = || lane_loop(&db, &worker, &outbound, Lane::Only(EXPORT_KIND), 1, false, stopped.clone());
    tokio::join!(signal, general, export(), export());
    if let Err(error) = store::release(&db, &worker, now()).await {
        tracing::warn!(%error, "cannot hand back leased jobs");
    }
    tracing::info!(%worker, "job worker stopped");
}

/// One lane's loop: claims and runs its jobs until `stopped`; the general lane also keeps the
/// queue tidy and looks for what falls due by the clock.
async fn lane_loop(
    db: &Db,
    worker: &str,
    outbound: &Outbound,
    lane: Lane<'_>,
    batch: u64,
    keeps_house: bool,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let mut purged: Option<std::time::Instant> = None;
    let mut scanned: Option<std::time::Instant> = None;
    loop {
        if keeps_house && purged.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
            purged = Some(std::time::Instant::now());
            if let Err(error) = store::purge_done(db, now() - KEEP_DONE).await {
                tracing::warn!(%error, "cannot delete old done jobs");
            }
        }
        if keeps_house && scanned.is_none_or(|at| at.elapsed() >= SCAN_EVERY) {
            scanned = Some(std::time::Instant::now());
            scan(db).await;
        }
        let ran = match run_lane(db, worker, outbound, lane, batch, now()).await {
            Ok(ran) => ran,
            Err(error) => {
                tracing::warn!(%error, "cannot claim jobs");
                0
            }
        };
        // More may be due after a full batch; otherwise wait a little.
        let pause = if ran > 0 { StdDuration::ZERO } else { POLL };
        tokio::select! {
            biased;
            _ = stopped.wait_for(|stop| *stop) => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// What falls due by the clock: overdue tasks, the daily digests, late notification e-mails.
async fn scan(db: &Db) {
    if let Err(error) = crate::notifications::scan_overdue(db, now()).await {
        tracing::warn!(%error, "cannot scan for overdue tasks");
    }
    if let Err(error) = crate::notifications::scan_digests(db, now()).await {
        tracing::warn!(%error, "cannot queue the daily digests");
    }
    if let Err(error) = crate::notifications::sweep_mail(db, now()).await {
        tracing::warn!(%error, "cannot queue the late notification e-mails");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_is_stored_as_a_kind_and_a_payload_and_read_back() {
        let work = Work::CustomFieldIndexes { field_id: 7 };
        let (kind, payload) = work.stored();
        assert_eq!((kind.as_str(), payload.as_str()), ("custom_field_indexes", r#"{"field_id":7}"#));
        assert_eq!(Work::parse(&kind, &payload), Ok(work));
        assert!(Work::parse("send_rockets", "{}").is_err());
        assert!(Work::parse("custom_field_indexes", "[]").is_err());
    }
}
