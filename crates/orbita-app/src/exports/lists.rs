//! The lists' files, written alike: a list says how its pages are read and how one of its
//! records becomes cells (`ListFile`, in `files`); `write` does the rest for every list —
//! the Export right, the header, keyset paging through the app-layer list function its
//! screen calls, one visibility-aware look-up per page of the records rows link to, the
//! chosen custom fields, and the audit event once the file is complete.

use std::collections::HashMap;
use std::future::Future;
use std::io::Write;

use orbita_domain::access::{Action, Area};
use orbita_domain::custom::CustomValues;
use orbita_domain::kind::RecordKind;
use orbita_domain::list::Page;
use orbita_domain::{CompanyId, ContactId, DealId};
use orbita_export::{Cell, Column, ColumnKind};
use orbita_storage::{Cursor, Db};

use super::columns::ListColumn;
use super::custom::CustomColumns;
use super::{Describe, Done, ExportSpec, Names, Sink, complete, sort_text};
use crate::{Access, AppError};

/// One list's file: what it writes and how its records are read. A new kind of record
/// writes this and nothing else to get its downloads.
pub trait ListFile: Sync {
    type Record: Send + Sync;
    /// Whose Export right the file takes.
    const AREA: Area;
    /// The kind whose custom fields may be added as columns; none for the audit log.
    const KIND: Option<RecordKind>;
    /// The audit event's entity (`companies`) and the sheet's name key (`nav-companies`).
    const ENTITY: &'static str;
    const SHEET: &'static str;

    /// The built-in columns written: label keys and kinds.
    fn headers(&self) -> Vec<(&'static str, ColumnKind)>;
    /// The custom fields chosen as columns, by key.
    fn custom_keys(&self) -> &[String] {
        &[]
    }
    /// The next page, in the list's order, of what the user may see.
    fn page(
        &self,
        db: &Db,
        access: &Access,
        after: Option<&Cursor>,
    ) -> impl Future<Output = Result<Page<Self::Record>, AppError>> + Send;
    /// Which kinds of linked record the columns written name: only those are looked up,
    /// once a page, by name where the user may see them.
    fn linking(&self) -> Linking {
        Linking::default()
    }
    /// The records a row links to.
    fn links(_record: &Self::Record) -> Links {
        Links::default()
    }
    fn row(&self, record: &Self::Record, names: &Names<'_>, linked: &Linked) -> Vec<Cell>;
    fn custom(_record: &Self::Record) -> Option<&CustomValues> {
        None
    }
    /// The filter (and sort and columns) for the audit event.
    fn describe(&self) -> String;
}

/// Writes every row of `list` the user may see to `out`, as the list shows them.
pub async fn write<L: ListFile, W: Write + Send + 'static>(
    db: &Db,
    access: &Access,
    list: &L,
    spec: &ExportSpec<'_>,
    out: W,
) -> Done<W> {
    access.require(L::AREA, Action::Export)?;
    let names = Names::load(db, spec).await?;
    let custom = match L::KIND {
        Some(kind) => CustomColumns::load(db, kind, list.custom_keys(), names.currency).await?,
        None => CustomColumns::none(names.currency),
    };
    let mut columns: Vec<Column> =
        list.headers().iter().map(|(key, kind)| Column::new((spec.label)(key), *kind)).collect();
    columns.extend(super::custom::columns(&custom.fields, spec.locale));
    let mut sink = Sink::with_columns(spec, &(spec.label)(L::SHEET), columns, out)?;
    let linking = list.linking();
    let mut after: Option<Cursor> = None;
    loop {
        let page = list.page(db, access, after.as_ref()).await?;
        let linked = Linked::load(db, access, linking, page.items.iter().map(L::links)).await?;
        let rows = page.items.iter().map(|record| {
            let mut cells = list.row(record, &names, &linked);
            if let Some(values) = L::custom(record) {
                cells.extend(custom.cells(values, &names));
            }
            cells
        });
        sink.write(rows.collect()).await?;
        let Some(next) = page.next else { break };
        after = Some(next);
    }
    complete(db, access, sink, L::ENTITY, list.describe(), spec.format).await
}

/// The records one row names.
#[derive(Debug, Default, Clone, Copy)]
pub struct Links {
    pub company: Option<CompanyId>,
    pub contact: Option<ContactId>,
    pub deal: Option<DealId>,
}

/// Which kinds of linked record a file names.
#[derive(Debug, Default, Clone, Copy)]
pub struct Linking {
    pub companies: bool,
    pub contacts: bool,
    pub deals: bool,
}

impl Linking {
    pub const ALL: Linking = Linking { companies: true, contacts: true, deals: true };
}

/// The names of a page's linked records the user may see; one query per kind named, none
/// for a kind no row names.
#[derive(Debug, Default)]
pub struct Linked {
    companies: HashMap<CompanyId, String>,
    contacts: HashMap<ContactId, String>,
    deals: HashMap<DealId, String>,
}

impl Linked {
    async fn load(
        db: &Db,
        access: &Access,
        linking: Linking,
        links: impl Iterator<Item = Links>,
    ) -> Result<Linked, AppError> {
        let (mut companies, mut contacts, mut deals) = (Vec::new(), Vec::new(), Vec::new());
        for link in links {
            companies.extend(link.company.filter(|_| linking.companies));
            contacts.extend(link.contact.filter(|_| linking.contacts));
            deals.extend(link.deal.filter(|_| linking.deals));
        }
        let mut linked = Linked::default();
        if !companies.is_empty() {
            linked.companies = crate::companies::names(db, access, &companies).await?;
        }
        if !contacts.is_empty() {
            linked.contacts = crate::contacts::names(db, access, &contacts).await?;
        }
        if !deals.is_empty() {
            linked.deals = crate::deals::titles(db, access, &deals).await?;
        }
        Ok(linked)
    }

    pub(super) fn company(&self, names: &Names<'_>, id: Option<CompanyId>) -> Cell {
        names.linked(&self.companies, "deals-company-number", id)
    }

    pub(super) fn contact(&self, names: &Names<'_>, id: Option<ContactId>) -> Cell {
        names.linked(&self.contacts, "deals-contact-number", id)
    }

    pub(super) fn deal(&self, names: &Names<'_>, id: Option<DealId>) -> Cell {
        names.linked(&self.deals, "deals-deal-number", id)
    }
}

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

impl<F, S: std::fmt::Debug + Copy, C: ListColumn> ListExport<F, S, C> {
    /// The columns to write, as the page shows them: the chosen ones in the list's order with
    /// the identifying column first, or the default set when none are chosen.
    pub(super) fn columns(&self) -> Vec<C> {
        self.shown().collect()
    }

    /// `columns`, without a vector: a row is written from it.
    pub(super) fn shown(&self) -> impl Iterator<Item = C> + '_ {
        let chosen = !self.columns.is_empty();
        let (all, first) = (if chosen { C::ALL } else { C::DEFAULT }, C::ALL.first());
        all.iter().copied().filter(move |c| !chosen || Some(c) == first || self.columns.contains(c))
    }

    pub(super) fn headers(&self) -> Vec<(&'static str, ColumnKind)> {
        self.columns().iter().map(|c| (c.header(), c.kind())).collect()
    }

    pub(super) fn shows(&self, column: C) -> bool {
        self.columns().contains(&column)
    }

    /// The sort and, when not the default set, the columns: the audit event's tail.
    pub(super) fn describe(&self, described: Describe) -> String {
        let columns = self.columns();
        let mut keys: Vec<String> = columns.iter().map(|c| c.key().to_owned()).collect();
        keys.extend(self.custom.iter().map(|k| format!("custom.{k}")));
        let chosen = (columns != C::DEFAULT || !self.custom.is_empty()).then(|| keys.join(","));
        described.add("sort", Some(sort_text(self.sort, self.descending))).add("columns", chosen).finish()
    }
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
    pub(super) fn columns(&self) -> Option<String> {
        (!self.custom.is_empty())
            .then(|| self.custom.iter().map(|k| format!("custom.{k}")).collect::<Vec<_>>().join(","))
    }
}
