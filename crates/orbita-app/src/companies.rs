//! Company use cases: create and edit with the duplicate check and the audit trail.

use orbita_domain::audit::{self as audit_rules, AuditAction, NewAuditEvent};
use orbita_domain::company::{Company, CompanyFields, CompanyInput};
use orbita_domain::{CompanyId, FieldError, UserId};
use orbita_storage::{Db, audit, companies};

use crate::error::conflict_on;
use crate::{AppError, RequestContext};

fn duplicate_inn() -> FieldError {
    FieldError::new("inn", "inn-kpp-taken", "A company with this INN and KPP already exists")
}

/// The fields as the audit log shows them.
fn audit_view(f: &CompanyFields) -> Vec<(&'static str, Option<String>)> {
    let list = |items: Vec<&str>| (!items.is_empty()).then(|| items.join(", "));
    vec![
        ("name", Some(f.name.clone())),
        ("inn", f.inn.as_ref().map(|v| v.as_str().to_owned())),
        ("kpp", f.kpp.as_ref().map(|v| v.as_str().to_owned())),
        ("ogrn", f.ogrn.as_ref().map(|v| v.as_str().to_owned())),
        ("industry", f.industry.clone()),
        ("region", f.region.clone()),
        ("address", f.address.clone()),
        ("phones", list(f.phones.iter().map(|p| p.as_str()).collect())),
        ("emails", list(f.emails.iter().map(|e| e.as_str()).collect())),
        ("website", f.website.clone()),
        ("source", f.source.clone()),
        ("notes", f.notes.clone()),
    ]
}

/// Registers a company; its owner is `owner` or else the user asking.
pub async fn create(
    db: &Db,
    ctx: &RequestContext,
    input: &CompanyInput,
    owner: Option<UserId>,
) -> Result<Company, AppError> {
    let fields = input.validate()?;
    let owner = owner
        .or(ctx.actor)
        .ok_or_else(|| FieldError::new("owner_id", "required", "Choose the company's owner"))?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = companies::insert(&mut tx, &fields, owner, ctx.actor, now)
        .await
        .map_err(|e| conflict_on(e, "companies_inn_kpp", duplicate_inn()))?;
    let event = NewAuditEvent {
        actor_id: ctx.actor,
        ip: ctx.ip.clone(),
        entity: "company",
        entity_id: Some(id.0),
        action: AuditAction::Create,
        changes: audit_rules::diff(&[], &audit_view(&fields)),
    };
    audit::insert(&mut tx, &event, now).await?;
    tx.commit().await?;
    Ok(companies::get(db, id).await?)
}

/// Saves an edit; with `expected_version`, refuses if someone saved in between.
pub async fn update(
    db: &Db,
    ctx: &RequestContext,
    id: CompanyId,
    input: &CompanyInput,
    expected_version: Option<i64>,
) -> Result<Company, AppError> {
    let fields = input.validate()?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = companies::get_in(&mut tx, id).await?;
    companies::update(&mut tx, id, &fields, expected_version, now)
        .await
        .map_err(|e| conflict_on(e, "companies_inn_kpp", duplicate_inn()))?;
    let changes = audit_rules::diff(&audit_view(&before.fields), &audit_view(&fields));
    if !changes.is_empty() {
        let event = NewAuditEvent {
            actor_id: ctx.actor,
            ip: ctx.ip.clone(),
            entity: "company",
            entity_id: Some(id.0),
            action: AuditAction::Update,
            changes,
        };
        audit::insert(&mut tx, &event, now).await?;
    }
    tx.commit().await?;
    Ok(companies::get(db, id).await?)
}

pub async fn get(db: &Db, id: CompanyId) -> Result<Company, AppError> {
    Ok(companies::get(db, id).await?)
}
