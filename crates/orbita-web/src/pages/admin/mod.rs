//! Administration pages: users, groups, roles (the matrix of rights), the organisation's
//! settings, custom fields, handing records over, the audit log and the background jobs. The services check the rights; these
//! pages only show what they are allowed to.

pub(super) mod audit;
mod audit_words;
mod automation;
mod fields;
mod jobs;
mod loss_reasons;
mod ownership;
mod roles;
mod settings;
mod users;
mod web_forms;
mod webhooks;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use orbita_app::Access;
use orbita_domain::access::{Action, Area};

use crate::AppState;
use crate::pages::SignedIn;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(start))
        .merge(users::routes())
        .merge(roles::routes())
        .merge(settings::routes())
        .merge(fields::routes())
        .merge(ownership::routes())
        .merge(audit::routes())
        .merge(jobs::routes())
        .merge(automation::routes())
        .merge(webhooks::routes())
        .merge(web_forms::routes())
        .merge(loss_reasons::routes())
}

/// The first tab the user may open: a head of sales reaches only the ownership transfer.
async fn start(user: SignedIn) -> Redirect {
    let tab = Tab::visible(&user.session.access).first().copied().unwrap_or(Tab::Users);
    Redirect::to(tab.href())
}

/// The admin section's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Users,
    Groups,
    Roles,
    Settings,
    Fields,
    Ownership,
    Audit,
    Jobs,
    Automation,
    Webhooks,
    WebForms,
    LossReasons,
}

impl Tab {
    pub const ALL: [Tab; 12] = [
        Tab::Users,
        Tab::Groups,
        Tab::Roles,
        Tab::Settings,
        Tab::Fields,
        Tab::Ownership,
        Tab::Audit,
        Tab::Jobs,
        Tab::Automation,
        Tab::Webhooks,
        Tab::WebForms,
        Tab::LossReasons,
    ];

    /// The tabs whose pages the user may open.
    pub fn visible(access: &Access) -> Vec<Tab> {
        let admin = access.can(Area::UsersAndSettings, Action::View);
        Tab::ALL
            .into_iter()
            .filter(|tab| match tab {
                Tab::Ownership => orbita_app::ownership::may_transfer(access),
                Tab::Audit => access.can(Area::AuditLog, Action::View),
                _ => admin,
            })
            .collect()
    }

    pub fn href(self) -> &'static str {
        match self {
            Tab::Users => "/admin/users",
            Tab::Groups => "/admin/groups",
            Tab::Roles => "/admin/roles",
            Tab::Settings => "/admin/settings",
            Tab::Fields => "/admin/fields",
            Tab::Ownership => "/admin/ownership",
            Tab::Audit => "/admin/audit",
            Tab::Jobs => "/admin/jobs",
            Tab::Automation => "/admin/automation",
            Tab::Webhooks => "/admin/webhooks",
            Tab::WebForms => "/admin/web-forms",
            Tab::LossReasons => "/admin/loss-reasons",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Tab::Users => "admin-users",
            Tab::Groups => "admin-groups",
            Tab::Roles => "admin-roles",
            Tab::Settings => "admin-settings",
            Tab::Fields => "admin-fields",
            Tab::Ownership => "admin-ownership",
            Tab::Audit => "admin-audit",
            Tab::Jobs => "admin-jobs",
            Tab::Automation => "admin-automation",
            Tab::Webhooks => "admin-webhooks",
            Tab::WebForms => "admin-web-forms",
            Tab::LossReasons => "admin-loss-reasons",
        }
    }
}
