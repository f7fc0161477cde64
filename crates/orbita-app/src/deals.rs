//! Deal use cases: the pipeline work of the "incoming request" and "closing" scenarios.

use std::collections::HashMap;

use orbita_domain::access::{Action, Area};
use orbita_domain::audit::AuditAction;
use orbita_domain::deal::{Deal, DealFields, DealInput, DealStatus, StageMove, move_to_stage};
use orbita_domain::pipeline::{Pipeline, Stage, StageKind};
use orbita_domain::{DealId, FieldError, PipelineId, StageId, Timestamp, UserId};
use orbita_storage::deals::{self, DealFilter, DealSort};
use orbita_storage::{Cursor, Db, Page, Tx, pipelines};

use orbita_domain::kind::RecordKind;
use serde_json::{Map, Value};

use crate::audit_trail::{self};
use crate::automation::{self, DealEvent};
use crate::context::RequestContext;
use crate::records;
use crate::{Access, AppError, custom_fields, notifications, setup};
use orbita_domain::notification::NotificationKind;

pub async fn pipelines_and_stages(db: &Db) -> Result<(Vec<Pipeline>, Vec<Stage>), AppError> {
    Ok((pipelines::list(db).await?, pipelines::stages(db).await?))
}

pub async fn list(
    db: &Db,
    access: &Access,
    filter: &DealFilter,
    sort: DealSort,
    descending: bool,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Deal>, AppError> {
    let filter = DealFilter { visible: access.visibility(Area::Deals, Action::View)?, ..filter.clone() };
    Ok(deals::list(db, &filter, sort, descending, after, limit).await?)
}

pub async fn get(db: &Db, access: &Access, id: DealId) -> Result<Deal, AppError> {
    records::get(db, access, id.0).await
}

/// The titles of those of these deals the user may see, in one query (a page of tasks or
/// activities); one the user may not see is left out and shown by number.
pub async fn titles(db: &Db, access: &Access, ids: &[DealId]) -> Result<HashMap<DealId, String>, AppError> {
    crate::access::visible_names(access, Area::Deals, |visible| async move {
        deals::titles(db, ids, visible.as_ref()).await
    })
    .await
}

/// Where a new deal starts: the given stage, or the first stage of the given (or default)
/// pipeline.
pub(crate) async fn starting_stage(
    db: &Db,
    pipeline: Option<PipelineId>,
    stage: Option<StageId>,
) -> Result<Stage, AppError> {
    let stages = pipelines::stages(db).await?;
    let pipeline = match pipeline {
        Some(p) => p,
        None => pipelines::list(db)
            .await?
            .into_iter()
            .find(|p| p.is_default)
            .map(|p| p.id)
            .ok_or(AppError::NotFound)?,
    };
    let in_pipeline = |s: &&Stage| s.pipeline_id == pipeline;
    match stage {
        Some(id) => stages.iter().filter(in_pipeline).find(|s| s.id == id).cloned().ok_or_else(|| {
            FieldError::new("stage_id", "stage-unknown", "Choose a stage of the deal's pipeline").into()
        }),
        None => stages.iter().find(in_pipeline).cloned().ok_or(AppError::NotFound),
    }
}

pub async fn create(
    db: &Db,
    access: &Access,
    input: &DealInput,
    pipeline: Option<PipelineId>,
    stage: Option<StageId>,
    owner: Option<UserId>,
) -> Result<Deal, AppError> {
    create_with_custom(db, access, input, pipeline, stage, owner, None).await
}

/// `create` with the new deal's custom values (`{"window_type": "ПВХ"}`).
pub async fn create_with_custom(
    db: &Db,
    access: &Access,
    input: &DealInput,
    pipeline: Option<PipelineId>,
    stage: Option<StageId>,
    owner: Option<UserId>,
    custom: Option<&Map<String, Value>>,
) -> Result<Deal, AppError> {
    let owner = owner.unwrap_or(access.user_id());
    records::check_new_owner::<Deal>(access, "owner_id", owner)?;
    let settings = setup::settings(db).await?;
    let fields = input.validate(&settings.currency)?;
    let custom = custom_fields::read_changes(db, access, RecordKind::Deal, custom).await?;
    crate::links::check(db, access, fields.company_id, fields.contact_id, None).await?;
    let stage = starting_stage(db, pipeline, stage).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let new = NewDeal { fields: &fields, stage: &stage, owner, custom: &custom };
    let id = insert_in(&mut tx, &access.context(), &new, now).await?;
    tx.commit().await?;
    Ok(deals::get(db, id).await?)
}

/// A new deal, checked, as `insert_in` takes it.
pub(crate) struct NewDeal<'a> {
    pub fields: &'a DealFields,
    pub stage: &'a Stage,
    pub owner: UserId,
    pub custom: &'a custom_fields::CustomChanges,
}

/// Writes a new deal inside the caller's transaction, with what every new deal sets off: its
/// audit event, its owner's notice and the automation rules of its creation and first stage.
pub(crate) async fn insert_in(
    tx: &mut Tx,
    ctx: &RequestContext,
    new: &NewDeal<'_>,
    now: Timestamp,
) -> Result<DealId, AppError> {
    let NewDeal { fields, stage, owner, custom } = *new;
    // A deal may be registered straight as won; one registered as lost needs a reason, which
    // the form for a new deal does not ask: start it at an open stage instead.
    let start = move_to_stage(stage, "", now).map_err(AppError::from)?;
    let id = deals::insert(tx, fields, stage.pipeline_id, &start, owner, ctx.actor, now).await?;
    let mut extra = audit_trail::one("stage_id", None, Some(stage.id.to_string()));
    extra.extend(records::owner_line::<Deal>(owner));
    records::created_in::<Deal>(tx, ctx, id.0, fields, extra, custom, now).await?;
    let assigned = NotificationKind::DealAssigned;
    notifications::assigned_in(tx, ctx, owner, assigned, "deal", id.0, &fields.title, now).await?;
    automation::deal_event_in(tx, id, stage.pipeline_id, DealEvent::Created, 0, now).await?;
    automation::deal_event_in(tx, id, stage.pipeline_id, DealEvent::EnteredStage(stage.id), 0, now).await?;
    Ok(id)
}

/// A move asked of a deal: the stage, and the reason when it is a lost stage.
#[derive(Debug, Clone)]
pub struct StageTarget {
    pub stage: StageId,
    pub lost_reason: String,
}

/// One edit of a deal, as a form, the card or a PATCH sends it: new field values, a new owner
/// and a stage move, any of them.
#[derive(Debug, Clone, Default)]
pub struct DealChange {
    pub fields: Option<DealInput>,
    pub owner: Option<UserId>,
    pub stage: Option<StageTarget>,
    /// Custom values to set (`null` or `""` clears one); the others stay.
    pub custom: Option<Map<String, Value>>,
    /// With a move to a won or lost stage: mark the deal's open tasks done too (those the
    /// user may edit), in the same transaction.
    pub close_open_tasks: bool,
}

/// Saves a field edit alone.
pub async fn update(
    db: &Db,
    access: &Access,
    id: DealId,
    input: &DealInput,
    expected_version: Option<i64>,
) -> Result<Deal, AppError> {
    let change = DealChange { fields: Some(input.clone()), ..DealChange::default() };
    self::change(db, access, id, &change, expected_version).await
}

/// Moves a deal to a stage of its pipeline. Won closes it (it then counts toward its owner's
/// monthly target); lost needs a reason; an open stage reopens it.
pub async fn move_stage(
    db: &Db,
    access: &Access,
    id: DealId,
    stage: StageId,
    lost_reason: &str,
    expected_version: Option<i64>,
) -> Result<Deal, AppError> {
    let stage = StageTarget { stage, lost_reason: lost_reason.to_owned() };
    let change = DealChange { stage: Some(stage), ..DealChange::default() };
    self::change(db, access, id, &change, expected_version).await
}

/// Saves an edit, a new owner and a stage move in one transaction, after every check has
/// passed: a lost stage without a reason or a refused owner leaves the fields unsaved too.
pub async fn change(
    db: &Db,
    access: &Access,
    id: DealId,
    change: &DealChange,
    expected_version: Option<i64>,
) -> Result<Deal, AppError> {
    let fields = match &change.fields {
        Some(input) => {
            let fields = input.validate(&setup::settings(db).await?.currency)?;
            crate::links::check(db, access, fields.company_id, fields.contact_id, None).await?;
            Some(fields)
        }
        None => None,
    };
    let custom = custom_fields::read_changes(db, access, RecordKind::Deal, change.custom.as_ref()).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before: Deal = records::edited_in(&mut tx, db, access, id.0, expected_version).await?;
    let owner =
        crate::ownership::new_owner(db, access, Area::Deals, "owner_id", before.owner_id, change.owner)
            .await?;
    let to = match &change.stage {
        Some(target) => planned_move(&mut tx, &before, target, now).await?,
        None => None,
    };
    let ctx = access.context();
    let edit = records::Edit { fields, custom: &custom, owner };
    let changed = edit.save_in(&mut tx, &ctx, &before, expected_version, now).await?;
    let edited = DealEvent::FieldsChanged(changed);
    automation::deal_event_in(&mut tx, id, before.pipeline_id, edited, 0, now).await?;
    if let Some(to) = to {
        moved_in(&mut tx, &ctx, &before, &to, 0, now).await?;
        if change.close_open_tasks && to.status != DealStatus::Open {
            close_open_tasks_in(&mut tx, access, &ctx, id, now).await?;
        }
    }
    tx.commit().await?;
    Ok(deals::get(db, id).await?)
}

/// Marks the deal's open tasks done as it closes, each audited as a click on "done" would be;
/// a task the user may not edit (a colleague's, outside their scope) stays open.
async fn close_open_tasks_in(
    tx: &mut Tx,
    access: &Access,
    ctx: &RequestContext,
    deal: DealId,
    now: Timestamp,
) -> Result<(), AppError> {
    for (task, assignee) in orbita_storage::tasks::open_of_deal_in(tx, deal).await? {
        if !access.covers_owner(Area::Tasks, Action::Edit, assignee) {
            continue;
        }
        orbita_storage::tasks::set_done(tx, task, Some(now), now).await?;
        let changes = audit_trail::one("done_at", None, Some(now.to_rfc3339()));
        audit_trail::record(tx, ctx, "task", task.0, AuditAction::Update, changes, now).await?;
    }
    Ok(())
}

/// Writes a planned move of `before` with its audit line, and sets off the rules of the stage
/// entered; `chain` counts the rules' moves that led here (0: a person's).
async fn moved_in(
    tx: &mut Tx,
    ctx: &RequestContext,
    before: &Deal,
    to: &StageMove,
    chain: u32,
    now: Timestamp,
) -> Result<(), AppError> {
    let id = before.id;
    // The writes before it bumped the version the move is checked against.
    let current = deals::get_in(tx, id).await?;
    deals::move_stage(tx, &current, to, ctx.actor, now).await?;
    let mut changes =
        audit_trail::one("stage_id", Some(before.stage_id.to_string()), Some(to.stage_id.to_string()));
    if before.status != to.status {
        changes.extend(audit_trail::one(
            "status",
            Some(before.status.to_string()),
            Some(to.status.to_string()),
        ));
    }
    if before.lost_reason != to.lost_reason {
        changes.extend(audit_trail::one("lost_reason", before.lost_reason.clone(), to.lost_reason.clone()));
    }
    audit_trail::record(tx, ctx, "deal", id.0, AuditAction::StageChange, changes, now).await?;
    let entered = DealEvent::EnteredStage(to.stage_id);
    automation::deal_event_in(tx, id, before.pipeline_id, entered, chain, now).await
}

/// A rule's change to a deal, inside the rule's run: a field set, a new owner (told, audited
/// as the rule) and a move to a stage (a lost one gives the rule as its reason), each setting
/// off the rules it concerns one step further down the `chain`.
pub(crate) async fn change_by_rule_in(
    tx: &mut Tx,
    ctx: &RequestContext,
    before: &Deal,
    change: ByRule,
    chain: u32,
    now: Timestamp,
) -> Result<(), AppError> {
    let reason = ctx.via.clone().unwrap_or_default();
    let to = match change.stage {
        Some(stage) => planned_move(tx, before, &StageTarget { stage, lost_reason: reason }, now).await?,
        None => None,
    };
    let owner = change.owner.filter(|o| *o != before.owner_id);
    if change.fields.is_some() || !change.custom.is_empty() || owner.is_some() {
        let edit = records::Edit::<Deal> { fields: change.fields, custom: &change.custom, owner };
        let changed = edit.save_in(tx, ctx, before, None, now).await?;
        let edited = DealEvent::FieldsChanged(changed);
        automation::deal_event_in(tx, before.id, before.pipeline_id, edited, chain + 1, now).await?;
    }
    if let Some(to) = to {
        moved_in(tx, ctx, before, &to, chain + 1, now).await?;
    }
    Ok(())
}

/// What a rule changes on a deal.
#[derive(Default)]
pub(crate) struct ByRule {
    pub fields: Option<DealFields>,
    pub custom: custom_fields::CustomChanges,
    pub owner: Option<UserId>,
    pub stage: Option<StageId>,
}

/// The move a target asks of a deal, checked before anything is written: a stage of the
/// deal's pipeline, a reason for a lost one. `None` when the deal already stands at that open
/// stage.
async fn planned_move(
    tx: &mut Tx,
    deal: &Deal,
    target: &StageTarget,
    now: Timestamp,
) -> Result<Option<StageMove>, AppError> {
    let unknown = || FieldError::new("stage_id", "stage-unknown", "Choose a stage of the deal's pipeline");
    let stage = match pipelines::get_stage_in(tx, target.stage).await {
        Ok(stage) if stage.pipeline_id == deal.pipeline_id => stage,
        Ok(_) | Err(orbita_storage::StorageError::NotFound) => return Err(unknown().into()),
        Err(other) => return Err(other.into()),
    };
    if stage.id == deal.stage_id && stage.kind == StageKind::Open {
        return Ok(None);
    }
    Ok(Some(move_to_stage(&stage, &target.lost_reason, now)?))
}

pub async fn delete(db: &Db, access: &Access, id: DealId) -> Result<(), AppError> {
    records::delete::<Deal>(db, access, id.0).await
}
