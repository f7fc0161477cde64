//! Conversions between domain values and columns, and the small statements every table shares.

use orbita_domain::fields::{FieldValue, FieldValues};
use orbita_domain::{FieldError, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, Query, UpdateStatement, Value};

use crate::bulk::BulkRow;
use crate::db::Tx;
use crate::error::{Result, StorageError};

/// A kind's field values as its columns: each under its key, money in minor units under its
/// own column, lists as one text.
pub(crate) fn field_columns(fields: &impl FieldValues) -> BulkRow {
    let column = |(key, value): (&'static str, FieldValue)| match value {
        FieldValue::Text(text) => (key, text.into()),
        FieldValue::List(items) => (key, items.join(", ").into()),
        FieldValue::Integer(number) => (key, number.into()),
        FieldValue::Money { value, minor_column } => (minor_column, value.to_minor().into()),
        FieldValue::Date(date) => (key, date.into()),
        FieldValue::Moment(moment) => (key, moment.into()),
    };
    fields.values().into_iter().map(column).collect()
}

/// Lists (phones, e-mails) are stored as one comma-separated column (`field_columns`):
/// searchable as text and read back without a join.
pub(crate) fn parse_list<T>(stored: &str, parse: impl Fn(&str) -> Result<T, FieldError>) -> Result<Vec<T>> {
    orbita_domain::text::split_list(stored).map(|item| parse(item).map_err(corrupt)).collect()
}

pub(crate) fn parse_opt<T>(
    stored: Option<String>,
    parse: impl Fn(&str) -> Result<T, FieldError>,
) -> Result<Option<T>> {
    stored.map(|v| parse(&v).map_err(corrupt)).transpose()
}

pub(crate) fn corrupt(error: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(error.to_string())
}

pub(crate) fn id_opt(id: Option<UserId>) -> Value {
    id.map(|u| u.0).into()
}

/// Adds `updated_at` and the version bump to an UPDATE of one row by id. With an expected
/// version, a row that has moved on is `StaleVersion`; a row that is gone is `NotFound`.
pub(crate) async fn finish_update(
    tx: &mut Tx,
    table: &'static str,
    mut stmt: UpdateStatement,
    id: i64,
    expected_version: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    stmt.table(table)
        .value("updated_at", now)
        .value("version", Expr::col("version").add(1))
        .and_where(Expr::col("id").eq(id));
    if let Some(version) = expected_version {
        stmt.and_where(Expr::col("version").eq(version));
    }
    if tx.execute(&stmt).await? == 1 {
        return Ok(());
    }
    let exists: Option<(i64,)> = tx
        .fetch_optional(
            &Query::select().column("id").from(table).and_where(Expr::col("id").eq(id)).to_owned(),
        )
        .await?;
    Err(if exists.is_some() { StorageError::StaleVersion } else { StorageError::NotFound })
}

pub(crate) async fn delete_by_id(tx: &mut Tx, table: &'static str, id: i64) -> Result<()> {
    let deleted =
        tx.execute(&Query::delete().from_table(table).and_where(Expr::col("id").eq(id)).to_owned()).await?;
    if deleted == 1 { Ok(()) } else { Err(StorageError::NotFound) }
}

/// A table's row as read and the columns a SELECT names for it, from one list of fields, so
/// the two cannot drift apart: `table_row! { struct CompanyRow { id: i64, name: String } }`
/// declares the `sqlx::FromRow` struct and `const COLUMNS: [&str; 2] = ["id", "name"]`;
/// `table_row! { owned struct … }` adds the owner, author, times, version and custom values.
macro_rules! table_row {
    ($(#[$meta:meta])* struct $row:ident { $($(#[$field_meta:meta])* $field:ident : $ty:ty),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(sqlx::FromRow)]
        struct $row {
            $($(#[$field_meta])* $field: $ty),+
        }

        /// The row's columns, in its order.
        const COLUMNS: [&str; <[&str]>::len(&[$(stringify!($field)),+])] = [$(stringify!($field)),+];
    };
    // An owned record (a company, contact or deal): its fields, then the columns every such
    // record has.
    (owned $(#[$meta:meta])* struct $row:ident { $($(#[$field_meta:meta])* $field:ident : $ty:ty),+ $(,)? }) => {
        table_row! {
            $(#[$meta])*
            struct $row {
                $($(#[$field_meta])* $field: $ty,)+
                owner_id: i64,
                created_by: Option<i64>,
                created_at: orbita_domain::Timestamp,
                updated_at: orbita_domain::Timestamp,
                version: i64,
                custom: String,
            }
        }
    };
}
pub(crate) use table_row;
