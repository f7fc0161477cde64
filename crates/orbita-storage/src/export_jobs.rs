//! Background exports: the job row (who asked for which list, how far it got) and, once done,
//! the file in ~1 MiB chunks. Both live in the database so that every instance can show the
//! progress and serve the download, whichever instance runs the export.

use orbita_domain::{Timestamp, UserId};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};

use crate::db::{Db, Tx};
use crate::error::Result;

const TABLE: &str = "export_jobs";
const CHUNKS: &str = "export_job_chunks";
const COLUMNS: [&str; 14] = [
    "id",
    "user_id",
    "list",
    "format",
    "query",
    "status",
    "rows_written",
    "rows_total",
    "file_name",
    "byte_size",
    "error",
    "created_at",
    "updated_at",
    "finished_at",
];

pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// A job as stored. `status` is `running`, `done` or `failed`; `updated_at` is the heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ExportJobRow {
    pub id: i64,
    pub user_id: i64,
    pub list: String,
    pub format: String,
    pub query: String,
    pub status: String,
    pub rows_written: i64,
    pub rows_total: Option<i64>,
    pub file_name: Option<String>,
    pub byte_size: Option<i64>,
    pub error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// Counted, not stored: how many chunks the file has (0 until it is done).
    pub chunks: i64,
}

/// What a new job is.
#[derive(Debug, Clone)]
pub struct NewExportJob<'a> {
    pub user_id: UserId,
    pub list: &'a str,
    pub format: &'a str,
    pub query: &'a str,
    pub rows_total: Option<i64>,
}

/// Inserts a running job with no rows written; returns its id.
pub async fn insert(tx: &mut Tx, job: &NewExportJob<'_>, now: Timestamp) -> Result<i64> {
    let stmt = Query::insert()
        .into_table(TABLE)
        .columns([
            "user_id",
            "list",
            "format",
            "query",
            "status",
            "rows_written",
            "rows_total",
            "created_at",
            "updated_at",
        ])
        .values_panic([
            job.user_id.0.into(),
            job.list.into(),
            job.format.into(),
            job.query.into(),
            RUNNING.into(),
            0i64.into(),
            job.rows_total.into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    tx.insert(stmt).await
}

fn select() -> SelectStatement {
    let chunks = Query::select()
        .expr(Expr::col("seq").count())
        .from(CHUNKS)
        .and_where(Expr::col((CHUNKS, "job_id")).equals((TABLE, "id")))
        .to_owned();
    Query::select()
        .columns(COLUMNS.map(|c| (TABLE, c)))
        .expr_as(Expr::SubQuery(None, Box::new(chunks.into())), "chunks")
        .from(TABLE)
        .to_owned()
}

pub async fn get(db: &Db, id: i64) -> Result<Option<ExportJobRow>> {
    db.fetch_optional(&select().and_where(Expr::col((TABLE, "id")).eq(id)).to_owned()).await
}

/// A user's most recent jobs, newest first.
pub async fn list_for_user(db: &Db, user: UserId, limit: u64) -> Result<Vec<ExportJobRow>> {
    let stmt = select()
        .and_where(Expr::col((TABLE, "user_id")).eq(user.0))
        .order_by((TABLE, "id"), Order::Desc)
        .limit(limit)
        .to_owned();
    db.fetch_all(&stmt).await
}

/// A user's export jobs counted against their allowance: those still running (heartbeat at or
/// after `alive_since`) and those started at or after `since`, with the first of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobsOfUser {
    pub running: i64,
    pub started: i64,
    pub first_started: Option<Timestamp>,
}

pub async fn count_for_user(
    tx: &mut Tx,
    user: UserId,
    since: Timestamp,
    alive_since: Timestamp,
) -> Result<JobsOfUser> {
    let running = Query::select()
        .expr(Expr::col("id").count())
        .from(TABLE)
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(Expr::col("status").eq(RUNNING))
        .and_where(Expr::col("updated_at").gte(alive_since))
        .to_owned();
    let started = Query::select()
        .expr(Expr::col("id").count())
        .expr(Expr::col("created_at").min())
        .from(TABLE)
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(Expr::col("created_at").gte(since))
        .to_owned();
    let (running,): (i64,) = tx.fetch_one(&running).await?;
    let (started, first_started): (i64, Option<Timestamp>) = tx.fetch_one(&started).await?;
    Ok(JobsOfUser { running, started, first_started })
}

/// The rows written so far, and the heartbeat: the runner is alive at `now`. Only a running
/// job moves; false when the job is finished or gone.
pub async fn record_progress(tx: &mut Tx, id: i64, rows_written: i64, now: Timestamp) -> Result<bool> {
    let stmt = Query::update()
        .table(TABLE)
        .value("rows_written", rows_written)
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(RUNNING))
        .to_owned();
    Ok(tx.execute(&stmt).await? == 1)
}

/// Appends a piece of the finished file. Call in the transaction that then calls [`finish`],
/// so the file appears complete or not at all.
pub async fn insert_chunk(tx: &mut Tx, id: i64, seq: i64, data: &[u8]) -> Result<()> {
    let stmt = Query::insert()
        .into_table(CHUNKS)
        .columns(["job_id", "seq", "data"])
        .values_panic([id.into(), seq.into(), data.to_vec().into()])
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}

/// What a finished file is.
#[derive(Debug, Clone)]
pub struct Finished<'a> {
    pub rows_written: i64,
    pub file_name: &'a str,
    pub byte_size: i64,
}

/// Marks a running job done; false when it was not running (failed meanwhile, or gone).
pub async fn finish(tx: &mut Tx, id: i64, done: &Finished<'_>, now: Timestamp) -> Result<bool> {
    let stmt = Query::update()
        .table(TABLE)
        .value("status", DONE)
        .value("rows_written", done.rows_written)
        .value("file_name", done.file_name)
        .value("byte_size", done.byte_size)
        .value("updated_at", now)
        .value("finished_at", now)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(RUNNING))
        .to_owned();
    Ok(tx.execute(&stmt).await? == 1)
}

/// Marks a running job failed with the reason; false when it was not running.
pub async fn fail(tx: &mut Tx, id: i64, error: &str, now: Timestamp) -> Result<bool> {
    let stmt = Query::update()
        .table(TABLE)
        .value("status", FAILED)
        .value("error", error)
        .value("updated_at", now)
        .value("finished_at", now)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(RUNNING))
        .to_owned();
    Ok(tx.execute(&stmt).await? == 1)
}

/// One piece of a job's file (`seq` from 0); `None` past the end. A download reads them one at
/// a time, so memory holds one chunk whatever the file's size.
pub async fn chunk(db: &Db, id: i64, seq: i64) -> Result<Option<Vec<u8>>> {
    let stmt = Query::select()
        .column("data")
        .from(CHUNKS)
        .and_where(Expr::col("job_id").eq(id))
        .and_where(Expr::col("seq").eq(seq))
        .to_owned();
    let row: Option<(Vec<u8>,)> = db.fetch_optional(&stmt).await?;
    Ok(row.map(|(data,)| data))
}

/// Deletes jobs created before `before`, with their files; returns how many jobs went.
pub async fn delete_older_than(tx: &mut Tx, before: Timestamp) -> Result<u64> {
    let old =
        Query::select().column("id").from(TABLE).and_where(Expr::col("created_at").lt(before)).to_owned();
    let chunks =
        Query::delete().from_table(CHUNKS).and_where(Expr::col("job_id").in_subquery(old)).to_owned();
    tx.execute(&chunks).await?;
    tx.execute(&Query::delete().from_table(TABLE).and_where(Expr::col("created_at").lt(before)).to_owned())
        .await
}
