//! Rights: a role grants, for each area and action, a scope of records — the user's own, their
//! groups', or all. No grant means no access. The application layer turns a scope into a
//! filter that every list, card, report, export, API call and job applies in SQL.

use std::collections::BTreeMap;

use crate::user::BuiltinRole;

crate::text_enum!(
    /// What a right is about. Exports are the `Export` action of each area.
    Area {
        Companies => "companies",
        Contacts => "contacts",
        Deals => "deals",
        Tasks => "tasks",
        Activities => "activities",
        Reports => "reports",
        UsersAndSettings => "users_and_settings",
        AuditLog => "audit_log",
    }
);

crate::text_enum!(
    Action { View => "view", Create => "create", Edit => "edit", Delete => "delete", Export => "export" }
);

crate::text_enum!(
    /// Whose records a right covers. Ordered: `Own` < `Group` < `All`.
    Scope { Own => "own", Group => "group", All => "all" }
);

impl Scope {
    pub fn covers(self, other: Scope) -> bool {
        self >= other
    }
}

/// The scopes the roles page offers for a cell: only those the services enforce. On "users
/// and settings", viewing and editing users follow the scope (own: oneself, group: one's group
/// mates); creating and the organisation-wide changes need all, so all is all that is offered.
pub fn offered_scopes(area: Area, action: Action) -> &'static [Scope] {
    match (area, action) {
        (Area::UsersAndSettings, Action::View | Action::Edit) => Scope::ALL,
        (Area::UsersAndSettings, _) => &[Scope::All],
        _ => Scope::ALL,
    }
}

/// The areas whose records have an owner; the others (reports, administration, the audit log)
/// are about the organisation as a whole, where a scope says whose figures one may see.
pub const RECORD_AREAS: &[Area] =
    &[Area::Companies, Area::Contacts, Area::Deals, Area::Tasks, Area::Activities];

/// A role's grants.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Permissions {
    grants: BTreeMap<(Area, Action), Scope>,
}

impl Permissions {
    pub fn scope(&self, area: Area, action: Action) -> Option<Scope> {
        self.grants.get(&(area, action)).copied()
    }

    pub fn grant(&mut self, area: Area, action: Action, scope: Option<Scope>) {
        match scope {
            Some(scope) => self.grants.insert((area, action), scope),
            None => self.grants.remove(&(area, action)),
        };
    }

    /// Whether every grant here is held by `holder` at the same scope or wider: what an
    /// administrator may hand out (a role, its grants) never exceeds what they hold.
    pub fn within(&self, holder: &Permissions) -> bool {
        self.grants()
            .all(|(area, action, scope)| holder.scope(area, action).is_some_and(|held| held.covers(scope)))
    }

    pub fn grants(&self) -> impl Iterator<Item = (Area, Action, Scope)> + '_ {
        self.grants.iter().map(|((area, action), scope)| (*area, *action, *scope))
    }

    /// The grants every installation's built-in roles start with.
    pub fn builtin(role: BuiltinRole) -> Permissions {
        let mut p = Permissions::default();
        let records = |p: &mut Permissions, actions: &[Action], scope: Scope| {
            for area in RECORD_AREAS {
                for action in actions {
                    p.grant(*area, *action, Some(scope));
                }
            }
        };
        match role {
            BuiltinRole::Administrator => {
                for area in Area::ALL {
                    for action in Action::ALL {
                        p.grant(*area, *action, Some(Scope::All));
                    }
                }
            }
            BuiltinRole::HeadOfSales => {
                records(&mut p, Action::ALL, Scope::Group);
                p.grant(Area::Reports, Action::View, Some(Scope::Group));
                p.grant(Area::Reports, Action::Export, Some(Scope::Group));
                // Setting the team's monthly targets is editing their reports' plan.
                p.grant(Area::Reports, Action::Edit, Some(Scope::Group));
            }
            BuiltinRole::Manager => {
                records(&mut p, &[Action::View, Action::Create, Action::Edit, Action::Export], Scope::Own);
                p.grant(Area::Reports, Action::View, Some(Scope::Own));
            }
            BuiltinRole::ReadOnly => {
                records(&mut p, &[Action::View], Scope::All);
                p.grant(Area::Reports, Action::View, Some(Scope::All));
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_roles_grant_what_the_brief_describes() {
        let admin = Permissions::builtin(BuiltinRole::Administrator);
        assert_eq!(admin.scope(Area::AuditLog, Action::View), Some(Scope::All));
        let head = Permissions::builtin(BuiltinRole::HeadOfSales);
        assert_eq!(head.scope(Area::Deals, Action::Edit), Some(Scope::Group));
        assert_eq!(head.scope(Area::UsersAndSettings, Action::View), None);
        let manager = Permissions::builtin(BuiltinRole::Manager);
        assert_eq!(manager.scope(Area::Deals, Action::View), Some(Scope::Own));
        assert_eq!(manager.scope(Area::Deals, Action::Delete), None);
        assert_eq!(manager.scope(Area::AuditLog, Action::View), None);
        let read_only = Permissions::builtin(BuiltinRole::ReadOnly);
        assert_eq!(read_only.scope(Area::Companies, Action::View), Some(Scope::All));
        assert_eq!(read_only.scope(Area::Companies, Action::Edit), None);
    }

    #[test]
    fn scopes_are_ordered() {
        assert!(Scope::All.covers(Scope::Group) && Scope::Group.covers(Scope::Own));
        assert!(!Scope::Own.covers(Scope::Group));
    }
}
