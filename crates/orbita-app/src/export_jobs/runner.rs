//! A queued export at work: its plan made again, the file written with a heartbeat that also
//! keeps the queue's lease on the job, then stored in chunks.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};

use orbita_domain::UserId;
use orbita_domain::now;
use orbita_domain::org::Locale;
use orbita_storage::Db;
use orbita_storage::export_jobs::{self, Finished};

use super::{CHUNK_BYTES, HEARTBEAT, Plan, Queued, write};
use crate::AppError;
use crate::exports::{ExportFailure, ExportSpec, Exported, Format};
use crate::jobs::Lease;
use crate::webhooks::Outbound;

/// Runs the queued export `export_id` (the job `lease`): an export that cannot be written for
/// its owner (a right since withdrawn, a list gone) fails on its page and is not tried again;
/// an error of the database is the job's, and the queue retries it.
pub(crate) async fn run_queued(
    db: &Db,
    outbound: &Outbound,
    export_id: i64,
    locale: &str,
    lease: &Lease,
) -> Result<(), String> {
    let Some(row) = export_jobs::get(db, export_id).await.map_err(|e| e.to_string())? else {
        // Deleted with the old jobs meanwhile.
        return Ok(());
    };
    if row.status != export_jobs::RUNNING {
        // Written already (its worker died before the job was marked done).
        return Ok(());
    }
    let Some(planner) = outbound.exports.as_deref() else {
        return Err("this worker has no way to write exports".to_owned());
    };
    let queued = Queued {
        user_id: UserId(row.user_id),
        list: row.list,
        query: row.query,
        format: Format::from_extension(&row.format).unwrap_or(Format::Csv),
        locale: Locale::parse(locale).unwrap_or(Locale::Ru),
    };
    let plan = match planner.plan(&queued).await {
        Ok(plan) => plan,
        Err(error @ (AppError::Storage(_) | AppError::Unavailable(_))) => return Err(error.to_string()),
        Err(refused) => {
            record_failure(db, export_id, &refused.to_string()).await;
            return Ok(());
        }
    };
    // In a task of its own, so that a panic in the export is recorded as its failure instead of
    // stopping the worker.
    let runner = tokio::spawn(run(db.clone(), export_id, plan, lease.clone()));
    if let Err(error) = runner.await {
        tracing::error!(%error, job = export_id, "export job crashed");
        record_failure(db, export_id, "the export stopped unexpectedly").await;
    }
    Ok(())
}

async fn run(db: Db, id: i64, plan: Plan, lease: Lease) {
    let Plan { access, request, how } = plan;
    let rows = AtomicU64::new(0);
    let written = {
        let label = |key: &str| (how.label)(how.locale, key);
        let progress = |n: u64| rows.store(n, Ordering::Relaxed);
        let spec = ExportSpec {
            format: how.format,
            locale: how.locale,
            label: &label,
            number: how.number,
            progress: &progress,
            tempdir: None,
        };
        match tempfile::tempfile() {
            Ok(file) => {
                let export = write(&db, &access, &request, &spec, file);
                with_heartbeat(&db, id, &lease, &rows, export).await
            }
            Err(error) => Err(ExportFailure::Interrupted(format!("no temporary file: {error}"))),
        }
    };
    let stored = match written {
        Ok(exported) => store(&db, id, exported, &how.file_name).await,
        Err(error) => Err(error.to_string()),
    };
    if let Err(reason) = stored {
        tracing::warn!(job = id, %reason, "export job failed");
        record_failure(&db, id, &reason).await;
    }
}

/// Drives the export, writing the row count and the heartbeat every [`HEARTBEAT`].
/// The heartbeat also keeps the job's lease, so an export longer than a lease is not handed
/// to another worker while this one writes it.
async fn with_heartbeat<T>(
    db: &Db,
    id: i64,
    lease: &Lease,
    rows: &AtomicU64,
    export: impl Future<Output = T>,
) -> T {
    let mut beat = tokio::time::interval(HEARTBEAT);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    beat.tick().await;
    let mut export = std::pin::pin!(export);
    loop {
        tokio::select! {
            result = &mut export => return result,
            _ = beat.tick() => {
                let written = i64::try_from(rows.load(Ordering::Relaxed)).unwrap_or(i64::MAX);
                if let Err(error) = record_progress(db, id, written).await {
                    tracing::warn!(%error, job = id, "export progress not recorded");
                }
                lease.keep(db).await;
            }
        }
    }
}

async fn record_progress(db: &Db, id: i64, rows: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    export_jobs::record_progress(&mut tx, id, rows, now()).await?;
    tx.commit().await?;
    Ok(())
}

async fn record_failure(db: &Db, id: i64, reason: &str) {
    let result = async {
        let mut tx = db.begin().await?;
        export_jobs::fail(&mut tx, id, reason, now()).await?;
        tx.commit().await
    }
    .await;
    if let Err(error) = result {
        tracing::error!(%error, job = id, "export job failure not recorded");
    }
}

/// Stores the finished file in chunks and marks the job done, in one transaction: the file is
/// there completely or not at all. Reads one chunk at a time from the temporary file.
async fn store(db: &Db, id: i64, exported: Exported<File>, file_name: &str) -> Result<(), String> {
    let reason = |e: &dyn std::fmt::Display| format!("the file could not be stored: {e}");
    let mut file = exported.out;
    let mut tx = db.begin().await.map_err(|e| reason(&e))?;
    let mut seq = 0i64;
    let mut size = 0i64;
    file.seek(SeekFrom::Start(0)).map_err(|e| reason(&e))?;
    loop {
        // The read blocks on the disk: off the async threads, one chunk at a time.
        let (back, piece) = tokio::task::spawn_blocking(move || {
            let mut piece = Vec::with_capacity(CHUNK_BYTES);
            let read = (&mut file).take(CHUNK_BYTES as u64).read_to_end(&mut piece);
            (file, read.map(|_| piece))
        })
        .await
        .map_err(|e| reason(&e))?;
        file = back;
        let piece = piece.map_err(|e| reason(&e))?;
        if piece.is_empty() {
            break;
        }
        export_jobs::insert_chunk(&mut tx, id, seq, &piece).await.map_err(|e| reason(&e))?;
        seq += 1;
        size += i64::try_from(piece.len()).unwrap_or(i64::MAX);
    }
    let done = Finished {
        rows_written: i64::try_from(exported.rows).unwrap_or(i64::MAX),
        file_name,
        byte_size: size,
    };
    if !export_jobs::finish(&mut tx, id, &done, now()).await.map_err(|e| reason(&e))? {
        // Gone or no longer running (deleted meanwhile): nothing to keep.
        return Ok(());
    }
    tx.commit().await.map_err(|e| reason(&e))
}
