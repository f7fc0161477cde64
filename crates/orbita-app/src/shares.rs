//! Sharing a company with a colleague: a manager (own records) then sees it in lists, on its
//! card and in search as if it were theirs. Whoever may edit the company by ownership may
//! share it or end a share; both are audited on the company (`shared_with`).

use orbita_domain::access::{Action, Area};
use orbita_domain::audit::AuditAction;
use orbita_domain::{CompanyId, FieldError, UserId};
use orbita_storage::{Db, access as store, companies, users};

use crate::{Access, AppError, audit_trail};

/// The users a company is shared with, for whoever may see the company.
pub async fn list(db: &Db, access: &Access, company: CompanyId) -> Result<Vec<UserId>, AppError> {
    crate::companies::get(db, access, company).await?;
    Ok(store::company_shares(db, company).await?)
}

/// Whether the user may share this company: by ownership, not through a share of their own.
pub fn may_share(access: &Access, owner: UserId) -> bool {
    access.covers_owner(Area::Companies, Action::Edit, owner)
}

pub async fn share(db: &Db, access: &Access, company: CompanyId, user: UserId) -> Result<(), AppError> {
    let now = orbita_domain::now();
    let target = users::get(db, user)
        .await
        .map_err(|_| FieldError::new("user_id", "user-unknown", "There is no such user"))?;
    if !target.is_active {
        return Err(FieldError::new("user_id", "user-inactive", "This user is deactivated").into());
    }
    let mut tx = db.begin().await?;
    let before = companies::get_in(&mut tx, company).await?;
    access.check_record(Area::Companies, Action::Edit, before.owner_id)?;
    if before.owner_id == user {
        return Err(FieldError::new("user_id", "share-owner", "The owner sees the company already").into());
    }
    if store::is_shared_in(&mut tx, company, user).await? {
        return Ok(());
    }
    store::share_company(&mut tx, company, user, now).await?;
    let changes = audit_trail::one("shared_with", None, Some(user.to_string()));
    audit_trail::record(&mut tx, &access.context(), "company", company.0, AuditAction::Update, changes, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn unshare(db: &Db, access: &Access, company: CompanyId, user: UserId) -> Result<(), AppError> {
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = companies::get_in(&mut tx, company).await?;
    access.check_record(Area::Companies, Action::Edit, before.owner_id)?;
    if store::unshare_company(&mut tx, company, user).await? {
        let changes = audit_trail::one("shared_with", Some(user.to_string()), None);
        audit_trail::record(
            &mut tx,
            &access.context(),
            "company",
            company.0,
            AuditAction::Update,
            changes,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
