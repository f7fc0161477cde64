//! Custom fields as columns of a list's file: the chosen fields (`cols=custom.window_type`),
//! after the built-in columns, headed by their names in the file's language and written as
//! their types say (money as money, dates as dates, users by name).

use orbita_domain::FieldError;
use orbita_domain::custom::{self, CustomField, CustomType, CustomValues};
use orbita_domain::kind::RecordKind;
use orbita_domain::validation::{Currency, Money};
use orbita_domain::{UserId, org::Locale};
use orbita_export::{Cell, Column, ColumnKind};
use orbita_storage::Db;

use super::Names;
use crate::AppError;

/// The fields of `keys` (custom keys without their `custom.` prefix), in the order chosen; an
/// unknown or removed one is an error under `cols`.
pub(super) async fn chosen(db: &Db, kind: RecordKind, keys: &[String]) -> Result<Vec<CustomField>, AppError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let fields = crate::custom_fields::active(db, kind).await?;
    keys.iter()
        .map(|key| {
            fields.iter().find(|f| &f.key == key).cloned().ok_or_else(|| {
                FieldError::new("cols", "unknown-column", format!("There is no custom field {key:?}")).into()
            })
        })
        .collect()
}

fn kind(field: &CustomField) -> ColumnKind {
    match field.ty {
        CustomType::Money => ColumnKind::Money,
        CustomType::Date => ColumnKind::Date,
        CustomType::DateTime => ColumnKind::DateTime,
        _ => ColumnKind::Text,
    }
}

pub(super) fn columns(fields: &[CustomField], locale: Locale) -> Vec<Column> {
    let lang = if locale == Locale::En { "en" } else { "ru" };
    fields.iter().map(|f| Column::new(f.label(lang).to_owned(), kind(f))).collect()
}

pub(super) fn cells(
    fields: &[CustomField],
    values: &CustomValues,
    names: &Names<'_>,
    currency: Currency,
) -> Vec<Cell> {
    fields
        .iter()
        .map(|field| {
            let Some(stored) = values.get(&field.key) else { return Cell::Empty };
            match field.ty {
                CustomType::Money => {
                    stored.as_i64().map_or(Cell::Empty, |m| Cell::Money(Money::from_minor(m, currency)))
                }
                CustomType::Date => stored
                    .as_str()
                    .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .map_or(Cell::Empty, Cell::Date),
                CustomType::DateTime => names.time(stored.as_str().and_then(custom::moment_of)),
                CustomType::User => names.user(stored.as_i64().map(UserId)),
                CustomType::Bool => names
                    .label(format!("custom-{}", if stored.as_bool() == Some(true) { "yes" } else { "no" })),
                _ => Cell::Text(custom::input_text(field, stored)),
            }
        })
        .collect()
}
