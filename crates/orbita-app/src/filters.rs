//! Filters as data at the application layer: a tree as JSON (the API's and the pages'
//! `filter=`, a saved view's query) read and checked against the kind's fields, its relative
//! periods ("this month", "overdue") turned into the organisation's local days before it
//! reaches storage, so a list, its export and the API read it alike.

use orbita_domain::FieldError;
use orbita_domain::filter::{Fields, Filter, RawFilter};
use orbita_domain::kind::RecordKind;
use orbita_domain::local_time;
use orbita_storage::Db;

use crate::{AppError, setup, targets};

/// Longest `filter=` read: far beyond any tree a person builds, short of a denial of service.
pub const MAX_JSON_BYTES: usize = 16 * 1024;

/// The tree in `json` for a kind, over its built-in and custom fields; every mistake a field
/// error under `filter…`.
pub async fn from_json(db: &Db, json: &str, kind: RecordKind) -> Result<Filter, AppError> {
    if json.len() > MAX_JSON_BYTES {
        let message = format!("A filter can be at most {MAX_JSON_BYTES} bytes of JSON");
        return Err(FieldError::new("filter", "filter-too-large", message).into());
    }
    let raw: RawFilter = serde_json::from_str(json).map_err(|error| {
        FieldError::new("filter", "filter-json", format!("The filter is not a filter tree in JSON: {error}"))
    })?;
    let custom = crate::custom_fields::active(db, kind).await?;
    let fields = Fields { builtin: kind.fields(), custom: &custom };
    let tree = Filter::parse(&raw, fields, "filter").map_err(AppError::Invalid)?;
    resolved(db, tree).await
}

/// The list's `filter=` when one is given: [`from_json`], or `None` without one.
pub async fn optional(db: &Db, json: Option<&str>, kind: RecordKind) -> Result<Option<Filter>, AppError> {
    match json {
        Some(json) => Ok(Some(from_json(db, json, kind).await?)),
        None => Ok(None),
    }
}

pub async fn resolved(db: &Db, tree: Filter) -> Result<Filter, AppError> {
    let tz = targets::time_zone(&setup::settings(db).await?);
    let today = orbita_domain::now().with_timezone(&tz).date_naive();
    Ok(tree.resolve(today, &|day| local_time::day_start(day, &tz)))
}
