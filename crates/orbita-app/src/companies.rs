//! Company use cases: list, card, create, change (edit and owner), delete, transfer, each checked against the
//! user's rights and audited with field-level changes in the same transaction.

use std::collections::HashMap;

use orbita_domain::access::{Action, Area};
use orbita_domain::audit::AuditAction;
use orbita_domain::company::{Company, CompanyFields, CompanyInput};
use orbita_domain::kind::RecordKind;
use orbita_domain::notification::NotificationKind;
use orbita_domain::user::BuiltinRole;
use orbita_domain::validation::Kpp;
use orbita_domain::{CompanyId, FieldError, UserId};
use orbita_storage::companies::{self, CompanyFilter, CompanySort};
use orbita_storage::{Cursor, Db, Page, StorageError};
use serde_json::{Map, Value};

use crate::error::conflict_on;
use crate::records;
use crate::{Access, AppError, RequestContext, custom_fields};

/// A write refused by the database: a second company with the same INN and KPP is the form's
/// field error.
pub(crate) fn refusal(error: StorageError) -> AppError {
    let taken = FieldError::new("inn", "inn-kpp-taken", "A company with this INN and KPP already exists");
    conflict_on(error, "companies_inn_kpp", taken)
}

/// The companies the user may see, filtered, sorted and paged as asked.
pub async fn list(
    db: &Db,
    access: &Access,
    filter: &CompanyFilter,
    sort: CompanySort,
    descending: bool,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Company>, AppError> {
    let filter =
        CompanyFilter { visible: access.visibility(Area::Companies, Action::View)?, ..filter.clone() };
    Ok(companies::list(db, &filter, sort, descending, after, limit).await?)
}

pub async fn get(db: &Db, access: &Access, id: CompanyId) -> Result<Company, AppError> {
    records::get(db, access, id.0).await
}

/// The names of those of these companies the user may see, in one query (a page of deals,
/// contacts or activities). One the user may not see is left out, as if it did not exist: the
/// page shows it by number, as a deal's card does.
pub async fn names(
    db: &Db,
    access: &Access,
    ids: &[CompanyId],
) -> Result<HashMap<CompanyId, String>, AppError> {
    crate::access::visible_names(access, Area::Companies, |visible| async move {
        companies::names(db, ids, visible.as_ref()).await
    })
    .await
}

/// Companies with the same INN (and KPP) that the user may see: the duplicate warning.
pub async fn duplicates(db: &Db, access: &Access, input: &CompanyInput) -> Result<Vec<Company>, AppError> {
    let mut visible = Vec::new();
    for company in same_inn(db, input).await?.1 {
        if access.check_company(db, Action::View, company.owner_id, company.id).await.is_ok() {
            visible.push(company);
        }
    }
    Ok(visible)
}

/// The KPP `input` names and the companies registered with its INN (and that KPP); none when
/// it names no valid INN.
async fn same_inn(db: &Db, input: &CompanyInput) -> Result<(Option<Kpp>, Vec<Company>), AppError> {
    let Ok(fields) = input.validate() else { return Ok((None, Vec::new())) };
    let Some(inn) = &fields.inn else { return Ok((None, Vec::new())) };
    let same = companies::find_by_inn(db, inn, fields.kpp.as_ref()).await?;
    Ok((fields.kpp, same))
}

/// Who keeps the company with this INN and KPP when the user may not see it: its owner's
/// name and nothing more of it, so that a refused duplicate says whom to ask instead of
/// ending the conversation. `None` when there is none, or the user may see it (the duplicate
/// warning shows it then).
pub async fn kept_by(db: &Db, access: &Access, input: &CompanyInput) -> Result<Option<String>, AppError> {
    let Some(company) = hidden_same(db, access, input).await? else { return Ok(None) };
    Ok(Some(orbita_storage::users::get(db, company.owner_id).await?.name))
}

/// The company with the INN and KPP of `input`, when there is one the user may not see.
async fn hidden_same(db: &Db, access: &Access, input: &CompanyInput) -> Result<Option<Company>, AppError> {
    let (kpp, same) = same_inn(db, input).await?;
    let Some(company) = same.into_iter().find(|c| c.fields.kpp == kpp) else { return Ok(None) };
    if access.check_company(db, Action::View, company.owner_id, company.id).await.is_ok() {
        return Ok(None);
    }
    Ok(Some(company))
}

/// Asks the owner of the company with this INN and KPP, which the user may not see, and the
/// owner's heads of sales to share it with the user or hand it over: each is told once per
/// asker (in the bell or by e-mail, as they chose), and the request is audited on the company.
/// Returns how many were asked; a company the user may see, or none, is "not found".
pub async fn ask_access(db: &Db, access: &Access, input: &CompanyInput) -> Result<usize, AppError> {
    let company = hidden_same(db, access, input).await?.ok_or(AppError::NotFound)?;
    let head_role = orbita_storage::users::role_by_key(db, BuiltinRole::HeadOfSales.as_str()).await?.id;
    let heads =
        crate::notifications::heads_seeing(db, company.owner_id, Some(head_role), Area::Companies).await?;
    let asker = access.user_id();
    let subject = format!("{} — {}", company.fields.name, access.user.name);
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let asked: Vec<UserId> = std::iter::once(company.owner_id).chain(heads).filter(|u| *u != asker).collect();
    for recipient in &asked {
        let key = format!("access_requested:{}:{}:{}", company.id.0, asker.0, recipient.0);
        let about = ("company", company.id.0);
        crate::notifications::tell_in(
            &mut tx,
            *recipient,
            NotificationKind::AccessRequested,
            about,
            &subject,
            Some(&key),
            now,
        )
        .await?;
    }
    let ctx = access.context();
    crate::audit_trail::record(
        &mut tx,
        &ctx,
        "company",
        company.id.0,
        AuditAction::AccessRequest,
        Vec::new(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(asked.len())
}

/// Registers a company; its owner is `owner` (if the user may create for others) or the user.
pub async fn create(
    db: &Db,
    access: &Access,
    input: &CompanyInput,
    owner: Option<UserId>,
) -> Result<Company, AppError> {
    create_with_custom(db, access, input, owner, None).await
}

/// `create` with the new company's custom values.
pub async fn create_with_custom(
    db: &Db,
    access: &Access,
    input: &CompanyInput,
    owner: Option<UserId>,
    custom: Option<&Map<String, Value>>,
) -> Result<Company, AppError> {
    let owner = owner.unwrap_or(access.user_id());
    records::check_new_owner::<Company>(access, "owner_id", owner)?;
    let fields = input.validate()?;
    let custom = custom_fields::read_changes(db, access, RecordKind::Company, custom).await?;
    insert(db, &access.context(), &fields, owner, &custom).await
}

/// Creation without a rights check: for the system itself (command line, imports, demo).
pub async fn create_as(
    db: &Db,
    ctx: &RequestContext,
    input: &CompanyInput,
    owner: UserId,
) -> Result<Company, AppError> {
    let fields = input.validate()?;
    insert(db, ctx, &fields, owner, &custom_fields::CustomChanges::default()).await
}

async fn insert(
    db: &Db,
    ctx: &RequestContext,
    fields: &CompanyFields,
    owner: UserId,
    custom: &custom_fields::CustomChanges,
) -> Result<Company, AppError> {
    let fields = fields.clone();
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = companies::insert(&mut tx, &fields, owner, ctx.actor, now).await.map_err(refusal)?;
    let owner = records::owner_line::<Company>(owner);
    records::created_in::<Company>(&mut tx, ctx, id.0, &fields, owner, custom, now).await?;
    tx.commit().await?;
    Ok(companies::get(db, id).await?)
}

/// One edit of a company, as a form or a PATCH sends it: new field values and a new owner,
/// either or both.
#[derive(Debug, Clone, Default)]
pub struct CompanyChange {
    pub fields: Option<CompanyInput>,
    pub owner: Option<UserId>,
    /// Custom values to set (`null` or `""` clears one); the others stay.
    pub custom: Option<Map<String, Value>>,
}

/// Saves a field edit alone (the form without an owner picker, the command line's tests).
pub async fn update(
    db: &Db,
    access: &Access,
    id: CompanyId,
    input: &CompanyInput,
    expected_version: Option<i64>,
) -> Result<Company, AppError> {
    let change = CompanyChange { fields: Some(input.clone()), ..CompanyChange::default() };
    self::change(db, access, id, &change, expected_version).await
}

/// Saves an edit and a new owner in one transaction, after every check has passed: a refused
/// owner leaves the fields unsaved too. With `expected_version`, refuses (`Stale`) if someone
/// saved in between.
pub async fn change(
    db: &Db,
    access: &Access,
    id: CompanyId,
    change: &CompanyChange,
    expected_version: Option<i64>,
) -> Result<Company, AppError> {
    let fields = change.fields.as_ref().map(CompanyInput::validate).transpose()?;
    let custom = custom_fields::read_changes(db, access, RecordKind::Company, change.custom.as_ref()).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before: Company = records::edited_in(&mut tx, db, access, id.0, expected_version).await?;
    let owner =
        crate::ownership::new_owner(db, access, Area::Companies, "owner_id", before.owner_id, change.owner)
            .await?;
    let edit = records::Edit { fields, custom: &custom, owner };
    edit.save_in(&mut tx, &access.context(), &before, expected_version, now).await?;
    tx.commit().await?;
    Ok(companies::get(db, id).await?)
}

pub async fn delete(db: &Db, access: &Access, id: CompanyId) -> Result<(), AppError> {
    records::delete::<Company>(db, access, id.0).await
}

/// Hands companies to another owner (one or many at once). The previous owner keeps access
/// only if their scope covers the new owner.
pub async fn transfer(
    db: &Db,
    access: &Access,
    ids: &[CompanyId],
    new_owner: UserId,
) -> Result<(), AppError> {
    crate::ownership::require_active(db, new_owner).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let ids: Vec<i64> = ids.iter().map(|c| c.0).collect();
    records::transfer_in(&mut tx, access, RecordKind::Company, &ids, new_owner, now).await?;
    tx.commit().await?;
    Ok(())
}
