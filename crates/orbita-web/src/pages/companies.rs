//! Companies: the list (search, filters, sort, columns, saved views), the card with its
//! timeline and quick actions, the forms with the duplicate check, and the company picker's
//! suggestions. The list table, the timeline and the quick actions are shared with contacts.

mod card;
mod form;
pub(super) mod list;
pub(super) mod quick;
pub(super) mod record;
pub(super) mod table;
mod views;

use std::collections::HashMap;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use orbita_app::{Access, AppError, Db};
use orbita_domain::UserId;
use orbita_domain::access::{Action, Area};
use orbita_domain::user::User;

use crate::AppState;
use crate::error::PageError;
use crate::pages::list_query::ListQuery;
use crate::ui::SelectOption;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/companies", get(list::list).post(form::create))
        .route("/companies/new", get(form::new_form))
        .route("/companies/suggest", get(list::suggest))
        .route("/companies/duplicates", get(form::duplicates))
        .route("/companies/access-requests", post(form::ask_access))
        .route("/companies/{id}", get(card::card).post(form::update))
        .route("/companies/{id}/edit", get(form::edit_form))
        .route("/companies/{id}/delete", post(card::delete))
        .route("/companies/{id}/activities", post(card::log_activity))
        .route("/companies/{id}/tasks", post(card::add_task))
        .route("/companies/{id}/notes", post(card::add_note))
        .route("/companies/{id}/owner", post(card::transfer))
        .route("/companies/{id}/shares", post(card::share))
        .route("/companies/{id}/shares/{user}/delete", post(card::unshare))
        .merge(views::routes())
}

/// A record id from the path; anything else is a page that does not exist (404, not 400).
pub(super) fn path_id(raw: &str) -> Result<i64, PageError> {
    raw.parse().map_err(|_| PageError::NotFound)
}

/// Whether htmx asks for a fragment (the list's results), not a whole page. A history
/// restore after "Back" wants the whole page.
pub(super) fn wants_fragment(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
        && !headers.contains_key("hx-history-restore-request")
        && !headers.contains_key("hx-boosted")
}

/// The organisation's users, by id: names for owner columns and timelines, and the options
/// of owner pickers and filters.
pub(super) struct People {
    pub(super) users: Vec<User>,
    names: HashMap<UserId, String>,
}

impl People {
    pub(super) async fn load(db: &Db, access: &Access) -> Result<People, AppError> {
        let users = orbita_app::admin::users(db, access).await?;
        let names = users.iter().map(|u| (u.id, u.name.clone())).collect();
        Ok(People { users, names })
    }

    /// The active users, by name.
    pub(super) fn active(&self) -> impl Iterator<Item = &User> {
        let mut users: Vec<&User> = self.users.iter().filter(|u| u.is_active).collect();
        users.sort_by(|a, b| a.name.cmp(&b.name));
        users.into_iter()
    }

    pub(super) fn name(&self, id: UserId) -> String {
        self.names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
    }

    /// The list filter's options: "any", "mine", then every user by name.
    pub(super) fn filter_options(
        &self,
        any_label: String,
        mine_label: String,
        current: &str,
    ) -> Vec<SelectOption> {
        let mut options = vec![
            SelectOption::new("", any_label, current.is_empty()),
            SelectOption::new("me", mine_label, current == "me"),
        ];
        let mut users: Vec<&User> = self.users.iter().collect();
        users.sort_by(|a, b| a.name.cmp(&b.name));
        options.extend(users.into_iter().map(|u| {
            let id = u.id.to_string();
            let selected = current == id;
            SelectOption::new(id, u.name.clone(), selected)
        }));
        options
    }

    /// The active users the signed-in user may give a record of `area` to (a manager: only
    /// themself), for a form's owner picker; the current owner stays listed even if not.
    pub(super) fn owner_options(
        &self,
        access: &Access,
        area: Area,
        action: Action,
        current: UserId,
    ) -> Vec<SelectOption> {
        let mut users: Vec<&User> = self
            .users
            .iter()
            .filter(|u| u.id == current || (u.is_active && access.covers_owner(area, action, u.id)))
            .collect();
        users.sort_by(|a, b| a.name.cmp(&b.name));
        users
            .into_iter()
            .map(|u| SelectOption::new(u.id.to_string(), u.name.clone(), u.id == current))
            .collect()
    }
}

/// The owner filter's value (`me` or an id) as the services' owner list.
pub(super) fn owner_filter(raw: &str, me: UserId) -> Option<Vec<UserId>> {
    match raw {
        "" => None,
        "me" => Some(vec![me]),
        other => Some(vec![other.parse().unwrap_or(UserId(0))]),
    }
}

/// "Add company" after a search that found nothing: the searched INN (or name) is typed
/// into the new form already, as the incoming-request scenario goes on.
pub(super) fn new_company_href(q: &str) -> String {
    let is_inn = matches!(q.len(), 10 | 12) && q.bytes().all(|b| b.is_ascii_digit());
    let field = if is_inn { "inn" } else { "name" };
    ListQuery::default().href("/companies/new", &[], &[(field, q)])
}
