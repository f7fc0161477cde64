//! What each list's file writes: its columns, how a page of it is read, and how one record
//! becomes cells. Everything else is `lists::write`'s, the same for all.

use orbita_domain::access::Area;
use orbita_domain::activity::Activity;
use orbita_domain::audit::AuditEvent;
use orbita_domain::company::Company;
use orbita_domain::contact::Contact;
use orbita_domain::custom::CustomValues;
use orbita_domain::deal::Deal;
use orbita_domain::kind::RecordKind;
use orbita_domain::list::Page;
use orbita_domain::task::Task;
use orbita_export::{Cell, ColumnKind};
use orbita_storage::activities::ActivityFilter;
use orbita_storage::audit::AuditFilter;
use orbita_storage::companies::{CompanyFilter, CompanySort};
use orbita_storage::contacts::{ContactFilter, ContactSort};
use orbita_storage::deals::{DealFilter, DealSort};
use orbita_storage::tasks::TaskFilter;
use orbita_storage::{Cursor, Db};
use rust_decimal::Decimal;

use super::columns::{CompanyColumn, ContactColumn, DealColumn};
use super::lists::{FixedExport, Linked, Linking, Links, ListExport, ListFile};
use super::{Describe, Names, PAGE_ROWS, listed, text};
use crate::{Access, AppError};

pub type CompanyExport = ListExport<CompanyFilter, CompanySort, CompanyColumn>;
pub type ContactExport = ListExport<ContactFilter, ContactSort, ContactColumn>;
pub type DealExport = ListExport<DealFilter, DealSort, DealColumn>;
pub type TaskExport = FixedExport<TaskFilter>;
pub type ActivityExport = FixedExport<ActivityFilter>;

/// The companies as the list shows them, in the chosen columns.
impl ListFile for CompanyExport {
    type Record = Company;
    const AREA: Area = Area::Companies;
    const KIND: Option<RecordKind> = Some(RecordKind::Company);
    const ENTITY: &'static str = "companies";
    const SHEET: &'static str = "nav-companies";

    fn headers(&self) -> Vec<(&'static str, ColumnKind)> {
        ListExport::headers(self)
    }

    fn custom_keys(&self) -> &[String] {
        &self.custom
    }

    async fn page(
        &self,
        db: &Db,
        access: &Access,
        after: Option<&Cursor>,
    ) -> Result<Page<Company>, AppError> {
        crate::companies::list(db, access, &self.filter, self.sort, self.descending, after, PAGE_ROWS).await
    }

    fn row(&self, c: &Company, names: &Names<'_>, _: &Linked) -> Vec<Cell> {
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
        self.shown().map(|c| cell(&c)).collect()
    }

    fn custom(c: &Company) -> Option<&CustomValues> {
        Some(&c.custom)
    }

    fn describe(&self) -> String {
        let filter = &self.filter;
        ListExport::describe(
            self,
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
        )
    }
}

/// The contacts as the list shows them, in the chosen columns.
impl ListFile for ContactExport {
    type Record = Contact;
    const AREA: Area = Area::Contacts;
    const KIND: Option<RecordKind> = Some(RecordKind::Contact);
    const ENTITY: &'static str = "contacts";
    const SHEET: &'static str = "nav-contacts";

    fn headers(&self) -> Vec<(&'static str, ColumnKind)> {
        ListExport::headers(self)
    }

    fn custom_keys(&self) -> &[String] {
        &self.custom
    }

    async fn page(
        &self,
        db: &Db,
        access: &Access,
        after: Option<&Cursor>,
    ) -> Result<Page<Contact>, AppError> {
        crate::contacts::list(db, access, &self.filter, self.sort, self.descending, after, PAGE_ROWS).await
    }

    fn linking(&self) -> Linking {
        Linking { companies: self.shows(ContactColumn::Company), ..Linking::default() }
    }

    fn links(c: &Contact) -> Links {
        Links { company: c.fields.company_id, ..Links::default() }
    }

    fn row(&self, c: &Contact, names: &Names<'_>, linked: &Linked) -> Vec<Cell> {
        let f = &c.fields;
        let cell = |column: &ContactColumn| match column {
            ContactColumn::Name => Cell::Text(f.full_name()),
            ContactColumn::Position => text(f.position.as_deref()),
            ContactColumn::Company => linked.company(names, f.company_id),
            ContactColumn::Phone => listed(f.phones.iter().map(|p| p.as_str())),
            ContactColumn::Email => listed(f.emails.iter().map(|e| e.as_str())),
            ContactColumn::Owner => names.user(Some(c.owner_id)),
            ContactColumn::Created => names.time(Some(c.created_at)),
            ContactColumn::Updated => names.time(Some(c.updated_at)),
        };
        self.shown().map(|c| cell(&c)).collect()
    }

    fn custom(c: &Contact) -> Option<&CustomValues> {
        Some(&c.custom)
    }

    fn describe(&self) -> String {
        let filter = &self.filter;
        ListExport::describe(
            self,
            Describe::default()
                .add("q", filter.q.as_deref())
                .add("company", filter.company_id)
                .ids("owners", filter.owner_ids.as_ref())
                .add("created_from", filter.created_from)
                .add("created_to", filter.created_to),
        )
    }
}

/// The deals as the list shows them, in the chosen columns.
impl ListFile for DealExport {
    type Record = Deal;
    const AREA: Area = Area::Deals;
    const KIND: Option<RecordKind> = Some(RecordKind::Deal);
    const ENTITY: &'static str = "deals";
    const SHEET: &'static str = "nav-deals";

    fn headers(&self) -> Vec<(&'static str, ColumnKind)> {
        ListExport::headers(self)
    }

    fn custom_keys(&self) -> &[String] {
        &self.custom
    }

    async fn page(&self, db: &Db, access: &Access, after: Option<&Cursor>) -> Result<Page<Deal>, AppError> {
        crate::deals::list(db, access, &self.filter, self.sort, self.descending, after, PAGE_ROWS).await
    }

    fn linking(&self) -> Linking {
        Linking {
            companies: self.shows(DealColumn::Company),
            contacts: self.shows(DealColumn::Contact),
            deals: false,
        }
    }

    fn links(d: &Deal) -> Links {
        Links { company: d.fields.company_id, contact: d.fields.contact_id, deal: None }
    }

    fn row(&self, d: &Deal, names: &Names<'_>, linked: &Linked) -> Vec<Cell> {
        let f = &d.fields;
        let cell = |column: &DealColumn| match column {
            DealColumn::Title => Cell::Text(f.title.clone()),
            DealColumn::Company => linked.company(names, f.company_id),
            DealColumn::Contact => linked.contact(names, f.contact_id),
            DealColumn::Amount => Cell::Money(f.amount),
            DealColumn::Stage => names.stage(d.stage_id),
            DealColumn::Status => names.label(format!("deal-status-{}", d.status)),
            DealColumn::Probability => Cell::Percent(Decimal::new(i64::from(d.probability), 2)),
            DealColumn::Owner => names.user(Some(d.owner_id)),
            DealColumn::Source => text(f.source.as_deref()),
            DealColumn::ExpectedClose => f.expected_close_date.map_or(Cell::Empty, Cell::Date),
            DealColumn::Created => names.time(Some(d.created_at)),
            DealColumn::Updated => names.time(Some(d.updated_at)),
            DealColumn::Closed => names.time(d.closed_at),
        };
        self.shown().map(|c| cell(&c)).collect()
    }

    fn custom(d: &Deal) -> Option<&CustomValues> {
        Some(&d.custom)
    }

    fn describe(&self) -> String {
        let filter = &self.filter;
        ListExport::describe(
            self,
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
        )
    }
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
impl ListFile for TaskExport {
    type Record = Task;
    const AREA: Area = Area::Tasks;
    const KIND: Option<RecordKind> = Some(RecordKind::Task);
    const ENTITY: &'static str = "tasks";
    const SHEET: &'static str = "nav-tasks";

    fn headers(&self) -> Vec<(&'static str, ColumnKind)> {
        TASK_COLUMNS.to_vec()
    }

    fn custom_keys(&self) -> &[String] {
        &self.custom
    }

    async fn page(&self, db: &Db, access: &Access, after: Option<&Cursor>) -> Result<Page<Task>, AppError> {
        crate::tasks::list(db, access, &self.filter, after, PAGE_ROWS).await
    }

    fn linking(&self) -> Linking {
        Linking::ALL
    }

    fn links(t: &Task) -> Links {
        Links { company: t.fields.company_id, contact: t.fields.contact_id, deal: t.fields.deal_id }
    }

    fn row(&self, t: &Task, names: &Names<'_>, linked: &Linked) -> Vec<Cell> {
        let f = &t.fields;
        let status = match t.done_at {
            Some(_) => "task-status-done",
            None if t.is_overdue(names.now) => "task-overdue",
            None => "task-status-open",
        };
        vec![
            Cell::Text(f.title.clone()),
            names.time(f.due_at),
            names.label(format!("task-priority-{}", f.priority)),
            names.label(status.to_owned()),
            names.user(Some(f.assignee_id)),
            linked.company(names, f.company_id),
            linked.contact(names, f.contact_id),
            linked.deal(names, f.deal_id),
            names.time(t.done_at),
            names.time(Some(t.created_at)),
        ]
    }

    fn custom(t: &Task) -> Option<&CustomValues> {
        Some(&t.custom)
    }

    fn describe(&self) -> String {
        let filter = &self.filter;
        Describe::default()
            .ids("assignees", filter.assignee_ids.as_ref())
            .add("done", filter.done)
            .add("due_before", filter.due_before)
            .add("company", filter.company_id)
            .add("contact", filter.contact_id)
            .add("deal", filter.deal_id)
            .add("columns", self.columns())
            .finish()
    }
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
impl ListFile for ActivityExport {
    type Record = Activity;
    const AREA: Area = Area::Activities;
    const KIND: Option<RecordKind> = Some(RecordKind::Activity);
    const ENTITY: &'static str = "activities";
    const SHEET: &'static str = "nav-activities";

    fn headers(&self) -> Vec<(&'static str, ColumnKind)> {
        ACTIVITY_COLUMNS.to_vec()
    }

    fn custom_keys(&self) -> &[String] {
        &self.custom
    }

    async fn page(
        &self,
        db: &Db,
        access: &Access,
        after: Option<&Cursor>,
    ) -> Result<Page<Activity>, AppError> {
        crate::activities::list(db, access, &self.filter, after, PAGE_ROWS).await
    }

    fn linking(&self) -> Linking {
        Linking::ALL
    }

    fn links(a: &Activity) -> Links {
        Links { company: a.fields.company_id, contact: a.fields.contact_id, deal: a.fields.deal_id }
    }

    fn row(&self, a: &Activity, names: &Names<'_>, linked: &Linked) -> Vec<Cell> {
        let f = &a.fields;
        vec![
            names.time(Some(f.occurred_at)),
            names.label(format!("activity-kind-{}", f.kind)),
            f.direction.map_or(Cell::Empty, |d| names.label(format!("activity-direction-{d}"))),
            names.label(format!("activity-status-{}", f.status)),
            Cell::Text(f.subject.clone()),
            f.duration_minutes.map_or(Cell::Empty, |m| Cell::Integer(i64::from(m))),
            names.user(Some(f.responsible_id)),
            linked.company(names, f.company_id),
            linked.contact(names, f.contact_id),
            linked.deal(names, f.deal_id),
        ]
    }

    fn custom(a: &Activity) -> Option<&CustomValues> {
        Some(&a.custom)
    }

    fn describe(&self) -> String {
        let filter = &self.filter;
        Describe::default()
            .add("kind", filter.kind)
            .add("status", filter.status)
            .ids("responsible", filter.responsible_ids.as_ref())
            .add("company", filter.company_id)
            .add("contact", filter.contact_id)
            .add("deal", filter.deal_id)
            .add("from", filter.from)
            .add("to", filter.to)
            .add("columns", self.columns())
            .finish()
    }
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
impl ListFile for AuditFilter {
    type Record = AuditEvent;
    const AREA: Area = Area::AuditLog;
    const KIND: Option<RecordKind> = None;
    const ENTITY: &'static str = "audit_log";
    const SHEET: &'static str = "admin-audit";

    fn headers(&self) -> Vec<(&'static str, ColumnKind)> {
        AUDIT_COLUMNS.to_vec()
    }

    async fn page(
        &self,
        db: &Db,
        access: &Access,
        after: Option<&Cursor>,
    ) -> Result<Page<AuditEvent>, AppError> {
        crate::admin::audit_log(db, access, self, after, PAGE_ROWS).await
    }

    fn row(&self, e: &AuditEvent, names: &Names<'_>, _: &Linked) -> Vec<Cell> {
        let changes = e.changes.iter().map(|c| {
            let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
            format!("{}: {} → {}", c.field, side(&c.before), side(&c.after))
        });
        vec![
            names.time(Some(e.occurred_at)),
            if e.actor_id.is_some() { names.user(e.actor_id) } else { names.label("audit-system".into()) },
            text(e.ip.as_deref()),
            Cell::Text(e.entity.clone()),
            e.entity_id.map_or(Cell::Empty, Cell::Integer),
            // Keys are kebab-case (`audit-action-stage-change`); actions are snake_case.
            names.label(format!("audit-action-{}", e.action.as_str().replace('_', "-"))),
            Cell::Text(changes.collect::<Vec<_>>().join("; ")),
        ]
    }

    fn describe(&self) -> String {
        Describe::default()
            .add("actor", self.actor_id)
            .add("entity", self.entity.as_deref())
            .add("entity_id", self.entity_id)
            .add("action", self.action)
            .add("from", self.from)
            .add("to", self.to)
            .finish()
    }
}
