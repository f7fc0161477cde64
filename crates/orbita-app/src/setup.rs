//! What every installation needs before its first request: organisation settings, the
//! built-in roles and the default sales pipeline. Idempotent: run at every start.

use orbita_domain::access::Permissions;
use orbita_domain::org::OrgSettings;
use orbita_domain::pipeline::{DEFAULT_PIPELINE, DEFAULT_STAGES};
use orbita_domain::user::BuiltinRole;
use orbita_storage::{Db, StorageError, access, org, pipelines, users};

use crate::AppError;

pub async fn bootstrap(db: &Db) -> Result<(), AppError> {
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    org::ensure(&mut tx, &OrgSettings::default(), now).await?;
    users::ensure_builtin_roles(&mut tx, now).await?;
    tx.commit().await?;
    // A built-in role gets its default grants once; an administrator's later edits stay.
    for role in users::roles(db).await? {
        let Some(builtin) = BuiltinRole::parse(&role.key) else { continue };
        let mut tx = db.begin().await?;
        if !access::has_permissions(&mut tx, role.id).await? {
            access::set_permissions(&mut tx, role.id, &Permissions::builtin(builtin), now).await?;
        }
        tx.commit().await?;
    }
    if pipelines::list(db).await?.is_empty() {
        let mut tx = db.begin().await?;
        match pipelines::insert(&mut tx, DEFAULT_PIPELINE, true, DEFAULT_STAGES, now).await {
            Ok(_) => tx.commit().await?,
            // Another instance starting at the same moment created it first.
            Err(StorageError::Conflict { constraint }) if constraint == "pipelines_one_default" => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(())
}

/// The organisation's settings (after `bootstrap`, always present).
pub async fn settings(db: &Db) -> Result<OrgSettings, AppError> {
    Ok(org::get(db).await?.unwrap_or_default())
}
