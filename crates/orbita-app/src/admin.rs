//! Administration: users, groups and roles with their grants; reading the audit log.
//! Every change is audited; only users with rights on "users and settings" may make them.

use orbita_domain::access::{Action, Area, Permissions, Scope};
use orbita_domain::audit::{AuditAction, AuditEvent};
use orbita_domain::org::Locale;
use orbita_domain::user::{BuiltinRole, Group, NewUser, Role, User};
use orbita_domain::{FieldError, GroupId, RoleId, UserId, text};
use orbita_storage::audit::{self, AuditFilter};
use orbita_storage::{Cursor, Db, Page, Tx, access as store, users};

use crate::audit_trail;
use crate::error::conflict_on;
use crate::{Access, AppError};

/// Every user with their groups, for the admin list and for owner pickers.
/// The active administrators, read inside a transaction: whom the system tells of trouble
/// (a webhook switched off).
pub(crate) async fn administrators_in(tx: &mut orbita_storage::Tx) -> Result<Vec<UserId>, AppError> {
    let key = orbita_domain::user::BuiltinRole::Administrator.as_str();
    Ok(orbita_storage::users::active_with_role_in(tx, key).await?)
}

pub async fn users(db: &Db, access: &Access) -> Result<Vec<User>, AppError> {
    // Owner pickers need names; anyone who may view records may see colleagues' names.
    if !access.can(Area::UsersAndSettings, Action::View) && !access.can(Area::Companies, Action::View) {
        return Err(AppError::Forbidden);
    }
    Ok(users::list(db).await?)
}

/// One user, within the viewer's scope on "users and settings" (own: oneself; group: one's
/// group mates; all: everyone); anyone else does not exist for them.
pub async fn user(db: &Db, access: &Access, id: UserId) -> Result<(User, Vec<GroupId>), AppError> {
    access.require(Area::UsersAndSettings, Action::View)?;
    if !access.covers_owner(Area::UsersAndSettings, Action::View, id) {
        return Err(AppError::NotFound);
    }
    Ok((users::get(db, id).await?, users::groups_of(db, id).await?))
}

/// The one gate of every path that changes a user (edit, role, groups, activation, password):
/// the user must be within the actor's edit scope, and their role within the actor's own
/// rights, so that nobody changes (or takes over) someone above themselves.
pub async fn user_to_change(db: &Db, access: &Access, id: UserId) -> Result<User, AppError> {
    access.require(Area::UsersAndSettings, Action::Edit)?;
    if !access.covers_owner(Area::UsersAndSettings, Action::View, id) {
        return Err(AppError::NotFound);
    }
    if !access.covers_owner(Area::UsersAndSettings, Action::Edit, id) {
        return Err(AppError::Forbidden);
    }
    let user = users::get(db, id).await?;
    if !store::permissions(db, user.role_id).await?.within(&access.permissions) {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

/// A role the actor may hand out: its grants are all held by the actor.
async fn assignable_role(db: &Db, access: &Access, role: RoleId) -> Result<Role, AppError> {
    let found = users::get_role(db, role)
        .await
        .map_err(|_| FieldError::new("role_id", "role-unknown", "Choose a role"))?;
    if !store::permissions(db, role).await?.within(&access.permissions) {
        return Err(FieldError::new(
            "role_id",
            "role-above-yours",
            "You cannot give a role with more rights than yours",
        )
        .into());
    }
    Ok(found)
}

/// Whether `user` is the only active administrator left, read inside the transaction that
/// would demote or deactivate them, after the others doing the same have had their turn: two
/// administrators demoting each other at once cannot both pass.
async fn last_administrator(tx: &mut Tx, admin: RoleId, user: &User) -> Result<bool, AppError> {
    if user.role_id != admin || !user.is_active {
        return Ok(false);
    }
    tx.take_turns("administrators").await?;
    Ok(users::count_active_in_role(tx, admin, user.id).await? == 0)
}

pub async fn create_user(
    db: &Db,
    access: &Access,
    email: &str,
    name: &str,
    role: RoleId,
    password: &str,
    groups: &[GroupId],
) -> Result<UserId, AppError> {
    access.require_all(Area::UsersAndSettings, Action::Create)?;
    let role = assignable_role(db, access, role).await?;
    crate::users::create_user_in_groups(db, &access.context(), email, name, &role.key, password, groups).await
}

pub struct UserEdit<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role_id: RoleId,
    pub is_active: bool,
    pub locale: Option<Locale>,
    pub groups: &'a [GroupId],
}

/// Edits a user. Deactivating ends all their sessions at once.
pub async fn update_user(
    db: &Db,
    access: &Access,
    id: UserId,
    edit: &UserEdit<'_>,
) -> Result<User, AppError> {
    let target = user_to_change(db, access, id).await?;
    let parsed = NewUser::parse(edit.email, edit.name)?;
    if id == access.user_id() && !edit.is_active {
        return Err(FieldError::new("is_active", "deactivate-self", "You cannot deactivate yourself").into());
    }
    if edit.role_id != target.role_id {
        assignable_role(db, access, edit.role_id).await?;
    }
    // Membership widens what a group scope sees: only who holds edit on all users changes it.
    let mut current = users::groups_of(db, id).await?;
    let mut wanted = edit.groups.to_vec();
    current.sort();
    current.dedup();
    wanted.sort();
    wanted.dedup();
    if current != wanted && !access.holds(Area::UsersAndSettings, Action::Edit, Scope::All) {
        return Err(FieldError::new(
            "groups",
            "groups-not-yours",
            "Only an administrator of all users changes groups",
        )
        .into());
    }
    let now = orbita_domain::now();
    let admin = users::role_by_key(db, BuiltinRole::Administrator.as_str()).await?.id;
    let mut tx = db.begin().await?;
    let before = users::get_in(&mut tx, id).await?;
    if (edit.role_id != before.role_id || !edit.is_active)
        && last_administrator(&mut tx, admin, &before).await?
    {
        let field = if edit.is_active { "role_id" } else { "is_active" };
        return Err(
            FieldError::new(field, "last-administrator", "This is the last active administrator").into()
        );
    }
    let before_groups = users::groups_of_in(&mut tx, id).await?;
    let changes = orbita_domain::users_diff(
        &before,
        &before_groups,
        &parsed,
        edit.role_id,
        edit.is_active,
        edit.locale,
        edit.groups,
    );
    let update = users::UserChanges {
        email: &parsed.email,
        name: &parsed.name,
        role_id: edit.role_id,
        is_active: edit.is_active,
        locale: edit.locale,
    };
    users::update(&mut tx, id, &update, now).await.map_err(|e| {
        conflict_on(
            e,
            "users_email_key",
            FieldError::new("email", "email-taken", "A user with this e-mail already exists"),
        )
    })?;
    users::set_groups(&mut tx, id, edit.groups, now).await?;
    if !edit.is_active {
        store::delete_user_sessions(&mut tx, id, None).await?;
    }
    audit_trail::record(&mut tx, &access.context(), "user", id.0, AuditAction::Update, changes, now).await?;
    tx.commit().await?;
    Ok(users::get(db, id).await?)
}

pub async fn groups(db: &Db, access: &Access) -> Result<Vec<(Group, Vec<UserId>)>, AppError> {
    access.require(Area::UsersAndSettings, Action::View)?;
    let mut out = Vec::new();
    for group in users::groups(db).await? {
        let members = users::group_members(db, group.id).await?;
        out.push((group, members));
    }
    Ok(out)
}

/// The groups a report may be narrowed to: every group for a user who sees all figures, their
/// own groups for a head of sales (group scope), none for someone who sees only their own.
pub async fn report_groups(db: &Db, access: &Access) -> Result<Vec<Group>, AppError> {
    list_groups(db, access, Area::Reports).await
}

/// The groups a list (or report) of `area` offers to narrow it to, by the user's view scope
/// there: every group for a user who sees all records, their own groups for a head of sales
/// (group scope), none for someone who sees only their own (a group adds nothing to "mine").
pub async fn list_groups(db: &Db, access: &Access, area: Area) -> Result<Vec<Group>, AppError> {
    Ok(match access.permissions.scope(area, Action::View) {
        Some(Scope::All) => users::groups(db).await?,
        Some(Scope::Group) => {
            let mine = users::groups_of(db, access.user_id()).await?;
            users::groups(db).await?.into_iter().filter(|g| mine.contains(&g.id)).collect()
        }
        Some(Scope::Own) | None => Vec::new(),
    })
}

/// A list's owner filter narrowed to a group (`group=` of the lists, `group_id` of the API):
/// the group's members, within `owners` when the list filters by owner too (`None`: no group,
/// `owners` as given). One query, whatever the list's length; the list's service then applies
/// it as any owner filter, inside the user's view scope as always: a manager who names a group
/// still gets only their own records, and a head of sales naming another team only the
/// records of its members who are also theirs to see. So no group is refused (an unknown one
/// has no members and selects nothing); the user needs only the right to view the list.
pub async fn group_owners(
    db: &Db,
    access: &Access,
    area: Area,
    group: Option<GroupId>,
    owners: Option<Vec<UserId>>,
) -> Result<Option<Vec<UserId>>, AppError> {
    let Some(group) = group else { return Ok(owners) };
    access.require(area, Action::View)?;
    let members = users::group_members(db, group).await?;
    Ok(Some(match owners {
        Some(owners) => members.into_iter().filter(|m| owners.contains(m)).collect(),
        None => members,
    }))
}

pub async fn create_group(db: &Db, access: &Access, name: &str) -> Result<GroupId, AppError> {
    access.require_all(Area::UsersAndSettings, Action::Create)?;
    let name = text::required(name, "name", 200)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = users::insert_group(&mut tx, &name, now).await.map_err(|e| {
        conflict_on(
            e,
            "user_groups_name_key",
            FieldError::new("name", "group-taken", "A group with this name exists"),
        )
    })?;
    let changes = audit_trail::one("name", None, Some(name));
    audit_trail::record(&mut tx, &access.context(), "group", id.0, AuditAction::Create, changes, now).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn roles(db: &Db, access: &Access) -> Result<Vec<(Role, Permissions)>, AppError> {
    access.require(Area::UsersAndSettings, Action::View)?;
    let mut out = Vec::new();
    for role in users::roles(db).await? {
        let permissions = store::permissions(db, role.id).await?;
        out.push((role, permissions));
    }
    Ok(out)
}

/// A new role, starting with no grants.
pub async fn create_role(db: &Db, access: &Access, name: &str) -> Result<RoleId, AppError> {
    access.require_all(Area::UsersAndSettings, Action::Create)?;
    let name = text::required(name, "name", 100)?;
    let key = format!("custom_{}", hex_suffix());
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = users::insert_role(&mut tx, &key, &name, &name, now).await?;
    let changes = audit_trail::one("name", None, Some(name));
    audit_trail::record(&mut tx, &access.context(), "role", id.0, AuditAction::Create, changes, now).await?;
    tx.commit().await?;
    Ok(id)
}

fn hex_suffix() -> String {
    format!("{:08x}", rand::random::<u32>())
}

/// Replaces a role's grants (the matrix of areas × actions × scope).
pub async fn set_role_permissions(
    db: &Db,
    access: &Access,
    role: RoleId,
    permissions: &Permissions,
) -> Result<(), AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)?;
    if users::get_role(db, role).await?.key == BuiltinRole::Administrator.as_str() {
        return Err(FieldError::new(
            "role",
            "administrator-fixed",
            "The administrator role's rights cannot change",
        )
        .into());
    }
    if !permissions.within(&access.permissions) {
        return Err(
            FieldError::new("role", "grant-above-yours", "You cannot grant a right you do not hold").into()
        );
    }
    let before = store::permissions(db, role).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    store::set_permissions(&mut tx, role, permissions, now).await?;
    let show = |p: &Permissions, area: Area, action: Action| p.scope(area, action).map(|s| s.to_string());
    let changes = Area::ALL
        .iter()
        .flat_map(|area| Action::ALL.iter().map(move |action| (*area, *action)))
        .filter(|(area, action)| show(&before, *area, *action) != show(permissions, *area, *action))
        .map(|(area, action)| orbita_domain::audit::FieldChange {
            field: format!("{area}.{action}"),
            before: show(&before, area, action),
            after: show(permissions, area, action),
        })
        .collect();
    audit_trail::record(&mut tx, &access.context(), "role", role.0, AuditAction::Update, changes, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The audit log, newest first, within the reader's scope: what they did themselves ("own"),
/// what their group mates did ("group"), or everything ("all").
pub async fn audit_log(
    db: &Db,
    access: &Access,
    filter: &AuditFilter,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<AuditEvent>, AppError> {
    match access.visibility(Area::AuditLog, Action::View)? {
        None => Ok(audit::list(db, filter, after, limit).await?),
        Some(scope) => {
            let filter = AuditFilter { actors: Some(scope.owners), ..filter.clone() };
            Ok(audit::list(db, &filter, after, limit).await?)
        }
    }
}
