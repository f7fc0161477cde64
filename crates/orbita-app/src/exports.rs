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

use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;
use std::io::Write;
use std::path::Path;

use chrono_tz::Tz;
use orbita_domain::access::{Action, Area};
use orbita_domain::audit::{AuditAction, FieldChange, NewAuditEvent};
use orbita_domain::org::Locale;
use orbita_domain::{Timestamp, UserId};
use orbita_export::{Cell, Column, ColumnKind, ExportWriter};
use orbita_storage::activities::ActivityFilter;
use orbita_storage::audit::AuditFilter;
use orbita_storage::companies::{CompanyFilter, CompanySort};
use orbita_storage::contacts::{ContactFilter, ContactSort};
use orbita_storage::deals::{DealFilter, DealSort};
use orbita_storage::tasks::TaskFilter;
use orbita_storage::{Cursor, Db, StorageError, pipelines, users};
use rust_decimal::Decimal;

use crate::reports::{Funnel, FunnelParams, FunnelStage, SummaryParams, SummaryRow};
use crate::targets::{local_time, time_zone};
use crate::{Access, AppError};

pub use orbita_export::Format;

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

/// What every export resolves once: user names, the time zone, the label function.
struct Names<'a> {
    users: HashMap<UserId, String>,
    tz: Tz,
    label: &'a (dyn Fn(&str) -> String + Sync),
    locale: Locale,
    number: fn(Locale, &str, &str) -> String,
}

impl<'a> Names<'a> {
    async fn load(db: &Db, spec: &ExportSpec<'a>) -> Result<Names<'a>, AppError> {
        let users = users::list(db).await?.into_iter().map(|u| (u.id, u.name)).collect();
        let tz = time_zone(&crate::setup::settings(db).await?);
        Ok(Names { users, tz, label: spec.label, locale: spec.locale, number: spec.number })
    }

    fn user(&self, id: Option<UserId>) -> Cell {
        id.and_then(|id| self.users.get(&id)).map_or(Cell::Empty, |n| Cell::Text(n.clone()))
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

fn name_of<K: Hash + Eq>(names: &HashMap<K, String>, id: Option<K>) -> Cell {
    id.and_then(|id| names.get(&id)).map_or(Cell::Empty, |n| Cell::Text(n.clone()))
}

/// The ids a page links to, for one visibility-aware name look-up per kind.
fn ids<K>(ids: impl Iterator<Item = Option<K>>) -> Vec<K> {
    ids.flatten().collect()
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

const COMPANY_COLUMNS: [(&str, ColumnKind); 10] = [
    ("field-name", ColumnKind::Text),
    ("field-inn", ColumnKind::Text),
    ("field-kpp", ColumnKind::Text),
    ("field-ogrn", ColumnKind::Text),
    ("field-industry", ColumnKind::Text),
    ("field-region", ColumnKind::Text),
    ("field-phones", ColumnKind::Text),
    ("field-emails", ColumnKind::Text),
    ("field-owner", ColumnKind::Text),
    ("field-created", ColumnKind::DateTime),
];

pub async fn companies<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    filter: &CompanyFilter,
    sort: CompanySort,
    descending: bool,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Companies, Action::Export)?;
    let names = Names::load(db, spec).await?;
    let mut sink = Sink::start(spec, &(spec.label)("nav-companies"), &COMPANY_COLUMNS, out)?;
    let mut after: Option<Cursor> = None;
    loop {
        let page =
            crate::companies::list(db, access, filter, sort, descending, after.as_ref(), PAGE_ROWS).await?;
        let rows = page.items.iter().map(|c| {
            let f = &c.fields;
            vec![
                Cell::Text(f.name.clone()),
                text(f.inn.as_ref().map(|v| v.as_str())),
                text(f.kpp.as_ref().map(|v| v.as_str())),
                text(f.ogrn.as_ref().map(|v| v.as_str())),
                text(f.industry.as_deref()),
                text(f.region.as_deref()),
                listed(f.phones.iter().map(|p| p.as_str())),
                listed(f.emails.iter().map(|e| e.as_str())),
                names.user(Some(c.owner_id)),
                names.time(Some(c.created_at)),
            ]
        });
        sink.write(rows.collect()).await?;
        let Some(next) = page.next else { break };
        after = Some(next);
    }
    let described = Describe::default()
        .add("q", filter.q.as_deref())
        .add("inn", filter.inn.as_deref())
        .add("kpp", filter.kpp.as_deref())
        .ids("owners", filter.owner_ids.as_ref())
        .add("region", filter.region.as_deref())
        .add("industry", filter.industry.as_deref())
        .add("source", filter.source.as_deref())
        .add("created_from", filter.created_from)
        .add("created_to", filter.created_to)
        .add("sort", Some(sort_text(sort, descending)))
        .finish();
    complete(db, access, sink, "companies", described, spec.format).await
}

const CONTACT_COLUMNS: [(&str, ColumnKind); 7] = [
    ("field-full-name", ColumnKind::Text),
    ("field-position", ColumnKind::Text),
    ("field-company", ColumnKind::Text),
    ("field-phones", ColumnKind::Text),
    ("field-emails", ColumnKind::Text),
    ("field-owner", ColumnKind::Text),
    ("field-created", ColumnKind::DateTime),
];

pub async fn contacts<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    filter: &ContactFilter,
    sort: ContactSort,
    descending: bool,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Contacts, Action::Export)?;
    let names = Names::load(db, spec).await?;
    let mut sink = Sink::start(spec, &(spec.label)("nav-contacts"), &CONTACT_COLUMNS, out)?;
    let mut after: Option<Cursor> = None;
    loop {
        let page =
            crate::contacts::list(db, access, filter, sort, descending, after.as_ref(), PAGE_ROWS).await?;
        let companies =
            crate::companies::names(db, access, &ids(page.items.iter().map(|c| c.fields.company_id))).await?;
        let rows = page.items.iter().map(|c| {
            let f = &c.fields;
            vec![
                Cell::Text(f.full_name()),
                text(f.position.as_deref()),
                names.linked(&companies, "deals-company-number", f.company_id),
                listed(f.phones.iter().map(|p| p.as_str())),
                listed(f.emails.iter().map(|e| e.as_str())),
                names.user(Some(c.owner_id)),
                names.time(Some(c.created_at)),
            ]
        });
        sink.write(rows.collect()).await?;
        let Some(next) = page.next else { break };
        after = Some(next);
    }
    let described = Describe::default()
        .add("q", filter.q.as_deref())
        .add("company", filter.company_id)
        .ids("owners", filter.owner_ids.as_ref())
        .add("created_from", filter.created_from)
        .add("created_to", filter.created_to)
        .add("sort", Some(sort_text(sort, descending)))
        .finish();
    complete(db, access, sink, "contacts", described, spec.format).await
}

const DEAL_COLUMNS: [(&str, ColumnKind); 10] = [
    ("field-title", ColumnKind::Text),
    ("field-company", ColumnKind::Text),
    ("field-stage", ColumnKind::Text),
    ("field-status", ColumnKind::Text),
    ("field-amount", ColumnKind::Money),
    ("field-probability", ColumnKind::Percent),
    ("field-expected-close-date", ColumnKind::Date),
    ("field-owner", ColumnKind::Text),
    ("field-created", ColumnKind::DateTime),
    ("field-closed", ColumnKind::DateTime),
];

pub async fn deals<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    filter: &DealFilter,
    sort: DealSort,
    descending: bool,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Deals, Action::Export)?;
    let names = Names::load(db, spec).await?;
    let stages: HashMap<_, _> = pipelines::stages(db)
        .await?
        .into_iter()
        .map(|s| (s.id, if spec.locale == Locale::En { s.name_en } else { s.name_ru }))
        .collect();
    let mut sink = Sink::start(spec, &(spec.label)("nav-deals"), &DEAL_COLUMNS, out)?;
    let mut after: Option<Cursor> = None;
    loop {
        let page =
            crate::deals::list(db, access, filter, sort, descending, after.as_ref(), PAGE_ROWS).await?;
        let companies =
            crate::companies::names(db, access, &ids(page.items.iter().map(|d| d.fields.company_id))).await?;
        let rows = page.items.iter().map(|d| {
            vec![
                Cell::Text(d.fields.title.clone()),
                names.linked(&companies, "deals-company-number", d.fields.company_id),
                name_of(&stages, Some(d.stage_id)),
                names.label(format!("deal-status-{}", d.status)),
                Cell::Money(d.fields.amount),
                Cell::Percent(Decimal::new(i64::from(d.probability), 2)),
                d.fields.expected_close_date.map_or(Cell::Empty, Cell::Date),
                names.user(Some(d.owner_id)),
                names.time(Some(d.created_at)),
                names.time(d.closed_at),
            ]
        });
        sink.write(rows.collect()).await?;
        let Some(next) = page.next else { break };
        after = Some(next);
    }
    let described = Describe::default()
        .add("q", filter.q.as_deref())
        .add("pipeline", filter.pipeline_id)
        .ids("stages", filter.stage_ids.as_ref())
        .add("status", filter.status)
        .ids("owners", filter.owner_ids.as_ref())
        .add("company", filter.company_id)
        .add("contact", filter.contact_id)
        .add("source", filter.source.as_deref())
        .add("created_from", filter.created_from)
        .add("created_to", filter.created_to)
        .add("closed_from", filter.closed_from)
        .add("closed_to", filter.closed_to)
        .add("sort", Some(sort_text(sort, descending)))
        .finish();
    complete(db, access, sink, "deals", described, spec.format).await
}

const TASK_COLUMNS: [(&str, ColumnKind); 10] = [
    ("field-title", ColumnKind::Text),
    ("field-due", ColumnKind::DateTime),
    ("field-priority", ColumnKind::Text),
    ("field-status", ColumnKind::Text),
    ("field-assignee", ColumnKind::Text),
    ("field-company", ColumnKind::Text),
    ("field-contact", ColumnKind::Text),
    ("field-deal", ColumnKind::Text),
    ("field-done", ColumnKind::DateTime),
    ("field-created", ColumnKind::DateTime),
];

/// Tasks in the list's order (by due time); the status says open, overdue or done.
pub async fn tasks<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    filter: &TaskFilter,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Tasks, Action::Export)?;
    let names = Names::load(db, spec).await?;
    let now = orbita_domain::now();
    let mut sink = Sink::start(spec, &(spec.label)("nav-tasks"), &TASK_COLUMNS, out)?;
    let mut after: Option<Cursor> = None;
    loop {
        let page = crate::tasks::list(db, access, filter, after.as_ref(), PAGE_ROWS).await?;
        let companies =
            crate::companies::names(db, access, &ids(page.items.iter().map(|t| t.fields.company_id))).await?;
        let contacts =
            crate::contacts::names(db, access, &ids(page.items.iter().map(|t| t.fields.contact_id))).await?;
        let deals =
            crate::deals::titles(db, access, &ids(page.items.iter().map(|t| t.fields.deal_id))).await?;
        let rows = page.items.iter().map(|t| {
            let f = &t.fields;
            let status = match t.done_at {
                Some(_) => "task-status-done",
                None if t.is_overdue(now) => "task-overdue",
                None => "task-status-open",
            };
            vec![
                Cell::Text(f.title.clone()),
                names.time(f.due_at),
                names.label(format!("task-priority-{}", f.priority)),
                names.label(status.to_owned()),
                names.user(Some(f.assignee_id)),
                names.linked(&companies, "deals-company-number", f.company_id),
                names.linked(&contacts, "deals-contact-number", f.contact_id),
                names.linked(&deals, "deals-deal-number", f.deal_id),
                names.time(t.done_at),
                names.time(Some(t.created_at)),
            ]
        });
        sink.write(rows.collect()).await?;
        let Some(next) = page.next else { break };
        after = Some(next);
    }
    let described = Describe::default()
        .ids("assignees", filter.assignee_ids.as_ref())
        .add("done", filter.done)
        .add("due_before", filter.due_before)
        .add("company", filter.company_id)
        .add("contact", filter.contact_id)
        .add("deal", filter.deal_id)
        .finish();
    complete(db, access, sink, "tasks", described, spec.format).await
}

const ACTIVITY_COLUMNS: [(&str, ColumnKind); 10] = [
    ("field-occurred", ColumnKind::DateTime),
    ("field-kind", ColumnKind::Text),
    ("field-direction", ColumnKind::Text),
    ("field-status", ColumnKind::Text),
    ("field-subject", ColumnKind::Text),
    ("field-duration-minutes", ColumnKind::Integer),
    ("field-responsible", ColumnKind::Text),
    ("field-company", ColumnKind::Text),
    ("field-contact", ColumnKind::Text),
    ("field-deal", ColumnKind::Text),
];

/// The register of contacts with counterparties, newest first (the list's order).
pub async fn activities<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    filter: &ActivityFilter,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Activities, Action::Export)?;
    let names = Names::load(db, spec).await?;
    let mut sink = Sink::start(spec, &(spec.label)("nav-activities"), &ACTIVITY_COLUMNS, out)?;
    let mut after: Option<Cursor> = None;
    loop {
        let page = crate::activities::list(db, access, filter, after.as_ref(), PAGE_ROWS).await?;
        let companies =
            crate::companies::names(db, access, &ids(page.items.iter().map(|a| a.fields.company_id))).await?;
        let contacts =
            crate::contacts::names(db, access, &ids(page.items.iter().map(|a| a.fields.contact_id))).await?;
        let deals =
            crate::deals::titles(db, access, &ids(page.items.iter().map(|a| a.fields.deal_id))).await?;
        let rows = page.items.iter().map(|a| {
            let f = &a.fields;
            vec![
                names.time(Some(f.occurred_at)),
                names.label(format!("activity-kind-{}", f.kind)),
                f.direction.map_or(Cell::Empty, |d| names.label(format!("activity-direction-{d}"))),
                names.label(format!("activity-status-{}", f.status)),
                Cell::Text(f.subject.clone()),
                f.duration_minutes.map_or(Cell::Empty, |m| Cell::Integer(i64::from(m))),
                names.user(Some(f.responsible_id)),
                names.linked(&companies, "deals-company-number", f.company_id),
                names.linked(&contacts, "deals-contact-number", f.contact_id),
                names.linked(&deals, "deals-deal-number", f.deal_id),
            ]
        });
        sink.write(rows.collect()).await?;
        let Some(next) = page.next else { break };
        after = Some(next);
    }
    let described = Describe::default()
        .add("kind", filter.kind)
        .add("status", filter.status)
        .ids("responsible", filter.responsible_ids.as_ref())
        .add("company", filter.company_id)
        .add("contact", filter.contact_id)
        .add("deal", filter.deal_id)
        .add("from", filter.from)
        .add("to", filter.to)
        .finish();
    complete(db, access, sink, "activities", described, spec.format).await
}

/// The keys the audit log page already uses for its columns.
const AUDIT_COLUMNS: [(&str, ColumnKind); 7] = [
    ("audit-when", ColumnKind::DateTime),
    ("audit-who", ColumnKind::Text),
    ("audit-ip", ColumnKind::Text),
    ("audit-entity", ColumnKind::Text),
    ("field-id", ColumnKind::Integer),
    ("audit-what", ColumnKind::Text),
    ("audit-changes", ColumnKind::Text),
];

/// The audit log, newest first; changes as `field: before → after` text.
pub async fn audit_log<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    filter: &AuditFilter,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::AuditLog, Action::Export)?;
    let names = Names::load(db, spec).await?;
    let mut sink = Sink::start(spec, &(spec.label)("admin-audit"), &AUDIT_COLUMNS, out)?;
    let mut after: Option<Cursor> = None;
    loop {
        let page = crate::admin::audit_log(db, access, filter, after.as_ref(), PAGE_ROWS).await?;
        let rows = page.items.iter().map(|e| {
            let changes = e.changes.iter().map(|c| {
                let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
                format!("{}: {} → {}", c.field, side(&c.before), side(&c.after))
            });
            vec![
                names.time(Some(e.occurred_at)),
                if e.actor_id.is_some() {
                    names.user(e.actor_id)
                } else {
                    names.label("audit-system".into())
                },
                text(e.ip.as_deref()),
                Cell::Text(e.entity.clone()),
                e.entity_id.map_or(Cell::Empty, Cell::Integer),
                // Keys are kebab-case (`audit-action-stage-change`); actions are snake_case.
                names.label(format!("audit-action-{}", e.action.as_str().replace('_', "-"))),
                Cell::Text(changes.collect::<Vec<_>>().join("; ")),
            ]
        });
        sink.write(rows.collect()).await?;
        let Some(next) = page.next else { break };
        after = Some(next);
    }
    let described = Describe::default()
        .add("actor", filter.actor_id)
        .add("entity", filter.entity.as_deref())
        .add("entity_id", filter.entity_id)
        .add("action", filter.action)
        .add("from", filter.from)
        .add("to", filter.to)
        .finish();
    complete(db, access, sink, "audit_log", described, spec.format).await
}

const SUMMARY_COLUMNS: [(&str, ColumnKind); 16] = [
    ("field-responsible", ColumnKind::Text),
    ("report-deals-created", ColumnKind::Integer),
    ("report-won-count", ColumnKind::Integer),
    ("report-won-amount", ColumnKind::Money),
    ("report-lost-count", ColumnKind::Integer),
    ("report-open-amount", ColumnKind::Money),
    ("report-forecast", ColumnKind::Money),
    ("report-conversion", ColumnKind::Percent),
    ("report-average-won", ColumnKind::Money),
    ("report-calls", ColumnKind::Integer),
    ("report-meetings", ColumnKind::Integer),
    ("report-tasks-done", ColumnKind::Integer),
    ("report-tasks-open", ColumnKind::Integer),
    ("report-tasks-overdue", ColumnKind::Integer),
    ("report-target", ColumnKind::Money),
    ("report-target-percent", ColumnKind::Percent),
];

fn summary_row(row: &SummaryRow, name: String) -> Vec<Cell> {
    vec![
        Cell::Text(name),
        Cell::Integer(row.deals_created),
        Cell::Integer(row.won_count),
        Cell::Money(row.won_amount),
        Cell::Integer(row.lost_count),
        Cell::Money(row.open_amount),
        Cell::Money(row.forecast),
        row.conversion.map_or(Cell::Empty, Cell::Percent),
        row.average_won.map_or(Cell::Empty, Cell::Money),
        Cell::Integer(row.calls),
        Cell::Integer(row.meetings),
        Cell::Integer(row.tasks_done),
        Cell::Integer(row.tasks_open),
        Cell::Integer(row.tasks_overdue),
        row.target.map_or(Cell::Empty, Cell::Money),
        row.target_percent.map_or(Cell::Empty, Cell::Percent),
    ]
}

/// The summary report as on screen: a row per employee and the total. Amounts are in the
/// organisation's currency; deals in other currencies count in the counts only.
pub async fn summary_report<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    params: &SummaryParams,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Reports, Action::Export)?;
    let report = crate::reports::summary(db, access, params).await?;
    let mut sink = Sink::start(spec, &(spec.label)("nav-reports"), &SUMMARY_COLUMNS, out)?;
    let mut rows: Vec<Vec<Cell>> = report.rows.iter().map(|r| summary_row(r, r.name.clone())).collect();
    rows.push(summary_row(&report.total, (spec.label)("report-total")));
    sink.write(rows).await?;
    let described = Describe::default()
        .add("from", Some(params.from))
        .add("to", Some(params.to))
        .add("group", params.group)
        .finish();
    complete(db, access, sink, "summary_report", described, spec.format).await
}

const FUNNEL_COLUMNS: [(&str, ColumnKind); 6] = [
    ("field-stage", ColumnKind::Text),
    ("report-funnel-reached", ColumnKind::Integer),
    ("report-funnel-previous", ColumnKind::Percent),
    ("report-funnel-start", ColumnKind::Percent),
    ("report-funnel-lost-here", ColumnKind::Integer),
    ("report-funnel-lost-reasons", ColumnKind::Text),
];

/// How many lost reasons a stage lists, as the funnel page does.
pub const FUNNEL_REASONS: usize = 3;

/// A stage's most frequent lost reasons as the page writes them: `Дорого (3), без причины (1)`.
pub fn funnel_reasons(reasons: &[(String, i64)], label: &dyn Fn(&str) -> String) -> String {
    reasons
        .iter()
        .take(FUNNEL_REASONS)
        .map(|(reason, n)| {
            let reason = if reason.is_empty() { label("report-reason-none") } else { reason.clone() };
            format!("{reason} ({n})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The funnel's columns, each at least as wide as its header: a few figures under long headers
/// ("Проиграны на этапе") would otherwise cut them off.
fn funnel_columns(spec: &ExportSpec<'_>) -> Vec<Column> {
    FUNNEL_COLUMNS
        .iter()
        .map(|(key, kind)| {
            let header = (spec.label)(key);
            let fit = header.chars().count() as f64 + 2.0;
            Column::new(header, *kind).with_width(fit.max(kind.default_width()))
        })
        .collect()
}

fn funnel_stage_row(stage: &FunnelStage, spec: &ExportSpec<'_>) -> Vec<Cell> {
    let name = if spec.locale == Locale::En { &stage.stage.name_en } else { &stage.stage.name_ru };
    vec![
        Cell::Text(name.clone()),
        Cell::Integer(stage.reached),
        stage.from_previous.map_or(Cell::Empty, Cell::Percent),
        stage.from_start.map_or(Cell::Empty, Cell::Percent),
        Cell::Integer(stage.lost_here),
        Cell::Text(funnel_reasons(&stage.lost_reasons, spec.label)),
    ]
}

/// The funnel's sheet as the page reads: a row per stage, then the deals lost before any stage
/// (only when there are some, as the page's note), then the total: the deals of the cohort and
/// how many of them are lost.
fn funnel_rows(funnel: &Funnel, spec: &ExportSpec<'_>) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = funnel.stages.iter().map(|s| funnel_stage_row(s, spec)).collect();
    let line = |key: &str, reached: Cell, lost: i64| {
        vec![
            Cell::Text((spec.label)(key)),
            reached,
            Cell::Empty,
            Cell::Empty,
            Cell::Integer(lost),
            Cell::Empty,
        ]
    };
    if funnel.lost_elsewhere > 0 {
        rows.push(line("report-funnel-lost-elsewhere-row", Cell::Empty, funnel.lost_elsewhere));
    }
    rows.push(line("report-total", Cell::Integer(funnel.deals), funnel.lost));
    rows
}

/// The funnel as on screen, for the same pipeline, period and slices, counted over the deals
/// of the employees the user may report on.
pub async fn funnel_report<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    params: &FunnelParams,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Reports, Action::Export)?;
    let funnel = crate::reports::funnel(db, access, params).await?;
    let mut sink = Sink::with_columns(spec, &(spec.label)("report-funnel-title"), funnel_columns(spec), out)?;
    sink.write(funnel_rows(&funnel, spec)).await?;
    let described = Describe::default()
        .add("pipeline", Some(params.pipeline_id))
        .add("from", Some(params.from))
        .add("to", Some(params.to))
        .add("owner", params.owner)
        .add("group", params.group)
        .add("source", params.source.as_deref())
        .add("region", params.region.as_deref())
        .add("industry", params.industry.as_deref())
        .finish();
    complete(db, access, sink, "funnel_report", described, spec.format).await
}
