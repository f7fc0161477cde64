//! The signed-in user's rights, loaded once per request. Every use case asks it before acting,
//! and every list takes its `Visibility` into the SQL, so the UI, the API, reports, exports
//! and jobs all see the same answer.

use std::collections::HashMap;
use std::hash::Hash;

use orbita_domain::access::{Action, Area, Permissions, Scope};
use orbita_domain::user::User;
use orbita_domain::{CompanyId, UserId};
use orbita_storage::{Db, Visibility, access, users};

use crate::{AppError, RequestContext};

#[derive(Debug, Clone)]
pub struct Access {
    pub user: User,
    pub permissions: Permissions,
    /// Members of the user's groups, the user included.
    group_mates: Vec<UserId>,
    /// Whether some company is shared with the user (the company lists then include shares).
    has_shares: bool,
    pub ip: Option<String>,
}

impl Access {
    /// Loads an active user's rights; a deactivated user has none (`Forbidden`).
    pub async fn load(db: &Db, user_id: UserId, ip: Option<String>) -> Result<Access, AppError> {
        let user = users::get(db, user_id).await?;
        if !user.is_active {
            return Err(AppError::Forbidden);
        }
        let permissions = access::permissions(db, user.role_id).await?;
        let group_mates = users::group_mates(db, user.id).await?;
        let has_shares = access::has_shares(db, user.id).await?;
        Ok(Access { user, permissions, group_mates, has_shares, ip })
    }

    pub fn user_id(&self) -> UserId {
        self.user.id
    }

    /// Who and from where, for the audit log.
    pub fn context(&self) -> RequestContext {
        RequestContext::user(self.user.id, self.ip.clone())
    }

    /// The scope granted, or `Forbidden`.
    pub fn require(&self, area: Area, action: Action) -> Result<Scope, AppError> {
        self.permissions.scope(area, action).ok_or(AppError::Forbidden)
    }

    /// Whether the user holds `scope` (or wider) for the action.
    pub fn holds(&self, area: Area, action: Action, scope: Scope) -> bool {
        self.permissions.scope(area, action).is_some_and(|held| held.covers(scope))
    }

    /// `Forbidden` unless the scope is all: for changes that concern the whole organisation
    /// (groups, roles, settings, new users), where "own" or "group" has no meaning.
    pub fn require_all(&self, area: Area, action: Action) -> Result<(), AppError> {
        if self.holds(area, action, Scope::All) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    pub fn can(&self, area: Area, action: Action) -> bool {
        self.permissions.scope(area, action).is_some()
    }

    /// The filter for a list: `None` when the scope is all records.
    pub fn visibility(&self, area: Area, action: Action) -> Result<Option<Visibility>, AppError> {
        let shared_with = (area == Area::Companies && self.has_shares).then_some(self.user.id);
        Ok(match self.require(area, action)? {
            Scope::All => None,
            Scope::Group => Some(Visibility { owners: self.group_mates.clone(), shared_with }),
            Scope::Own => Some(Visibility { owners: vec![self.user.id], shared_with }),
        })
    }

    /// Whether the user may act on a record with this owner.
    pub fn covers_owner(&self, area: Area, action: Action, owner: UserId) -> bool {
        match self.permissions.scope(area, action) {
            Some(Scope::All) => true,
            Some(Scope::Group) => self.group_mates.contains(&owner),
            Some(Scope::Own) => owner == self.user.id,
            None => false,
        }
    }

    /// A record the user may not see does not exist for them (`NotFound`, never a hint that it
    /// exists); one they see but may not change is `Forbidden`.
    pub fn check_record(&self, area: Area, action: Action, owner: UserId) -> Result<(), AppError> {
        if !self.covers_owner(area, Action::View, owner) {
            return Err(AppError::NotFound);
        }
        if action != Action::View && !self.covers_owner(area, action, owner) {
            return Err(AppError::Forbidden);
        }
        Ok(())
    }

    /// Like `check_record`, counting companies shared with the user. A share lets the user see
    /// the company at any limited view scope, "own" or "group", exactly as `visibility` lists
    /// it; it grants another action only where the user's scope for that action is "own" (their
    /// own records are all they may change, and a share makes the company one of them). A shared
    /// company the user may see but not change is `Forbidden`, no longer `NotFound`.
    pub async fn check_company(
        &self,
        db: &Db,
        action: Action,
        owner: UserId,
        id: CompanyId,
    ) -> Result<(), AppError> {
        let checked = self.check_record(Area::Companies, action, owner);
        if !matches!(checked, Err(AppError::NotFound | AppError::Forbidden)) {
            return checked;
        }
        let sees = self.permissions.scope(Area::Companies, Action::View).is_some();
        let acts = self.permissions.scope(Area::Companies, action) == Some(Scope::Own);
        let granted = if action == Action::View { sees } else { acts };
        if !(granted || sees) || !access::is_shared(db, id, self.user.id).await? {
            return checked;
        }
        if granted { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

/// The names of linked records for a page (companies, contacts, deals), looked up by `lookup`
/// in one query with the user's view scope for `area`: a record the user may not see is left
/// out, and the page shows it by number. No right to see the area at all means no names, which
/// is not an error for a page that merely links to such records.
pub(crate) async fn visible_names<K, Fut>(
    access: &Access,
    area: Area,
    lookup: impl FnOnce(Option<Visibility>) -> Fut,
) -> Result<HashMap<K, String>, AppError>
where
    K: Hash + Eq,
    Fut: Future<Output = orbita_storage::error::Result<Vec<(K, String)>>>,
{
    let visible = match access.visibility(area, Action::View) {
        Ok(visible) => visible,
        Err(AppError::Forbidden) => return Ok(HashMap::new()),
        Err(other) => return Err(other),
    };
    Ok(lookup(visible).await?.into_iter().collect())
}
