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

/// The custom fields a file holds, and the organisation's currency their money is in.
pub(super) struct CustomColumns {
    pub fields: Vec<CustomField>,
    currency: Currency,
}

impl CustomColumns {
    /// The fields of `keys` (custom keys without their `custom.` prefix), in the order chosen;
    /// an unknown or removed one is an error under `cols`.
    pub async fn load(
        db: &Db,
        kind: RecordKind,
        keys: &[String],
        currency: Currency,
    ) -> Result<CustomColumns, AppError> {
        if keys.is_empty() {
            return Ok(Self::none(currency));
        }
        let fields = crate::custom_fields::active(db, kind).await?;
        let chosen = keys
            .iter()
            .map(|key| {
                fields.iter().find(|f| &f.key == key).cloned().ok_or_else(|| {
                    AppError::from(FieldError::new(
                        "cols",
                        "unknown-column",
                        format!("There is no custom field {key:?}"),
                    ))
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(CustomColumns { fields: chosen, currency })
    }

    /// No custom columns.
    pub fn none(currency: Currency) -> CustomColumns {
        CustomColumns { fields: Vec::new(), currency }
    }

    pub fn cells(&self, values: &CustomValues, names: &Names<'_>) -> Vec<Cell> {
        cells(&self.fields, values, names, self.currency)
    }
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

fn cells(fields: &[CustomField], values: &CustomValues, names: &Names<'_>, currency: Currency) -> Vec<Cell> {
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
