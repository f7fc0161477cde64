//! Saved list views: a user names the current filters of a list and reuses them.

use orbita_domain::{FieldError, text};
use orbita_storage::Db;
use orbita_storage::saved_views::{self, SavedView};

use crate::error::conflict_on;
use crate::{Access, AppError};

/// The lists that can have saved views.
pub const LISTS: &[&str] = &["companies", "contacts", "deals", "tasks", "activities"];

pub async fn list(db: &Db, access: &Access, list: &str) -> Result<Vec<SavedView>, AppError> {
    Ok(saved_views::list(db, access.user_id(), list).await?)
}

pub async fn save(db: &Db, access: &Access, list: &str, name: &str, query: &str) -> Result<i64, AppError> {
    if !LISTS.contains(&list) {
        return Err(AppError::NotFound);
    }
    let name = text::required(name, "name", 100)?;
    let query = query.trim_start_matches('?');
    if query.len() > 2000 {
        return Err(FieldError::new("query", "too-long", "This view has too many filters to save").into());
    }
    let mut tx = db.begin().await?;
    let id = saved_views::insert(&mut tx, access.user_id(), list, &name, query, orbita_domain::now())
        .await
        .map_err(|e| {
        conflict_on(
            e,
            "saved_views_user_id_list_name_key",
            FieldError::new("name", "view-taken", "You have a view with this name"),
        )
    })?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete(db: &Db, access: &Access, id: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let deleted = saved_views::delete(&mut tx, access.user_id(), id).await?;
    tx.commit().await?;
    if deleted { Ok(()) } else { Err(AppError::NotFound) }
}
