//! Users: creation (from the command line now, from the admin pages with the rights issue).

use orbita_domain::audit::{AuditAction, FieldChange, NewAuditEvent};
use orbita_domain::user::NewUser;
use orbita_domain::{FieldError, GroupId, UserId, ValidationErrors};
use orbita_storage::{Db, StorageError, audit, users};

use crate::error::conflict_on;
use crate::{AppError, RequestContext, passwords};

/// Creates an active user with a role given by its key (`administrator`, `manager`, …).
pub async fn create_user(
    db: &Db,
    ctx: &RequestContext,
    email: &str,
    name: &str,
    role_key: &str,
    password: &str,
) -> Result<UserId, AppError> {
    create_user_in_groups(db, ctx, email, name, role_key, password, &[]).await
}

/// Creates an active user who belongs to `groups` from the start: the membership is written
/// in the transaction of the user and its audit event, and is part of that event.
pub(crate) async fn create_user_in_groups(
    db: &Db,
    ctx: &RequestContext,
    email: &str,
    name: &str,
    role_key: &str,
    password: &str,
    groups: &[GroupId],
) -> Result<UserId, AppError> {
    let mut errors = ValidationErrors::default();
    let user = match NewUser::parse(email, name) {
        Ok(user) => Some(user),
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    errors.check(crate::auth::check_new_password(password));
    let role = match users::role_by_key(db, role_key).await {
        Ok(role) => Some(role),
        Err(StorageError::NotFound) => {
            errors.push(FieldError::new("role", "role-unknown", format!("There is no role {role_key:?}")));
            None
        }
        Err(other) => return Err(other.into()),
    };
    let (Some(user), Some(role)) = (user, role) else { return Err(errors.into()) };
    errors.into_result()?;
    let hash = passwords::hash(password)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = users::insert(&mut tx, &user, Some(&hash), role.id, now).await.map_err(|e| {
        conflict_on(
            e,
            "users_email_key",
            FieldError::new("email", "email-taken", "A user with this e-mail already exists"),
        )
    })?;
    users::set_groups(&mut tx, id, groups, now).await?;
    let mut changes: Vec<FieldChange> =
        [("email", user.email.as_str()), ("name", user.name.as_str()), ("role", role.key.as_str())]
            .into_iter()
            .map(|(field, value)| FieldChange {
                field: field.into(),
                before: None,
                after: Some(value.into()),
            })
            .collect();
    if let Some(groups) = orbita_domain::groups_text(groups) {
        changes.push(FieldChange { field: "groups".into(), before: None, after: Some(groups) });
    }
    let event = NewAuditEvent {
        actor_id: ctx.actor,
        ip: ctx.ip.clone(),
        via: ctx.via.clone(),
        entity: "user",
        entity_id: Some(id.0),
        action: AuditAction::Create,
        changes,
    };
    audit::insert(&mut tx, &event, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Some user, if any exists (the first created).
pub async fn any_user(db: &Db) -> Result<Option<UserId>, AppError> {
    Ok(users::list(db).await?.into_iter().map(|u| u.id).min())
}

pub async fn count(db: &Db) -> Result<i64, AppError> {
    Ok(users::count(db).await?)
}
