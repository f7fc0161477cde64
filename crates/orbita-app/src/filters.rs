//! Filters as data at the application layer: relative periods ("this month", "overdue")
//! become the organisation's local days before a tree reaches storage, so a list, its export
//! and the API read "today" alike.

use orbita_domain::filter::Filter;
use orbita_storage::Db;

use crate::{AppError, setup, targets};

pub async fn resolved(db: &Db, tree: Filter) -> Result<Filter, AppError> {
    let tz = targets::time_zone(&setup::settings(db).await?);
    let today = orbita_domain::now().with_timezone(&tz).date_naive();
    Ok(tree.resolve(today, &|day| targets::start_of_day(day, tz)))
}
