//! Lists: keyset pagination and text search, shared by every entity's list query.
//! Keyset ("after this sort value and id") keeps a page deep in a million rows as fast as the first.

use orbita_domain::UserId;
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement, Value};

use crate::db::Backend;

pub use orbita_domain::list::{Cursor, Page, SortValue, Visibility};

/// The condition "a record the user may see" on a table's owner column (`table.column IN (…)`).
pub fn visible_to(visible: &Visibility, table: &'static str, owner_column: &'static str) -> Expr {
    Expr::col((table, owner_column)).is_in(visible.owners.iter().map(|o| o.0))
}

/// Ids for an `IN (…)` look-up: sorted, each once (a page often links one record many times).
pub(crate) fn unique_ids(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// How a list is ordered: a sort expression, its direction, and the id as a tie-breaker.
pub struct Keyset {
    pub sort: Expr,
    pub id: Expr,
    pub descending: bool,
}

impl Keyset {
    /// Orders the query, starts it after the cursor, and asks for one row more than the page
    /// so the caller knows whether another page follows.
    pub fn apply(&self, select: &mut SelectStatement, after: Option<&Cursor>, limit: u64) {
        let order = if self.descending { Order::Desc } else { Order::Asc };
        if let Some(cursor) = after {
            let value: Value = match &cursor.value {
                SortValue::Text(text) => text.clone().into(),
                SortValue::Int(n) => (*n).into(),
                SortValue::Time(t) => (*t).into(),
            };
            let (from, beyond, beyond_id) = if self.descending {
                (
                    self.sort.clone().lte(value.clone()),
                    self.sort.clone().lt(value.clone()),
                    self.id.clone().lt(cursor.id),
                )
            } else {
                (
                    self.sort.clone().gte(value.clone()),
                    self.sort.clone().gt(value.clone()),
                    self.id.clone().gt(cursor.id),
                )
            };
            // `from` is implied by the rest, but with bound parameters SQLite cannot see that
            // and scans the index from its start: a page n rows deep cost O(n), and a
            // million-row export O(n²). The redundant bound makes it a range search.
            select.and_where(from.and(beyond.or(self.sort.clone().eq(value).and(beyond_id))));
        }
        select
            .order_by_expr(self.sort.clone(), order.clone())
            .order_by_expr(self.id.clone(), order)
            .limit(limit + 1);
    }
}

/// The ids of the first `limit` rows of several parts, each already ordered and limited and
/// selecting `id` and `sort`, merged in order of `sort` then id: a list read owner by owner.
/// Each part is wrapped as a derived table, as SQLite allows no ORDER BY or LIMIT on the parts
/// of a compound SELECT themselves. `distinct` when a row may stand in two parts.
pub fn merge_parts(
    parts: Vec<SelectStatement>,
    sort: &'static str,
    distinct: bool,
    descending: bool,
    limit: u64,
) -> SelectStatement {
    let wrap = |n: usize, part: SelectStatement| {
        Query::select().columns(["id", sort]).from_subquery(part, format!("part_{n}")).to_owned()
    };
    let union_type = if distinct { sea_query::UnionType::Distinct } else { sea_query::UnionType::All };
    let mut parts = parts.into_iter().enumerate().map(|(n, part)| wrap(n, part));
    // No part: no row (`1 = 0`), without a panic in a request path.
    let mut union = parts.next().unwrap_or_else(|| {
        Query::select()
            .expr_as(Expr::cust("0"), "id")
            .expr_as(Expr::cust("0"), sort)
            .and_where(Expr::cust("1 = 0"))
            .to_owned()
    });
    for other in parts {
        union.union(union_type, other);
    }
    let direction = if descending { Order::Desc } else { Order::Asc };
    let mut ids = Query::select();
    ids.column("id")
        .from_subquery(union, "merged")
        .order_by(sort, direction.clone())
        .order_by("id", direction)
        .limit(limit);
    ids
}

/// Cuts the extra row off and makes the cursor from the last row kept.
pub fn finish_page<T>(mut rows: Vec<T>, limit: u64, cursor_of: impl Fn(&T) -> Cursor) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(&cursor_of)
    } else {
        None
    };
    Page { items: rows, next }
}

/// Up to this many owners (a head of sales' team), a list may read their records owner by owner
/// through the owner-first indexes: a SQLite search walks the scope's records first
/// ([`SearchFrom`]), a kanban column and a list by name merge each owner's first rows.
pub const OWNER_BY_OWNER_MAX: usize = 25;

/// The owners a list is limited to: its scope and its owner filter together; `None` for all.
pub fn scoped_owners(visible: Option<&Visibility>, owner_ids: Option<&[UserId]>) -> Option<Vec<UserId>> {
    match (visible, owner_ids) {
        (None, None) => None,
        (Some(v), None) => Some(v.owners.clone()),
        (None, Some(o)) => Some(o.to_vec()),
        (Some(v), Some(o)) => Some(o.iter().filter(|id| v.owners.contains(id)).copied().collect()),
    }
}

/// Which index a search starts from. By default SQLite reads every match of the text index
/// and then each match's row to keep those in scope: a fragment as common as "Аван" matches
/// ~18,000 of a million companies, ~300 ms for a manager who owns 20 of them. For a scope of
/// a few owners it is cheaper to walk their records in the list's order on the owner index
/// and test each against the text index (≤ ~100,000 index entries for 20 owners, and it stops
/// at the page's end): 3–20 ms whatever the fragment. Everyone's records (no scope) keep the
/// text index first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchFrom {
    TextIndex,
    Owners,
}

impl SearchFrom {
    pub fn for_scope(visible: Option<&Visibility>) -> SearchFrom {
        match visible {
            Some(v) if v.owners.len() <= OWNER_BY_OWNER_MAX => SearchFrom::Owners,
            _ => SearchFrom::TextIndex,
        }
    }
}

/// A search condition over a text-search index: SQLite's FTS5 trigram table, or a
/// PostgreSQL pg_trgm index on `expression` (which must match the index's expression).
pub fn text_search(
    backend: Backend,
    query: &str,
    id: &str,
    fts_table: &str,
    expression: &str,
    from: SearchFrom,
) -> Expr {
    let query = query.trim();
    // A unary `+` keeps SQLite from driving the query by the id list (see `SearchFrom`).
    let id_term = match from {
        SearchFrom::TextIndex => id.to_owned(),
        SearchFrom::Owners => format!("+{id}"),
    };
    match backend {
        // The trigram tokenizer needs three characters; a shorter query scans with LIKE.
        Backend::Sqlite if query.chars().count() >= 3 => Expr::cust_with_values(
            format!("{id_term} IN (SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH ?)"),
            [format!("\"{}\"", query.replace('"', "\"\""))],
        ),
        Backend::Sqlite => {
            Expr::cust_with_values(format!("({expression}) LIKE ? ESCAPE '\\'"), [like_pattern(query)])
        }
        Backend::Postgres => {
            // sea-query numbers PostgreSQL placeholders itself only as `$N`.
            Expr::cust_with_values(format!("({expression}) ILIKE $1 ESCAPE '\\'"), [like_pattern(query)])
        }
    }
}

/// `%fragment%` with LIKE's wildcards in the fragment taken literally.
pub fn like_pattern(fragment: &str) -> String {
    let escaped = fragment.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}
