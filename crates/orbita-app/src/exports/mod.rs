//! Exports of the lists, the summary report and the funnel to XLSX or CSV, exactly as searched and filtered
//! on screen: each export takes the list's own filter and sort and pages through the same
//! app-layer list function the screen calls (so visibility is applied identically), 1,000 rows
//! per keyset page, streaming each page into `orbita_export`'s writer: memory holds one page,
//! whatever the row count.
//!
//! Names are resolved without a query per row: users and stages once per export, the companies,
//! contacts and deals a page points at with one `IN (…)` query each, within the user's view
//! scope: a linked record the user may not see is written by number, as the screens show it.
//! Times are the organisation's wall-clock time. Only a completed file is audited: one event
//! (action `export`, entity = the list) with the filter and the row count, in its own
//! transaction after the last byte.
//!
//! This module holds what every export shares (the writer, name look-ups, the audit event);
//! `lists` the lists' exports, `columns` the columns a list's file may hold, `reports` the
//! reports'.

use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;
use std::io::Write;
use std::path::Path;

pub mod columns;
mod custom;
mod files;
mod lists;
mod reports;

use chrono_tz::Tz;
use orbita_domain::audit::{AuditAction, FieldChange, NewAuditEvent};
use orbita_domain::org::Locale;
use orbita_domain::validation::Currency;
use orbita_domain::{StageId, Timestamp, UserId};
use orbita_export::{Cell, Column, ColumnKind, ExportWriter};
use orbita_storage::{Db, StorageError, pipelines, users};

use crate::targets::{local_time, time_zone};
use crate::{Access, AppError};

pub use columns::{CompanyColumn, ContactColumn, DealColumn, ListColumn};
pub use files::{ActivityExport, CompanyExport, ContactExport, DealExport, TaskExport};
pub use lists::{FixedExport, Linked, Linking, Links, ListExport, ListFile, write};
pub use orbita_export::Format;
pub use reports::{
    REASONS_SHOWN, funnel_report, lost_reasons, other_currencies, sales_targets, sources_report,
    summary_report,
};

/// Rows fetched and written per step.
pub const PAGE_ROWS: u64 = 1_000;
/// How often the progress callback hears the row count.
pub const PROGRESS_EVERY: u64 = 10_000;

/// How to write an export and for whom.
pub struct ExportSpec<'a> {
    pub format: Format,
    /// Date and number formats, CSV delimiter.
    pub locale: Locale,
    /// The user's language for a key: headers (`field-name`) and values (`deal-status-won`).
    pub label: &'a (dyn Fn(&str) -> String + Sync),
    /// A linked record the user may not see, by its number, as the screens show it:
    /// `(Locale::Ru, "deals-company-number", "5")` is "Компания № 5". Its name never reaches
    /// the file.
    pub number: fn(Locale, &str, &str) -> String,
    /// Called with the number of rows written, every [`PROGRESS_EVERY`] rows.
    pub progress: &'a (dyn Fn(u64) + Sync),
    /// Where XLSX spools rows; `None`: the system temp directory.
    pub tempdir: Option<&'a Path>,
}

/// A finished export: its data rows (header not counted) and the flushed output.
#[derive(Debug)]
pub struct Exported<W> {
    pub rows: u64,
    pub out: W,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportFailure {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    File(#[from] orbita_export::ExportError),
    #[error("the export stopped: {0}")]
    Interrupted(String),
}

impl From<StorageError> for ExportFailure {
    fn from(error: StorageError) -> Self {
        ExportFailure::App(error.into())
    }
}

type Done<W> = Result<Exported<W>, ExportFailure>;

/// The writer, moved into a blocking task for every page: the XLSX writer does file I/O and,
/// at the end, zips the whole sheet, which must not stall the async runtime.
struct Sink<'a, W: Write + Send + 'static> {
    writer: Option<ExportWriter<W>>,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl<'a, W: Write + Send + 'static> Sink<'a, W> {
    fn start(
        spec: &ExportSpec<'a>,
        sheet: &str,
        columns: &[(&str, ColumnKind)],
        out: W,
    ) -> Result<Self, ExportFailure> {
        let columns = columns.iter().map(|(key, kind)| Column::new((spec.label)(key), *kind)).collect();
        Self::with_columns(spec, sheet, columns, out)
    }

    fn with_columns(
        spec: &ExportSpec<'a>,
        sheet: &str,
        columns: Vec<Column>,
        out: W,
    ) -> Result<Self, ExportFailure> {
        let writer = match spec.tempdir {
            Some(dir) => ExportWriter::new_with_tempdir(spec.format, sheet, columns, spec.locale, out, dir)?,
            None => ExportWriter::new(spec.format, sheet, columns, spec.locale, out)?,
        };
        Ok(Sink { writer: Some(writer), progress: spec.progress })
    }

    async fn write(&mut self, rows: Vec<Vec<Cell>>) -> Result<(), ExportFailure> {
        let mut writer =
            self.writer.take().ok_or_else(|| ExportFailure::Interrupted("writer gone".into()))?;
        let before = writer.rows_written();
        let writer = tokio::task::spawn_blocking(move || {
            rows.iter().try_for_each(|row| writer.write_row(row)).map(|()| writer)
        })
        .await
        .map_err(|e| ExportFailure::Interrupted(e.to_string()))??;
        let after = writer.rows_written();
        if after / PROGRESS_EVERY > before / PROGRESS_EVERY {
            (self.progress)(after);
        }
        self.writer = Some(writer);
        Ok(())
    }

    async fn finish(mut self) -> Result<(u64, W), ExportFailure> {
        let writer = self.writer.take().ok_or_else(|| ExportFailure::Interrupted("writer gone".into()))?;
        Ok(tokio::task::spawn_blocking(move || writer.finish_into_inner())
            .await
            .map_err(|e| ExportFailure::Interrupted(e.to_string()))??)
    }
}

/// What every export resolves once: user and stage names, the time zone, the currency, the
/// label function, and the moment it started (a task is overdue as of then).
pub struct Names<'a> {
    users: HashMap<UserId, String>,
    stages: HashMap<StageId, String>,
    tz: Tz,
    currency: Currency,
    now: Timestamp,
    label: &'a (dyn Fn(&str) -> String + Sync),
    locale: Locale,
    number: fn(Locale, &str, &str) -> String,
}

impl<'a> Names<'a> {
    async fn load(db: &Db, spec: &ExportSpec<'a>) -> Result<Names<'a>, AppError> {
        let users = users::list(db).await?.into_iter().map(|u| (u.id, u.name)).collect();
        let stages = pipelines::stages(db)
            .await?
            .into_iter()
            .map(|s| (s.id, if spec.locale == Locale::En { s.name_en } else { s.name_ru }))
            .collect();
        let settings = crate::setup::settings(db).await?;
        Ok(Names {
            users,
            stages,
            tz: time_zone(&settings),
            currency: settings.currency,
            now: orbita_domain::now(),
            label: spec.label,
            locale: spec.locale,
            number: spec.number,
        })
    }

    fn user(&self, id: Option<UserId>) -> Cell {
        id.and_then(|id| self.users.get(&id)).map_or(Cell::Empty, |n| Cell::Text(n.clone()))
    }

    fn stage(&self, id: StageId) -> Cell {
        self.stages.get(&id).map_or(Cell::Empty, |n| Cell::Text(n.clone()))
    }

    fn time(&self, at: Option<Timestamp>) -> Cell {
        at.map_or(Cell::Empty, |t| Cell::DateTime(local_time(t, self.tz)))
    }

    fn label(&self, key: String) -> Cell {
        Cell::Text((self.label)(&key))
    }

    /// A linked record by name where the user may see it (it is in `names`), by number otherwise.
    fn linked<K: Hash + Eq + Display>(&self, names: &HashMap<K, String>, key: &str, id: Option<K>) -> Cell {
        match id {
            Some(id) => Cell::Text(match names.get(&id) {
                Some(name) => name.clone(),
                None => (self.number)(self.locale, key, &id.to_string()),
            }),
            None => Cell::Empty,
        }
    }
}

fn text(value: Option<&str>) -> Cell {
    value.map_or(Cell::Empty, |v| Cell::Text(v.to_owned()))
}

fn listed<'v>(items: impl Iterator<Item = &'v str>) -> Cell {
    Cell::Text(items.collect::<Vec<_>>().join(", "))
}

/// A short account of a filter for the audit log: the parts that are set, `key=value; …`.
#[derive(Default)]
struct Describe(Vec<String>);

impl Describe {
    fn add(mut self, key: &str, value: Option<impl Display>) -> Self {
        if let Some(value) = value {
            self.0.push(format!("{key}={value}"));
        }
        self
    }

    fn ids<T: Display>(self, key: &str, ids: Option<&Vec<T>>) -> Self {
        let joined = ids.map(|ids| ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(","));
        self.add(key, joined)
    }

    fn finish(self) -> String {
        if self.0.is_empty() { "all".to_owned() } else { self.0.join("; ") }
    }
}

fn sort_text(sort: impl std::fmt::Debug, descending: bool) -> String {
    format!("{}{}", format!("{sort:?}").to_lowercase(), if descending { " desc" } else { "" })
}

/// Records a completed export, after the file is complete.
async fn audit(
    db: &Db,
    access: &Access,
    entity: &'static str,
    filter: String,
    rows: u64,
    format: Format,
) -> Result<(), AppError> {
    let change =
        |field: &str, after: String| FieldChange { field: field.into(), before: None, after: Some(after) };
    let ctx = access.context();
    let event = NewAuditEvent {
        actor_id: ctx.actor,
        ip: ctx.ip,
        via: ctx.via,
        entity,
        entity_id: None,
        action: AuditAction::Export,
        changes: vec![
            change("filter", filter),
            change("rows", rows.to_string()),
            change("format", format.extension().into()),
        ],
    };
    let mut tx = db.begin().await?;
    orbita_storage::audit::insert(&mut tx, &event, orbita_domain::now()).await?;
    tx.commit().await?;
    Ok(())
}

async fn complete<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    sink: Sink<'_, W>,
    entity: &'static str,
    filter: String,
    format: Format,
) -> Done<W> {
    let (rows, out) = sink.finish().await?;
    audit(db, access, entity, filter, rows, format).await?;
    Ok(Exported { rows, out })
}
