//! Exports in the background: a large list takes a minute or two to write, so the page queues a
//! job and shows its progress instead of holding a request open. Any instance's worker runs it
//! (in a lane of the queue of its own, so it holds back no rule or notice) and writes the file with
//! the same [`crate::exports`] functions as a direct download (same rights, filters, columns,
//! one audit event on completion) into a temporary file, then stores it in the database in
//! ~1 MiB chunks in the transaction that marks the job done, so any instance can serve the
//! progress page and the download.
//!
//! The exports report their row count through a synchronous callback; it lands in an atomic,
//! and the runner writes it with a heartbeat every second. A running job whose heartbeat is
//! older than [`STALE_AFTER`] lost its server (a restart, a crash) and is shown as stopped until
//! the queue hands its job to another worker, which writes the file afresh.
//! Only the user who started a job sees it; to anyone else it does not exist.

use std::io::Write;
use std::pin::Pin;
use std::time::Duration;

use chrono::TimeDelta;
use orbita_domain::access::{Action, Area};
use orbita_domain::org::Locale;
use orbita_domain::{Timestamp, UserId, now};
use orbita_storage::audit::AuditFilter;
use orbita_storage::export_jobs::{self, ExportJobRow, NewExportJob};
use orbita_storage::targets::Month;
use orbita_storage::{Db, Tx};

use crate::exports::{
    self, ActivityExport, CompanyExport, ContactExport, DealExport, ExportFailure, ExportSpec, Exported,
    Format, TaskExport,
};
use crate::jobs::{self, Work};
use crate::reports::{FunnelParams, SourcesParams, SummaryParams};
use crate::{Access, AppError, Quota};

mod runner;
pub(crate) use runner::run_queued;

/// Size of a stored piece of a finished file.
pub const CHUNK_BYTES: usize = 1 << 20;
/// How often a running job writes its row count and proves it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(1);
/// A running job silent for this long lost its server.
pub const STALE_AFTER: TimeDelta = TimeDelta::minutes(2);
/// Jobs and their files are kept this long, then deleted when a new job starts.
pub const KEEP_FOR: TimeDelta = TimeDelta::hours(24);
/// How many jobs "My exports" shows.
pub const RECENT: u64 = 50;
/// Exports one user may have running at once…
pub const MAX_RUNNING_PER_USER: i64 = 3;
/// …and start in a day: enough for any person, not for a script hammering the server.
pub const MAX_PER_USER_PER_DAY: i64 = 100;
const DAY: TimeDelta = TimeDelta::days(1);

/// What to export: a list with the filter, sort and columns its page parsed from the query
/// string, or a report with its parameters.
#[derive(Debug, Clone)]
pub enum ExportRequest {
    Companies(CompanyExport),
    Contacts(ContactExport),
    Deals(DealExport),
    Tasks(TaskExport),
    Activities(ActivityExport),
    AuditLog(AuditFilter),
    Summary(SummaryParams),
    Funnel(FunnelParams),
    Sources(SourcesParams),
    /// The sales-targets grid of the months `first..=last`.
    Targets {
        first: Month,
        last: Month,
    },
}

impl ExportRequest {
    /// The list's name in a job and in the export form: `companies`, `audit`, `summary`…
    pub fn list(&self) -> &'static str {
        match self {
            ExportRequest::Companies(_) => "companies",
            ExportRequest::Contacts(_) => "contacts",
            ExportRequest::Deals(_) => "deals",
            ExportRequest::Tasks(_) => "tasks",
            ExportRequest::Activities(_) => "activities",
            ExportRequest::AuditLog(_) => "audit",
            ExportRequest::Summary(_) => "summary",
            ExportRequest::Funnel(_) => "funnel",
            ExportRequest::Sources(_) => "sources",
            ExportRequest::Targets { .. } => "targets",
        }
    }

    /// The start of the file's name: `companies-2026-11-23.xlsx`.
    pub fn file_stem(&self) -> &'static str {
        match self {
            ExportRequest::Summary(_) => "summary-report",
            ExportRequest::Funnel(_) => "funnel-report",
            ExportRequest::Sources(_) => "sources-report",
            ExportRequest::Targets { .. } => "sales-targets",
            other => other.list(),
        }
    }

    /// Whose Export right the file needs.
    pub fn area(&self) -> Area {
        match self {
            ExportRequest::Companies(_) => Area::Companies,
            ExportRequest::Contacts(_) => Area::Contacts,
            ExportRequest::Deals(_) => Area::Deals,
            ExportRequest::Tasks(_) => Area::Tasks,
            ExportRequest::Activities(_) => Area::Activities,
            ExportRequest::AuditLog(_) => Area::AuditLog,
            ExportRequest::Summary(_)
            | ExportRequest::Funnel(_)
            | ExportRequest::Sources(_)
            | ExportRequest::Targets { .. } => Area::Reports,
        }
    }
}

/// Writes the requested export to `out`: the one path of a direct download and of a job.
pub async fn write<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    request: &ExportRequest,
    spec: &ExportSpec<'_>,
    out: W,
) -> Result<Exported<W>, ExportFailure> {
    match request {
        ExportRequest::Companies(export) => exports::write(db, access, export, spec, out).await,
        ExportRequest::Contacts(export) => exports::write(db, access, export, spec, out).await,
        ExportRequest::Deals(export) => exports::write(db, access, export, spec, out).await,
        ExportRequest::Tasks(export) => exports::write(db, access, export, spec, out).await,
        ExportRequest::Activities(export) => exports::write(db, access, export, spec, out).await,
        ExportRequest::AuditLog(filter) => exports::write(db, access, filter, spec, out).await,
        ExportRequest::Summary(params) => exports::summary_report(db, access, params, spec, out).await,
        ExportRequest::Funnel(params) => exports::funnel_report(db, access, params, spec, out).await,
        ExportRequest::Sources(params) => exports::sources_report(db, access, params, spec, out).await,
        ExportRequest::Targets { first, last } => {
            exports::sales_targets(db, access, *first, *last, spec, out).await
        }
    }
}

/// How a job writes its file: the format, and the user's language as plain functions (the
/// job outlives the request that started it).
#[derive(Debug, Clone)]
pub struct JobSpec {
    pub format: Format,
    pub locale: Locale,
    /// The text for a key in a language: headers and values.
    pub label: fn(Locale, &str) -> String,
    /// A linked record the user may not see, by number (see [`ExportSpec::number`]).
    pub number: fn(Locale, &str, &str) -> String,
    /// The download's name, `companies-2026-11-23.xlsx`.
    pub file_name: String,
}

/// Where a job stands, as its owner is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    Running,
    Done,
    /// The export refused or broke; the reason as recorded.
    Failed(String),
    /// Still marked running, but its heartbeat stopped: the server stopped during the export.
    Stopped,
}

/// A job as its owner sees it.
#[derive(Debug, Clone)]
pub struct ExportJob {
    pub id: i64,
    pub list: String,
    pub format: Format,
    /// The list's query string the export was started with.
    pub query: String,
    pub state: JobState,
    pub rows_written: u64,
    pub rows_total: Option<u64>,
    pub file_name: Option<String>,
    pub byte_size: Option<u64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

impl ExportJob {
    fn from_row(row: ExportJobRow, at: Timestamp) -> ExportJob {
        let state = match row.status.as_str() {
            export_jobs::DONE => JobState::Done,
            export_jobs::FAILED => JobState::Failed(row.error.unwrap_or_default()),
            _ if at - row.updated_at > STALE_AFTER => JobState::Stopped,
            _ => JobState::Running,
        };
        let unsigned = |n: i64| u64::try_from(n).unwrap_or(0);
        ExportJob {
            id: row.id,
            list: row.list,
            format: Format::from_extension(&row.format).unwrap_or(Format::Csv),
            query: row.query,
            state,
            rows_written: unsigned(row.rows_written),
            rows_total: row.rows_total.map(unsigned),
            file_name: row.file_name,
            byte_size: row.byte_size.map(unsigned),
            created_at: row.created_at,
            updated_at: row.updated_at,
            finished_at: row.finished_at,
        }
    }

    pub fn is_running(&self) -> bool {
        self.state == JobState::Running
    }

    /// How long the export ran, or has been running.
    pub fn elapsed(&self, at: Timestamp) -> TimeDelta {
        let end = match self.state {
            JobState::Running => at,
            JobState::Stopped => self.updated_at,
            _ => self.finished_at.unwrap_or(self.updated_at),
        };
        (end - self.created_at).max(TimeDelta::zero())
    }
}

/// Queues exporting `request` for the signed-in user: the job's row and its place in the
/// queue are one write, and any instance's worker writes the file. The Export right is checked
/// here, so a user without it is refused at once rather than shown a failed job. `query` is
/// the list's query string: the worker reads it again through the [`Planner`], in `locale`.
/// Old jobs are deleted first.
pub async fn start(
    db: &Db,
    access: &Access,
    request: &ExportRequest,
    format: Format,
    query: &str,
    locale: Locale,
) -> Result<i64, AppError> {
    access.require(request.area(), Action::Export)?;
    if let Err(error) = clean_up(db, KEEP_FOR).await {
        // Old files only cost space; the new export matters more.
        tracing::warn!(%error, "old export jobs not deleted");
    }
    let new = NewExportJob {
        user_id: access.user_id(),
        list: request.list(),
        format: format.extension(),
        query,
        rows_total: None,
    };
    let now = now();
    let mut tx = db.begin().await?;
    within_allowance(&mut tx, access, now).await?;
    let id = export_jobs::insert(&mut tx, &new, now).await?;
    let work = Work::Export { export_id: id, locale: locale.as_str().to_owned() };
    jobs::enqueue_in(&mut tx, &work, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A queued export as its worker finds it: whose, which list and query, the file's format and
/// the language it was asked in.
#[derive(Debug, Clone)]
pub struct Queued {
    pub user_id: UserId,
    pub list: String,
    pub query: String,
    pub format: Format,
    pub locale: Locale,
}

/// What a queued export is written from: its owner's rights as they are now, the request and
/// how the file is written.
pub struct Plan {
    pub access: Access,
    pub request: ExportRequest,
    pub how: JobSpec,
}

/// Makes a queued export's [`Plan`] again on the worker that runs it (another instance, or
/// after a restart): the delivery layer that read the list's query string for the page reads
/// it again, so the file holds what the page showed. The binary gives it to the worker.
pub trait Planner: Send + Sync {
    fn plan<'a>(
        &'a self,
        job: &'a Queued,
    ) -> Pin<Box<dyn Future<Output = Result<Plan, AppError>> + Send + 'a>>;
}

/// Refuses a new export past the user's allowance. Counted in the transaction that inserts
/// the job, after the user's other starts have had their turn, so two quick clicks cannot both
/// slip under the limit, on one instance or two.
async fn within_allowance(tx: &mut Tx, access: &Access, now: Timestamp) -> Result<(), AppError> {
    tx.take_turns(&format!("exports:{}", access.user_id())).await?;
    let jobs = export_jobs::count_for_user(tx, access.user_id(), now - DAY, now - STALE_AFTER).await?;
    if jobs.running >= MAX_RUNNING_PER_USER {
        return Err(AppError::Quota(Quota::RunningExports { limit: MAX_RUNNING_PER_USER }));
    }
    if jobs.started >= MAX_PER_USER_PER_DAY {
        let free_at = jobs.first_started.unwrap_or(now) + DAY;
        let seconds = u64::try_from((free_at - now).num_seconds()).unwrap_or(0).max(1);
        return Err(AppError::Quota(Quota::DailyExports {
            limit: MAX_PER_USER_PER_DAY,
            retry_after_seconds: seconds,
        }));
    }
    Ok(())
}

/// The user's own job; anyone else's does not exist for them.
pub async fn get(db: &Db, access: &Access, id: i64) -> Result<ExportJob, AppError> {
    match export_jobs::get(db, id).await? {
        Some(row) if row.user_id == access.user_id().0 => Ok(ExportJob::from_row(row, now())),
        _ => Err(AppError::NotFound),
    }
}

/// The user's recent jobs, newest first.
pub async fn list_mine(db: &Db, access: &Access) -> Result<Vec<ExportJob>, AppError> {
    let at = now();
    let rows = export_jobs::list_for_user(db, access.user_id(), RECENT).await?;
    Ok(rows.into_iter().map(|row| ExportJob::from_row(row, at)).collect())
}

/// A finished file its owner may download, read chunk by chunk.
#[derive(Debug, Clone)]
pub struct JobFile {
    id: i64,
    pub file_name: String,
    pub format: Format,
    pub byte_size: u64,
}

impl JobFile {
    /// The `seq`-th piece (from 0); `None` past the end.
    pub async fn chunk(&self, db: &Db, seq: i64) -> Result<Option<Vec<u8>>, AppError> {
        Ok(export_jobs::chunk(db, self.id, seq).await?)
    }
}

/// The file of the user's own finished job; a job still running or failed has none
/// (`NotFound`), as has anyone else's.
pub async fn file(db: &Db, access: &Access, id: i64) -> Result<JobFile, AppError> {
    let job = get(db, access, id).await?;
    match (job.state, job.file_name) {
        (JobState::Done, Some(file_name)) => {
            Ok(JobFile { id, file_name, format: job.format, byte_size: job.byte_size.unwrap_or(0) })
        }
        _ => Err(AppError::NotFound),
    }
}

/// Deletes jobs older than `age`, with their files; returns how many went.
pub async fn clean_up(db: &Db, age: TimeDelta) -> Result<u64, AppError> {
    let mut tx = db.begin().await?;
    let deleted = export_jobs::delete_older_than(&mut tx, now() - age).await?;
    tx.commit().await?;
    Ok(deleted)
}
