//! The results part of a list page (companies, contacts): the table with the chosen columns,
//! the pager, the export links and "save this view". It is its own template because htmx
//! swaps exactly this part while the user types in the search box; the whole page embeds it.

use askama::Template;
use askama_web::WebTemplate;
use orbita_app::exports::ListColumn;
use orbita_domain::custom::{CustomField, CustomType, CustomValues};
use orbita_domain::list::SavedView;

use super::super::list_query::ListQuery;
use crate::ui::{Column, Layout, SelectOption};
use orbita_domain::UserId;
use orbita_domain::user::Group;

/// The keys of a list's columns (`orbita_app::exports::ListColumn`, the one description its
/// page and its file read), for `ListQuery::columns`.
pub fn keys<C: ListColumn>() -> Vec<&'static str> {
    C::ALL.iter().map(|c| c.key()).collect()
}

/// The header row for the chosen columns; sortable ones link to the list sorted by them.
pub fn header<C: ListColumn>(
    layout: &Layout,
    chosen: &[&str],
    query: &ListQuery,
    path: &str,
    sort: &str,
) -> Vec<Column> {
    let base = query.href(path, &["sort"], &[]);
    C::ALL
        .iter()
        .filter(|c| chosen.contains(&c.key()))
        .map(|c| {
            let column = match c.sort() {
                Some(key) => Column::sortable(layout.t(c.header()), key, sort, &base),
                None => Column::plain(layout.t(c.header())),
            };
            if c.numeric() { column.numeric() } else { column }
        })
        .collect()
}

/// One checkbox of the "Columns" panel.
#[derive(Debug, Clone)]
pub struct ColumnChoice {
    pub key: String,
    pub label: String,
    pub checked: bool,
}

/// The "Columns" panel: the list's own columns, then the kind's custom fields.
pub fn choices<C: ListColumn>(
    layout: &Layout,
    chosen: &[&str],
    fields: &[CustomField],
    custom: &[&CustomField],
) -> Vec<ColumnChoice> {
    let own = C::ALL.iter().map(|c| ColumnChoice {
        key: c.key().to_owned(),
        label: layout.t(c.header()),
        checked: chosen.contains(&c.key()),
    });
    own.chain(custom_choices(layout, fields, custom)).collect()
}

/// The "Columns" panel's custom fields, checked when shown (all a list with fixed columns
/// offers: tasks, activities).
pub fn custom_choices(layout: &Layout, fields: &[CustomField], shown: &[&CustomField]) -> Vec<ColumnChoice> {
    fields
        .iter()
        .map(|f| ColumnChoice {
            key: f.path(),
            label: f.label(layout.lang()).to_owned(),
            checked: shown.iter().any(|c| c.key == f.key),
        })
        .collect()
}

/// The header cells of the chosen custom fields, sortable where the field may be sorted by.
pub fn custom_header(
    layout: &Layout,
    custom: &[&CustomField],
    query: &ListQuery,
    path: &str,
    sort: &str,
) -> Vec<Column> {
    let base = query.href(path, &["sort"], &[]);
    custom
        .iter()
        .map(|f| {
            let label = f.label(layout.lang()).to_owned();
            let column = if f.ty.is_sortable() {
                Column::sortable(label, &f.path(), sort, &base)
            } else {
                Column::plain(label)
            };
            if matches!(f.ty, CustomType::Money | CustomType::Number) { column.numeric() } else { column }
        })
        .collect()
}

/// A record's cells of the chosen custom fields.
pub fn custom_cells(
    layout: &Layout,
    custom: &[&CustomField],
    values: &CustomValues,
    people: &crate::pages::custom_fields::People<'_>,
) -> Vec<Cell> {
    custom
        .iter()
        .map(|f| {
            let text = values.get(&f.key).map(|v| crate::pages::custom_fields::display(layout, f, v, people));
            let cell = Cell::long(text.unwrap_or_default());
            if matches!(f.ty, CustomType::Money | CustomType::Number) { cell.class("num") } else { cell }
        })
        .collect()
}

/// One table cell: text, an optional link, a class (`tnum`, `num`, `muted`) and a tooltip
/// (set for text that may be cut with an ellipsis).
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: String,
    pub class: &'static str,
    pub title: String,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Self { text: text.into(), ..Self::default() }
    }

    /// Long free text: cut with an ellipsis, whole in the tooltip.
    pub fn long(text: impl Into<String>) -> Self {
        let text = text.into();
        Self { title: text.clone(), text, ..Self::default() }
    }

    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self { href: href.into(), ..Self::long(text) }
    }

    pub fn class(mut self, class: &'static str) -> Self {
        self.class = class;
        self
    }

    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<Cell>,
}

/// What a list shows when it has no rows.
#[derive(Debug, Clone, Default)]
pub struct Empty {
    pub title: String,
    pub hint: String,
    pub href: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "companies/_results.html")]
pub struct ListResults {
    pub layout: Layout,
    /// The saved views' list name: `companies`, `contacts`.
    pub list: &'static str,
    /// The list's state, for "save this view".
    pub state: String,
    /// Whether the user may export the list: the export buttons start a background job.
    pub export: bool,
    /// What the export form sends: the list's state with the columns on screen named, so the
    /// file holds them whatever the URL chose.
    pub export_query: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub next_href: String,
    pub first_href: String,
    pub empty: Empty,
    /// Whom "save this view" may share it with: "only me", then the user's groups.
    pub share_options: Vec<SelectOption>,
}

impl ListResults {
    /// The results of `query` on the list at `path`; `export` when the user may export it.
    pub fn new(layout: Layout, list: &'static str, path: &str, query: &ListQuery, export: bool) -> Self {
        let state = query.state();
        Self {
            export,
            export_query: state.clone(),
            first_href: if query.is_paged() { query.href(path, &[], &[]) } else { String::new() },
            layout,
            list,
            state,
            columns: Vec::new(),
            rows: Vec::new(),
            next_href: String::new(),
            empty: Empty::default(),
            share_options: Vec::new(),
        }
    }

    /// Names the columns on screen (`chosen`, in their order, then the custom ones) in the
    /// export form's query.
    pub fn export_columns(&mut self, query: &ListQuery, chosen: &[&str], custom: &[&CustomField]) {
        let mut keys: Vec<String> = chosen.iter().map(|k| (*k).to_owned()).collect();
        keys.extend(custom.iter().map(|f| f.path()));
        let named = query.href("", &["cols"], &[("cols", &keys.join(","))]);
        self.export_query = named.trim_start_matches('?').to_owned();
    }
}

/// A saved view in the "Views" menu.
#[derive(Debug, Clone)]
pub struct ViewLink {
    pub id: i64,
    pub name: String,
    pub href: String,
    /// The list shows exactly this view now.
    pub current: bool,
    /// Saved by this user: they may remove it.
    pub mine: bool,
    /// The group it is shared with, by name; empty when private.
    pub shared_with: String,
}

/// The user's views and their groups' (`groups`: the user's own, by name), as menu links.
pub fn view_links(
    views: Vec<SavedView>,
    path: &str,
    query: &ListQuery,
    me: UserId,
    groups: &[Group],
) -> Vec<ViewLink> {
    let state = query.state();
    views
        .into_iter()
        .map(|v| {
            let href = if v.query.is_empty() { path.to_owned() } else { format!("{path}?{}", v.query) };
            let current = ListQuery::parse(Some(&v.query)).state() == state;
            let shared_with = v.group_id.and_then(|g| groups.iter().find(|group| group.id.0 == g));
            ViewLink {
                id: v.id,
                name: v.name,
                href,
                current,
                mine: v.user_id == me.0,
                shared_with: shared_with.map(|g| g.name.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// "Only me", then each of the user's groups: whom a new view may be shared with.
pub fn share_options(layout: &Layout, groups: &[Group]) -> Vec<SelectOption> {
    let mut options = vec![SelectOption::new("", layout.t("deals-view-private"), true)];
    options.extend(groups.iter().map(|g| SelectOption::new(g.id.0.to_string(), g.name.clone(), false)));
    options
}
