//! Loss reasons: administrators keep the list (add, rename, move to one pipeline or all,
//! retire, bring back), audited; everyone closing a deal as lost is offered its reasons.
//! Nothing is deleted: a retired reason is no longer offered, and deals keep their words.

use orbita_domain::PipelineId;
use orbita_domain::access::{Action, Area};
use orbita_domain::loss_reason::{LossReason, LossReasonFields, LossReasonInput};
use orbita_storage::loss_reasons as store;
use orbita_storage::{Db, pipelines};

use crate::audit_trail::{self, AuditView};
use crate::{Access, AppError};

const ENTITY: &str = "loss_reason";

/// Every reason, retired ones too (names only: anyone signed in may read them).
pub async fn list(db: &Db) -> Result<Vec<LossReason>, AppError> {
    Ok(store::list(db).await?)
}

/// The list as its administration page shows it: for those who may see the settings.
pub async fn for_admin(db: &Db, access: &Access) -> Result<Vec<LossReason>, AppError> {
    access.require_all(Area::UsersAndSettings, Action::View)?;
    list(db).await
}

/// The active reasons offered for a deal of `pipeline`, in their order.
pub async fn offered(db: &Db, pipeline: PipelineId) -> Result<Vec<LossReason>, AppError> {
    Ok(store::list(db).await?.into_iter().filter(|r| r.offered_in(pipeline)).collect())
}

pub async fn create(db: &Db, access: &Access, input: &LossReasonInput) -> Result<LossReason, AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)?;
    let fields = checked(db, input).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &fields, now).await?;
    audit_trail::configured(&mut tx, &access.context(), ENTITY, id, None, Some(&view(&fields)), now).await?;
    let made = store::get_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(made)
}

pub async fn update(
    db: &Db,
    access: &Access,
    id: i64,
    input: &LossReasonInput,
) -> Result<LossReason, AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)?;
    let fields = checked(db, input).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = match store::get_in(&mut tx, id).await {
        Ok(reason) => reason,
        Err(orbita_storage::StorageError::NotFound) => return Err(AppError::NotFound),
        Err(error) => return Err(error.into()),
    };
    store::update(&mut tx, id, &fields, now).await?;
    let was = LossReasonFields { name: before.name, pipeline_id: before.pipeline_id, active: before.active };
    audit_trail::configured(
        &mut tx,
        &access.context(),
        ENTITY,
        id,
        Some(&view(&was)),
        Some(&view(&fields)),
        now,
    )
    .await?;
    let saved = store::get_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(saved)
}

async fn checked(db: &Db, input: &LossReasonInput) -> Result<LossReasonFields, AppError> {
    let fields = input.validate()?;
    if let Some(pipeline) = fields.pipeline_id
        && !pipelines::list(db).await?.iter().any(|p| p.id == pipeline)
    {
        return Err(orbita_domain::FieldError::new(
            "pipeline_id",
            "automation-pipeline-required",
            "Choose a pipeline",
        )
        .into());
    }
    Ok(fields)
}

fn view(f: &LossReasonFields) -> AuditView {
    vec![
        ("name", Some(f.name.clone())),
        ("pipeline_id", f.pipeline_id.map(|p| p.to_string())),
        ("active", Some(f.active.to_string())),
    ]
}
