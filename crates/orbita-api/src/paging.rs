//! Lists: `sort` (`name`, `-name`, …; an unknown key is a 422), `limit` (1–500, default 50)
//! and an opaque `cursor` (keyset paging: stable under inserts, as fast deep in a list as on
//! its first page). A cursor belongs to its sort: one from another sort, or a forged one, is a
//! 422, never a database error.

use chrono::Datelike;
use orbita_domain::custom::{CustomField, CustomSort};
use orbita_domain::list::{Cursor, SortValue};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

use crate::problem::ApiError;

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

/// The cursor of a newest-first list of ids (notifications, deliveries): the last id of the
/// previous page. Anything else is a 422 naming `cursor`.
pub fn id_cursor(raw: Option<&str>) -> Result<Option<i64>, ApiError> {
    raw.map(|cursor| {
        cursor
            .parse::<i64>()
            .map_err(|_| ApiError::field("cursor", "cursor-invalid", "Pass the next_cursor of a page"))
    })
    .transpose()
}

/// What a list's sort orders by, so that a cursor can be checked against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    Text,
    Int,
    Time,
}

/// One sort a list offers: its key in the URL, the storage's sort and the kind of its values.
pub struct SortOption<T> {
    pub key: &'static str,
    pub by: T,
    pub kind: SortKind,
}

/// A list request's order and page.
#[derive(Debug)]
pub struct Paging<T> {
    pub by: T,
    pub descending: bool,
    pub after: Option<Cursor>,
    pub limit: u64,
}

/// A list's page parameters, apart from its filters and sort (which an export takes too).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Reads `sort` (default `default`, which must be among `options`) and the page.
pub fn paging<T: Copy>(
    options: &[SortOption<T>],
    default: &str,
    sort: Option<&str>,
    page: &PageQuery,
) -> Result<Paging<T>, ApiError> {
    let (option, descending) = sorting(options, default, sort)?;
    let limit = page.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("limit", "limit-range", format!("From 1 to {MAX_LIMIT}")));
    }
    let after = page.cursor.as_deref().map(|c| decode(c, option.kind)).transpose()?;
    Ok(Paging { by: option.by, descending, after, limit })
}

/// Reads `sort` alone (an export's order): the option and whether it is descending.
pub fn sorting<'a, T>(
    options: &'a [SortOption<T>],
    default: &str,
    sort: Option<&str>,
) -> Result<(&'a SortOption<T>, bool), ApiError> {
    let text = sort.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(default);
    let (key, descending) = text.strip_prefix('-').map_or((text, false), |key| (key, true));
    let option = options.iter().find(|o| o.key == key).ok_or_else(|| {
        let offered: Vec<&str> = options.iter().map(|o| o.key).collect();
        ApiError::field(
            "sort",
            "sort-unknown",
            format!("Sort by one of {}, with - for descending", offered.join(", ")),
        )
    })?;
    if !options_allow_direction(options, default, descending) {
        return Err(ApiError::field(
            "sort",
            "sort-unknown",
            format!("This list is sorted by {default} only"),
        ));
    }
    Ok((option, descending))
}

/// `sort=custom.<key>` (or `-custom.<key>`): the order by a custom field of `custom`, made into
/// the list's sort by `make`; `None` when the sort names no custom field.
fn custom_option<T>(
    sort: Option<&str>,
    custom: &[CustomField],
    make: impl Fn(CustomSort) -> T,
) -> Result<Option<(T, SortKind, bool)>, ApiError> {
    let text = sort.map(str::trim).unwrap_or_default();
    let (key, descending) = text.strip_prefix('-').map_or((text, false), |key| (key, true));
    let Some(key) = key.strip_prefix("custom.") else {
        return Ok(None);
    };
    let field = custom.iter().find(|f| f.key == key && f.is_active());
    let Some(by) = field.and_then(CustomSort::of) else {
        return Err(ApiError::field(
            "sort",
            "sort-unknown",
            format!("There is no custom field {key:?} to sort by"),
        ));
    };
    let kind = if by.sorts_as_integer() { SortKind::Int } else { SortKind::Text };
    Ok(Some((make(by), kind, descending)))
}

/// [`paging`] that also takes `sort=custom.<key>` for the kind's custom fields.
pub fn paging_custom<T: Copy>(
    options: &[SortOption<T>],
    default: &str,
    sort: Option<&str>,
    page: &PageQuery,
    custom: &[CustomField],
    make: impl Fn(CustomSort) -> T,
) -> Result<Paging<T>, ApiError> {
    let Some((by, kind, descending)) = custom_option(sort, custom, make)? else {
        return paging(options, default, sort, page);
    };
    let limit = page.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("limit", "limit-range", format!("From 1 to {MAX_LIMIT}")));
    }
    let after = page.cursor.as_deref().map(|c| decode(c, kind)).transpose()?;
    Ok(Paging { by, descending, after, limit })
}

/// [`sorting`] that also takes `sort=custom.<key>`: the sort and whether it is descending.
pub fn sorting_custom<T: Copy>(
    options: &[SortOption<T>],
    default: &str,
    sort: Option<&str>,
    custom: &[CustomField],
    make: impl Fn(CustomSort) -> T,
) -> Result<(T, bool), ApiError> {
    if let Some((by, _, descending)) = custom_option(sort, custom, make)? {
        return Ok((by, descending));
    }
    sorting(options, default, sort).map(|(option, descending)| (option.by, descending))
}

/// A list with one fixed order (tasks by due time, activities newest first) offers only that.
fn options_allow_direction<T>(options: &[SortOption<T>], default: &str, descending: bool) -> bool {
    options.len() > 1 || default.starts_with('-') == descending
}

fn decode(token: &str, kind: SortKind) -> Result<Cursor, ApiError> {
    let invalid = || ApiError::field("cursor", "cursor-invalid", "Use the next_cursor of the previous page");
    let cursor = Cursor::decode(token).ok_or_else(invalid)?;
    let fits = match &cursor.value {
        SortValue::Text(text) => kind == SortKind::Text && !text.contains('\0'),
        SortValue::Int(_) => kind == SortKind::Int,
        // Within what both databases store.
        SortValue::Time(t) => kind == SortKind::Time && (1..=9999).contains(&t.year()),
    };
    if fits { Ok(cursor) } else { Err(invalid()) }
}

/// The `sort` parameter's schema: the keys a list offers, each also with `-`.
pub fn sort_schema(keys: &[&str], both_directions: bool) -> RefOr<Schema> {
    let mut values: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    if both_directions {
        values.extend(keys.iter().map(|k| format!("-{k}")));
    }
    ObjectBuilder::new().schema_type(SchemaType::new(Type::String)).enum_values(Some(values)).into()
}

/// Declares a list's envelope: `{"items": [...], "next_cursor": "..." | null}`.
macro_rules! page_of {
    ($page:ident, $item:ty) => {
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $page {
            pub items: Vec<$item>,
            /// Pass as `cursor` for the next page; `null` on the last page.
            pub next_cursor: Option<String>,
        }

        impl $page {
            pub fn from_page<T>(page: orbita_domain::list::Page<T>, render: impl Fn(T) -> $item) -> Self {
                Self {
                    next_cursor: page.next.map(|c| c.encode()),
                    items: page.items.into_iter().map(render).collect(),
                }
            }
        }

        impl From<orbita_domain::list::Page<$item>> for $page {
            fn from(page: orbita_domain::list::Page<$item>) -> Self {
                Self::from_page(page, |item| item)
            }
        }
    };
}
pub(crate) use page_of;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum By {
        Name,
        Created,
    }

    const OPTIONS: &[SortOption<By>] = &[
        SortOption { key: "name", by: By::Name, kind: SortKind::Text },
        SortOption { key: "created_at", by: By::Created, kind: SortKind::Time },
    ];

    #[test]
    fn sorts_limits_and_cursors_are_checked() {
        let page =
            |limit: Option<u64>, cursor: Option<&str>| PageQuery { limit, cursor: cursor.map(Into::into) };
        let p = paging(OPTIONS, "name", Some("-created_at"), &page(None, None)).expect("ok");
        assert_eq!((p.by, p.descending, p.limit), (By::Created, true, DEFAULT_LIMIT));
        assert!(paging(OPTIONS, "name", Some("amount"), &page(None, None)).is_err());
        assert!(paging(OPTIONS, "name", None, &page(Some(0), None)).is_err());
        assert!(paging(OPTIONS, "name", None, &page(Some(501), None)).is_err());
        let text = Cursor { value: SortValue::Text("Ромашка".into()), id: 3 }.encode();
        assert!(paging(OPTIONS, "name", None, &page(None, Some(&text))).is_ok());
        assert!(paging(OPTIONS, "name", Some("created_at"), &page(None, Some(&text))).is_err());
        assert!(paging(OPTIONS, "name", None, &page(None, Some("garbage"))).is_err());
        let (option, descending) = sorting(OPTIONS, "name", Some("-name")).expect("sort");
        assert_eq!((option.by, descending), (By::Name, true));
    }
}
