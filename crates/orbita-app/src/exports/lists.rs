//! The lists' exports: companies, contacts, deals, tasks, activities and the audit log, each
//! paging through the same app-layer list function its screen calls.

use std::collections::HashMap;
use std::io::Write;

use orbita_domain::access::{Action, Area};
use orbita_domain::kind::RecordKind;
use orbita_domain::org::Locale;
use orbita_export::{Cell, Column, ColumnKind};
use orbita_storage::activities::ActivityFilter;
use orbita_storage::audit::AuditFilter;
use orbita_storage::companies::{CompanyFilter, CompanySort};
use orbita_storage::contacts::{ContactFilter, ContactSort};
use orbita_storage::deals::{DealFilter, DealSort};
use orbita_storage::tasks::TaskFilter;
use orbita_storage::{Cursor, Db, pipelines};
use rust_decimal::Decimal;

use super::ExportFailure;
use super::columns::{CompanyColumn, ContactColumn, DealColumn, ListColumn, choose};
use super::custom::CustomColumns;
use super::{
    Describe, Done, ExportSpec, Names, PAGE_ROWS, Sink, complete, ids, listed, name_of, sort_text, text,
};
use crate::Access;

/// A list's export as its page reads it from the URL: the filter, the sort and the columns
/// chosen (none: the list's default set).
#[derive(Debug, Clone)]
pub struct ListExport<F, S, C> {
    pub filter: F,
    pub sort: S,
    pub descending: bool,
    pub columns: Vec<C>,
    /// Custom fields to write after the columns, by key (`window_type`).
    pub custom: Vec<String>,
}

pub type CompanyExport = ListExport<CompanyFilter, CompanySort, CompanyColumn>;
pub type ContactExport = ListExport<ContactFilter, ContactSort, ContactColumn>;
pub type DealExport = ListExport<DealFilter, DealSort, DealColumn>;

impl<F, S: std::fmt::Debug + Copy, C: ListColumn> ListExport<F, S, C> {
    /// The columns to write, as the page shows them: the chosen ones in the list's order with
    /// the identifying column first, or the default set when none are chosen.
    fn columns(&self) -> Vec<C> {
        let keys: Vec<&str> = self.columns.iter().map(|c| c.key()).collect();
        choose(&keys)
    }

    fn headers(&self) -> Vec<(&'static str, ColumnKind)> {
        self.columns().iter().map(|c| (c.header(), c.kind())).collect()
    }

    fn shows(&self, column: C) -> bool {
        self.columns().contains(&column)
    }

    /// Starts the file: the chosen columns, then the chosen custom fields of `kind`.
    async fn open<'a, W: Write + Send + 'static>(
        &self,
        db: &Db,
        spec: &ExportSpec<'a>,
        kind: RecordKind,
        sheet: &str,
        out: W,
    ) -> Result<(Sink<'a, W>, CustomColumns), ExportFailure> {
        open(db, spec, kind, sheet, &self.headers(), &self.custom, out).await
    }

    /// The sort and, when not the default set, the columns: the audit event's tail.
    fn describe(&self, described: Describe) -> String {
        let columns = self.columns();
        let mut keys: Vec<String> = columns.iter().map(|c| c.key().to_owned()).collect();
        keys.extend(self.custom.iter().map(|k| format!("custom.{k}")));
        let chosen = (columns != C::DEFAULT || !self.custom.is_empty()).then(|| keys.join(","));
        described.add("sort", Some(sort_text(self.sort, self.descending))).add("columns", chosen).finish()
    }
}

/// Starts a file of `kind`: the `headers`, then the custom fields of `custom` (keys).
async fn open<'a, W: Write + Send + 'static>(
    db: &Db,
    spec: &ExportSpec<'a>,
    kind: RecordKind,
    sheet: &str,
    headers: &[(&'static str, ColumnKind)],
    custom: &[String],
    out: W,
) -> Result<(Sink<'a, W>, CustomColumns), ExportFailure> {
    let custom = CustomColumns::load(db, kind, custom).await?;
    let mut columns: Vec<Column> =
        headers.iter().map(|(key, kind)| Column::new((spec.label)(key), *kind)).collect();
    columns.extend(super::custom::columns(&custom.fields, spec.locale));
    Ok((Sink::with_columns(spec, &(spec.label)(sheet), columns, out)?, custom))
}

/// A list with fixed columns (tasks, activities) as its page reads it: the filter, and the
/// custom fields chosen as extra columns, by key.
#[derive(Debug, Clone, Default)]
pub struct FixedExport<F> {
    pub filter: F,
    pub custom: Vec<String>,
}

impl<F> From<F> for FixedExport<F> {
    fn from(filter: F) -> Self {
        FixedExport { filter, custom: Vec::new() }
    }
}

impl<F> FixedExport<F> {
    /// The audit event's note of the custom columns, when any.
    fn columns(&self) -> Option<String> {
        (!self.custom.is_empty())
            .then(|| self.custom.iter().map(|k| format!("custom.{k}")).collect::<Vec<_>>().join(","))
    }
}

pub type TaskExport = FixedExport<TaskFilter>;
pub type ActivityExport = FixedExport<ActivityFilter>;

/// The companies as the list shows them, in the chosen columns.
pub async fn companies<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    export: &CompanyExport,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Companies, Action::Export)?;
    let names = Names::load(db, spec).await?;
    let (mut sink, custom) = export.open(db, spec, RecordKind::Company, "nav-companies", out).await?;
    let (filter, columns) = (&export.filter, export.columns());
    let mut after: Option<Cursor> = None;
    loop {
        let page = crate::companies::list(
            db,
            access,
            filter,
            export.sort,
            export.descending,
            after.as_ref(),
            PAGE_ROWS,
        )
        .await?;
        let rows = page.items.iter().map(|c| {
            let f = &c.fields;
            let cell = |column: &CompanyColumn| match column {
                CompanyColumn::Name => Cell::Text(f.name.clone()),
                CompanyColumn::Inn => text(f.inn.as_ref().map(|v| v.as_str())),
                CompanyColumn::Kpp => text(f.kpp.as_ref().map(|v| v.as_str())),
                CompanyColumn::Ogrn => text(f.ogrn.as_ref().map(|v| v.as_str())),
                CompanyColumn::Region => text(f.region.as_deref()),
                CompanyColumn::Industry => text(f.industry.as_deref()),
                CompanyColumn::Phone => listed(f.phones.iter().map(|p| p.as_str())),
                CompanyColumn::Email => listed(f.emails.iter().map(|e| e.as_str())),
                CompanyColumn::Source => text(f.source.as_deref()),
                CompanyColumn::Owner => names.user(Some(c.owner_id)),
                CompanyColumn::Created => names.time(Some(c.created_at)),
                CompanyColumn::Updated => names.time(Some(c.updated_at)),
            };
            let mut cells: Vec<Cell> = columns.iter().map(cell).collect();
            cells.extend(custom.cells(&c.custom, &names));
            cells
        });
        sink.write(rows.collect()).await?;
        let Some(next) = page.next else { break };
        after = Some(next);
    }
    let described = export.describe(
        Describe::default()
            .add("q", filter.q.as_deref())
            .add("inn", filter.inn.as_deref())
            .add("kpp", filter.kpp.as_deref())
            .ids("owners", filter.owner_ids.as_ref())
            .add("region", filter.region.as_deref())
            .add("industry", filter.industry.as_deref())
            .add("source", filter.source.as_deref())
            .add("created_from", filter.created_from)
            .add("created_to", filter.created_to),
    );
    complete(db, access, sink, "companies", described, spec.format).await
}

/// The contacts as the list shows them, in the chosen columns.
pub async fn contacts<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    export: &ContactExport,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Contacts, Action::Export)?;
    let names = Names::load(db, spec).await?;
    let (mut sink, custom) = export.open(db, spec, RecordKind::Contact, "nav-contacts", out).await?;
    let (filter, columns) = (&export.filter, export.columns());
    let with_company = export.shows(ContactColumn::Company);
    let mut after: Option<Cursor> = None;
    loop {
        let page = crate::contacts::list(
            db,
            access,
            filter,
            export.sort,
            export.descending,
            after.as_ref(),
            PAGE_ROWS,
        )
        .await?;
        // Linked names only for a column that is written: one query per page, none otherwise.
        let companies = if with_company {
            crate::companies::names(db, access, &ids(page.items.iter().map(|c| c.fields.company_id))).await?
        } else {
            HashMap::new()
        };
        let rows = page.items.iter().map(|c| {
            let f = &c.fields;
            let cell = |column: &ContactColumn| match column {
                ContactColumn::Name => Cell::Text(f.full_name()),
                ContactColumn::Position => text(f.position.as_deref()),
                ContactColumn::Company => names.linked(&companies, "deals-company-number", f.company_id),
                ContactColumn::Phone => listed(f.phones.iter().map(|p| p.as_str())),
                ContactColumn::Email => listed(f.emails.iter().map(|e| e.as_str())),
                ContactColumn::Owner => names.user(Some(c.owner_id)),
                ContactColumn::Created => names.time(Some(c.created_at)),
                ContactColumn::Updated => names.time(Some(c.updated_at)),
            };
            let mut cells: Vec<Cell> = columns.iter().map(cell).collect();
            cells.extend(custom.cells(&c.custom, &names));
            cells
        });
        sink.write(rows.collect()).await?;
        let Some(next) = page.next else { break };
        after = Some(next);
    }
    let described = export.describe(
        Describe::default()
            .add("q", filter.q.as_deref())
            .add("company", filter.company_id)
            .ids("owners", filter.owner_ids.as_ref())
            .add("created_from", filter.created_from)
            .add("created_to", filter.created_to),
    );
    complete(db, access, sink, "contacts", described, spec.format).await
}

/// The deals as the list shows them, in the chosen columns.
pub async fn deals<W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    export: &DealExport,
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
    let (mut sink, custom) = export.open(db, spec, RecordKind::Deal, "nav-deals", out).await?;
    let (filter, columns) = (&export.filter, export.columns());
    let (with_company, with_contact) = (export.shows(DealColumn::Company), export.shows(DealColumn::Contact));
    let mut after: Option<Cursor> = None;
    loop {
        let page =
            crate::deals::list(db, access, filter, export.sort, export.descending, after.as_ref(), PAGE_ROWS)
                .await?;
        let companies = if with_company {
            crate::companies::names(db, access, &ids(page.items.iter().map(|d| d.fields.company_id))).await?
        } else {
            HashMap::new()
        };
        let contacts = if with_contact {
            crate::contacts::names(db, access, &ids(page.items.iter().map(|d| d.fields.contact_id))).await?
        } else {
            HashMap::new()
        };
        let rows = page.items.iter().map(|d| {
            let f = &d.fields;
            let cell = |column: &DealColumn| match column {
                DealColumn::Title => Cell::Text(f.title.clone()),
                DealColumn::Company => names.linked(&companies, "deals-company-number", f.company_id),
                DealColumn::Contact => names.linked(&contacts, "deals-contact-number", f.contact_id),
                DealColumn::Amount => Cell::Money(f.amount),
                DealColumn::Stage => name_of(&stages, Some(d.stage_id)),
                DealColumn::Status => names.label(format!("deal-status-{}", d.status)),
                DealColumn::Probability => Cell::Percent(Decimal::new(i64::from(d.probability), 2)),
                DealColumn::Owner => names.user(Some(d.owner_id)),
                DealColumn::Source => text(f.source.as_deref()),
                DealColumn::ExpectedClose => f.expected_close_date.map_or(Cell::Empty, Cell::Date),
                DealColumn::Created => names.time(Some(d.created_at)),
                DealColumn::Updated => names.time(Some(d.updated_at)),
                DealColumn::Closed => names.time(d.closed_at),
            };
            let mut cells: Vec<Cell> = columns.iter().map(cell).collect();
            cells.extend(custom.cells(&d.custom, &names));
            cells
        });
        sink.write(rows.collect()).await?;
        let Some(next) = page.next else { break };
        after = Some(next);
    }
    let described = export.describe(
        Describe::default()
            .add("q", filter.q.as_deref())
            .add("pipeline", filter.pipeline_id)
            .ids("stages", filter.stage_ids.as_ref())
            .add("status", filter.status)
            .ids("owners", filter.owner_ids.as_ref())
            .add("company", filter.company_id)
            .add("contact", filter.contact_id)
            .add("source", filter.source.as_deref())
            .add("region", filter.region.as_deref())
            .add("industry", filter.industry.as_deref())
            .add("created_from", filter.created_from)
            .add("created_to", filter.created_to)
            .add("closed_from", filter.closed_from)
            .add("closed_to", filter.closed_to),
    );
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
    export: &TaskExport,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Tasks, Action::Export)?;
    let filter = &export.filter;
    let names = Names::load(db, spec).await?;
    let now = orbita_domain::now();
    let (mut sink, custom) =
        open(db, spec, RecordKind::Task, "nav-tasks", &TASK_COLUMNS, &export.custom, out).await?;
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
            let mut cells = vec![
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
            ];
            cells.extend(custom.cells(&t.custom, &names));
            cells
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
        .add("columns", export.columns())
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
    export: &ActivityExport,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(Area::Activities, Action::Export)?;
    let filter = &export.filter;
    let names = Names::load(db, spec).await?;
    let (mut sink, custom) =
        open(db, spec, RecordKind::Activity, "nav-activities", &ACTIVITY_COLUMNS, &export.custom, out)
            .await?;
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
            let mut cells = vec![
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
            ];
            cells.extend(custom.cells(&a.custom, &names));
            cells
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
        .add("columns", export.columns())
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
