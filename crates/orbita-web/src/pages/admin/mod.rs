//! Administration pages: users, groups, roles (the matrix of rights) and the audit log.
//! The services check the rights; these pages only show what they are allowed to.

mod audit;
mod roles;
mod users;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::to("/admin/users") }))
        .merge(users::routes())
        .merge(roles::routes())
        .merge(audit::routes())
}

/// The admin section's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Users,
    Groups,
    Roles,
    Audit,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Users, Tab::Groups, Tab::Roles, Tab::Audit];

    pub fn href(self) -> &'static str {
        match self {
            Tab::Users => "/admin/users",
            Tab::Groups => "/admin/groups",
            Tab::Roles => "/admin/roles",
            Tab::Audit => "/admin/audit",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Tab::Users => "admin-users",
            Tab::Groups => "admin-groups",
            Tab::Roles => "admin-roles",
            Tab::Audit => "admin-audit",
        }
    }
}
