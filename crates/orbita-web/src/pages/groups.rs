//! The lists' group filter (`group=<id>` in the URL of the companies, contacts, deals, tasks
//! and activities lists, the kanban board and their exports): the records of the group's
//! members, as the owner filter would select them one by one, within the user's view scope.

use orbita_app::{Access, AppError, Db, admin};
use orbita_domain::access::Area;
use orbita_domain::{GroupId, UserId};

use super::deals::common;
use crate::ui::{Layout, SelectOption};

/// The URL's `group` value: `None` when absent or not a number (no filter, as an unreadable
/// pipeline or owner of the deals list).
pub fn id(raw: &str) -> Option<GroupId> {
    common::id(raw)
}

/// The list's owner filter (the assignee's for tasks, the responsible user's for activities)
/// narrowed to the members of the URL's `group`, in one query (`admin::group_owners`).
pub async fn owners(
    db: &Db,
    access: &Access,
    area: Area,
    raw: &str,
    owners: Option<Vec<UserId>>,
) -> Result<Option<Vec<UserId>>, AppError> {
    admin::group_owners(db, access, area, id(raw), owners).await
}

/// The group select of a list's filters: "Group: all", then the groups the user may narrow
/// the list to (`admin::list_groups`), `current` selected. Empty (no select) when there are
/// none, unless the URL names a group anyway: then it stays shown, by number if not offered,
/// so the page never hides a filter it applies.
pub async fn options(
    db: &Db,
    access: &Access,
    area: Area,
    layout: &Layout,
    current: &str,
) -> Result<Vec<SelectOption>, AppError> {
    let groups = admin::list_groups(db, access, area).await?;
    let current = id(current).map(|g| g.to_string()).unwrap_or_default();
    if groups.is_empty() && current.is_empty() {
        return Ok(Vec::new());
    }
    let any = format!("{}: {}", layout.t("field-group"), layout.t("filter-all"));
    let mut options = vec![SelectOption::new("", any, current.is_empty())];
    if !current.is_empty() && !groups.iter().any(|g| g.id.to_string() == current) {
        options.push(SelectOption::new(current.clone(), format!("#{current}"), true));
    }
    options.extend(groups.into_iter().map(|g| {
        let value = g.id.to_string();
        let selected = value == current;
        SelectOption::new(value, g.name, selected)
    }));
    Ok(options)
}

/// The name of the group `raw` names among `options` (`#id` when not offered), for a title.
pub fn name(options: &[SelectOption], raw: &str) -> Option<String> {
    let id = id(raw)?.to_string();
    Some(options.iter().find(|o| o.value == id).map_or_else(|| format!("#{id}"), |o| o.label.clone()))
}
