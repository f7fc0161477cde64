//! Saved list views: a user names the current filters of a list and reuses them.

use orbita_domain::{FieldError, GroupId, text};
use orbita_storage::Db;
use orbita_storage::saved_views::{self, SavedView};

use crate::error::conflict_on;
use crate::{Access, AppError};

/// The lists that can have saved views.
pub const LISTS: &[&str] = &["companies", "contacts", "deals", "tasks", "activities"];

/// The user's own views of a list and those shared with their groups.
pub async fn list(db: &Db, access: &Access, list: &str) -> Result<Vec<SavedView>, AppError> {
    Ok(list_and_groups(db, access, list).await?.0)
}

/// [`list`] and the user's groups by name (whom a new view may be shared with; the names of
/// the groups the views are shared with), in two queries.
pub async fn list_and_groups(
    db: &Db,
    access: &Access,
    list: &str,
) -> Result<(Vec<SavedView>, Vec<orbita_domain::user::Group>), AppError> {
    let groups = orbita_storage::users::named_groups_of(db, access.user_id()).await?;
    let ids: Vec<GroupId> = groups.iter().map(|g| g.id).collect();
    Ok((saved_views::list(db, access.user_id(), &ids, list).await?, groups))
}

/// Saves a private view.
pub async fn save(db: &Db, access: &Access, list: &str, name: &str, query: &str) -> Result<i64, AppError> {
    save_shared(db, access, list, name, query, None).await
}

/// Saves a view, shared with `group` (one of the user's own groups) or private. What a shared
/// view shows each colleague is still limited by their own rights: it shares the question,
/// not the answers.
pub async fn save_shared(
    db: &Db,
    access: &Access,
    list: &str,
    name: &str,
    query: &str,
    group: Option<GroupId>,
) -> Result<i64, AppError> {
    if !LISTS.contains(&list) {
        return Err(AppError::NotFound);
    }
    if let Some(group) = group
        && !orbita_storage::users::groups_of(db, access.user_id()).await?.contains(&group)
    {
        return Err(FieldError::new("share_group", "view-group", "Share with a group you belong to").into());
    }
    let name = text::required(name, "name", 100)?;
    let query = query.trim_start_matches('?');
    if query.len() > 2000 {
        return Err(FieldError::new("query", "too-long", "This view has too many filters to save").into());
    }
    let mut tx = db.begin().await?;
    let id = saved_views::insert(&mut tx, access.user_id(), list, &name, query, group, orbita_domain::now())
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
