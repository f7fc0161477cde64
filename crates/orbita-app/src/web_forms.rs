//! Web forms: administrators build them; a buyer's post to one (`submit`) makes a contact (and
//! their company), a deal for the form's manager with where it came from, and sets off the
//! deal's automation, in one transaction audited as "web form: <name>". A person or company
//! already known (same phone or e-mail; same INN) is linked instead of made again; the same
//! post twice within a minute (a double click) makes one deal. Posts are counted per address
//! and per form in the database, so every instance keeps the same limits.

use std::collections::BTreeMap;

use chrono::{DurationRound, TimeDelta};
use orbita_domain::access::{Action, Area};
use orbita_domain::company::{Company, CompanyFields};
use orbita_domain::contact::{Contact, ContactFields};
use orbita_domain::custom::CustomType;
use orbita_domain::kind::RecordKind;
use orbita_domain::web_form::{self, MapsTo, Reading, Request, WebForm, WebFormFields, WebFormInput};
use orbita_domain::{CompanyId, ContactId, DealId, FieldError, Timestamp, UserId, ValidationErrors};
use orbita_storage::web_forms as store;
use orbita_storage::{Db, Tx, companies, contacts, deals};
use sha2::{Digest, Sha256};

use crate::assignees;
use crate::audit_trail::{self, AuditView};
use crate::deals::NewDeal;
use crate::error::Quota;
use crate::{Access, AppError, RequestContext, custom_fields, records, setup};

const ENTITY: &str = "web_form";
/// Posts one address may send to any form in a window (by default), and one form may take in it.
pub const POSTS_PER_ADDRESS: i64 = 20;
pub const POSTS_PER_FORM: i64 = 600;
/// The rate window, and how long a double click's second post is recognised.
const WINDOW_MINUTES: i64 = 10;
const SAME_POST_SECONDS: i64 = 60;

pub async fn list(db: &Db, access: &Access) -> Result<Vec<WebForm>, AppError> {
    access.require_all(Area::UsersAndSettings, Action::View)?;
    Ok(store::list(db).await?)
}

pub async fn get(db: &Db, access: &Access, id: i64) -> Result<WebForm, AppError> {
    access.require_all(Area::UsersAndSettings, Action::View)?;
    store::get(db, id).await?.ok_or(AppError::NotFound)
}

/// `Forbidden` unless the user may build forms (administrators).
pub fn may_edit(access: &Access) -> Result<(), AppError> {
    access.require_all(Area::UsersAndSettings, Action::Edit)
}

pub async fn create(db: &Db, access: &Access, input: &WebFormInput) -> Result<WebForm, AppError> {
    may_edit(access)?;
    let fields = checked(db, input).await?;
    // 96 random bits: a form's address cannot be guessed from another's.
    let key = hex::encode(rand::random::<[u8; 12]>());
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &fields, &key, now).await?;
    audit_trail::configured(&mut tx, &access.context(), ENTITY, id, None, Some(&view(&fields)), now).await?;
    tx.commit().await?;
    store::get(db, id).await?.ok_or(AppError::NotFound)
}

pub async fn update(db: &Db, access: &Access, id: i64, input: &WebFormInput) -> Result<WebForm, AppError> {
    may_edit(access)?;
    let fields = checked(db, input).await?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = store::get_in(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    store::update(&mut tx, id, &fields, now).await?;
    let (was, is) = (view(&before.fields), view(&fields));
    audit_trail::configured(&mut tx, &access.context(), ENTITY, id, Some(&was), Some(&is), now).await?;
    tx.commit().await?;
    store::get(db, id).await?.ok_or(AppError::NotFound)
}

pub async fn delete(db: &Db, access: &Access, id: i64) -> Result<(), AppError> {
    may_edit(access)?;
    let now = orbita_domain::now();
    let mut tx = db.begin().await?;
    let before = store::get_in(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    store::delete(&mut tx, id).await?;
    audit_trail::configured(&mut tx, &access.context(), ENTITY, id, Some(&view(&before.fields)), None, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

fn view(f: &WebFormFields) -> AuditView {
    let fields = f.fields.iter().map(|x| format!("{} → {}", x.name, x.maps_to.as_string()));
    vec![
        ("name", Some(f.name.clone())),
        ("active", Some(f.active.to_string())),
        ("pipeline_id", f.pipeline_id.map(|p| p.to_string())),
        ("stage_id", f.stage_id.map(|s| s.to_string())),
        ("assignee", Some(format!("{:?}", f.assignee))),
        ("fields", Some(fields.collect::<Vec<_>>().join(", "))),
        ("allowed_origins", Some(f.allowed_origins.join(" ")).filter(|o| !o.is_empty())),
        ("thank_you", f.thank_you.clone()),
        ("redirect_url", f.redirect_url.clone()),
        ("consent", Some(f.consent.to_string())),
        ("consent_text", f.consent_text.clone()),
    ]
}

/// The form's fields with every reference checked: a stage of its pipeline, an active user or
/// a group, custom fields of deals that a buyer can type (not links to records or users), and
/// every required custom field of deals asked for, so no post is refused for a field the buyer
/// never saw.
async fn checked(db: &Db, input: &WebFormInput) -> Result<WebFormFields, AppError> {
    let fields = input.validate()?;
    let mut errors = ValidationErrors::default();
    let (pipelines, stages) = crate::deals::pipelines_and_stages(db).await?;
    let pipeline = fields.pipeline_id.or_else(|| pipelines.iter().find(|p| p.is_default).map(|p| p.id));
    if fields.pipeline_id.is_some_and(|p| !pipelines.iter().any(|x| x.id == p)) {
        errors.push(FieldError::new("pipeline_id", "automation-pipeline-required", "Choose a pipeline"));
    }
    if let Some(stage) = fields.stage_id
        && !stages.iter().any(|s| s.id == stage && Some(s.pipeline_id) == pipeline)
    {
        errors.push(FieldError::new("stage_id", "stage-unknown", "Choose a stage of the deal's pipeline"));
    }
    if let Some(user) = fields.assignee.user() {
        let active = orbita_storage::users::list(db).await?.iter().any(|u| u.id == user && u.is_active);
        if !active {
            errors.push(FieldError::new("assignee", "automation-user-unknown", "Choose an active user"));
        }
    }
    if let Some(group) = fields.assignee.group()
        && !orbita_storage::users::groups(db).await?.iter().any(|g| g.id == group)
    {
        errors.push(FieldError::new("assignee", "automation-group-unknown", "Choose a group"));
    }
    let custom = custom_fields::active(db, RecordKind::Deal).await?;
    for (i, f) in fields.fields.iter().enumerate() {
        let MapsTo::DealCustom(key) = &f.maps_to else { continue };
        let typed = custom
            .iter()
            .find(|c| &c.key == key)
            .is_some_and(|c| !matches!(c.ty, CustomType::Link | CustomType::User));
        if !typed {
            errors.push(FieldError::new(
                format!("fields[{i}].maps_to"),
                "web-form-custom",
                "Choose a field of deals a buyer can fill in (not a link or a user)",
            ));
        }
    }
    for required in custom.iter().filter(|c| c.required) {
        let asked =
            fields.fields.iter().any(|f| f.required && f.maps_to == MapsTo::DealCustom(required.key.clone()));
        if !asked {
            errors.push(FieldError::new(
                "fields",
                "web-form-custom-required",
                format!("Deals require the field {:?}: ask for it on the form, as required", required.key),
            ));
        }
    }
    errors.into_result()?;
    Ok(fields)
}

/// An active form by its public key; a switched-off or unknown one is "not found", alike.
pub async fn public(db: &Db, key: &str) -> Result<WebForm, AppError> {
    let form = store::by_key(db, key).await?;
    form.filter(|f| f.fields.active).ok_or(AppError::NotFound)
}

/// Counts a post to `form` from `address` and refuses it when the address has sent more than
/// `per_address` posts in the current window, or the form has taken more than
/// [`POSTS_PER_FORM`] (or `per_address`, when a benchmark raised it above that). Every post
/// counts, taken or not, so a robot cannot try without end.
pub async fn admit(
    db: &Db,
    form: &WebForm,
    address: Option<&str>,
    per_address: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    let window = TimeDelta::minutes(WINDOW_MINUTES);
    let start = now.duration_trunc(window).unwrap_or(now);
    let retry_after_seconds = u64::try_from((start + window - now).num_seconds()).unwrap_or(1).max(1);
    let refused = AppError::Quota(Quota::PublicPosts { retry_after_seconds });
    if let Some(address) = address
        && store::count_public_request(db, &format!("web-form-address:{address}"), start).await? > per_address
    {
        return Err(refused);
    }
    let per_form = POSTS_PER_FORM.max(per_address);
    if store::count_public_request(db, &format!("web-form:{}", form.id), start).await? > per_form {
        return Err(refused);
    }
    Ok(())
}

/// What the buyer is shown once their post is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub thank_you: Option<String>,
    pub redirect_url: Option<String>,
    /// The deal it made (a double click's second post: the first one's); `None` for a robot's
    /// post.
    pub deal: Option<DealId>,
}

/// Takes a buyer's post (`sent`: its names and values) to `form`. A refusal names the form's
/// own fields; a robot's post is answered as if taken, and makes nothing.
pub async fn submit(
    db: &Db,
    form: &WebForm,
    sent: &BTreeMap<String, String>,
    address: Option<&str>,
) -> Result<Accepted, AppError> {
    let now = orbita_domain::now();
    let thanks = |deal| Accepted {
        thank_you: form.fields.thank_you.clone(),
        redirect_url: form.fields.redirect_url.clone(),
        deal,
    };
    let request = match form.fields.read(form.id, sent, now)? {
        Reading::Robot => return Ok(thanks(None)),
        Reading::Request(request) => request,
    };
    let checked = check(db, form, &request).await?;
    let known = Known::find(db, &checked).await?;
    let digest = digest(form.id, sent);
    let ctx = RequestContext {
        via: Some(format!("web form: {}", form.fields.name)),
        ip: address.map(str::to_owned),
        actor: None,
    };
    let mut tx = db.begin().await?;
    // One post of a form at a time: the double-click check and the round-robin turn see the
    // post before.
    tx.take_turns(&format!("web-form-{}", form.id)).await?;
    if let Some(deal) =
        store::same_post_in(&mut tx, form.id, &digest, now - TimeDelta::seconds(SAME_POST_SECONDS)).await?
    {
        return Ok(thanks(deal));
    }
    let owner = owner_in(&mut tx, db, form).await?;
    let deal = make_in(&mut tx, &ctx, &checked, &known, owner, now).await?;
    deals::set_origin(&mut tx, deal, &request.origin).await?;
    store::record_post(&mut tx, form.id, &digest, deal, owner, now).await?;
    tx.commit().await?;
    Ok(thanks(Some(deal)))
}

/// A post's records, each checked as its own form would check it.
struct Checked {
    contact: ContactFields,
    company: Option<CompanyFields>,
    deal: orbita_domain::deal::DealFields,
    custom: custom_fields::CustomChanges,
    stage: orbita_domain::pipeline::Stage,
}

async fn check(db: &Db, form: &WebForm, request: &Request) -> Result<Checked, AppError> {
    let currency = setup::settings(db).await?.currency;
    let custom = match custom_fields::typed_changes(db, RecordKind::Deal, &request.custom).await {
        Err(AppError::Invalid(errors)) => Err(errors),
        other => Ok(other?),
    };
    let contact = request.contact.validate();
    let company = request.company.as_ref().map(|c| c.validate()).transpose();
    let deal = request.deal.validate(&currency);
    let stage = crate::deals::starting_stage(db, form.fields.pipeline_id, form.fields.stage_id).await?;
    match (contact, company, deal, custom) {
        (Ok(contact), Ok(company), Ok(deal), Ok(custom)) => {
            Ok(Checked { contact, company, deal, custom, stage })
        }
        (contact, company, deal, custom) => {
            let blame = |record, errors: Option<ValidationErrors>| {
                form.fields.blame(record, errors.unwrap_or_default()).0
            };
            let mut errors = blame("contact", contact.err());
            errors.extend(blame("company", company.err()));
            errors.extend(blame("deal", deal.err()));
            errors.extend(blame("deal", custom.err()));
            Err(ValidationErrors(errors).into())
        }
    }
}

/// The person and company a post names that are already in the CRM.
struct Known {
    contact: Option<Contact>,
    company: Option<Company>,
}

impl Known {
    async fn find(db: &Db, checked: &Checked) -> Result<Known, AppError> {
        let (phone, email) = (checked.contact.phones.first(), checked.contact.emails.first());
        let found = contacts::find_by_phone_or_email(db, phone, email).await?;
        let same = |c: &Contact| {
            phone.is_some_and(|p| c.fields.phones.contains(p))
                || email.is_some_and(|e| c.fields.emails.contains(e))
        };
        let contact = found.into_iter().find(same);
        let company = match checked.company.as_ref().and_then(|c| c.inn.as_ref()) {
            Some(inn) => companies::find_by_inn(db, inn, None).await?.into_iter().next(),
            None => None,
        };
        Ok(Known { contact, company })
    }
}

/// Whoever the form names now; a request is never dropped for want of a manager: when the
/// named user was deactivated or the group has no one, the first administrator gets it.
async fn owner_in(tx: &mut Tx, db: &Db, form: &WebForm) -> Result<UserId, AppError> {
    let last = store::last_owner_in(tx, form.id).await?;
    if let Ok(user) = assignees::pick_in(tx, db, form.fields.assignee, None, last).await? {
        return Ok(user);
    }
    crate::admin::administrators_in(tx).await?.into_iter().next().ok_or(AppError::NotFound)
}

/// The company (when named and new), the person (when new) and the deal, each audited.
async fn make_in(
    tx: &mut Tx,
    ctx: &RequestContext,
    checked: &Checked,
    known: &Known,
    owner: UserId,
    now: Timestamp,
) -> Result<DealId, AppError> {
    let none = custom_fields::CustomChanges::default();
    let company_id: Option<CompanyId> = match (&known.company, &checked.company) {
        (Some(company), _) => Some(company.id),
        (None, Some(fields)) => {
            let id = companies::insert(tx, fields, owner, None, now).await?;
            let line = records::owner_line::<Company>(owner);
            records::created_in::<Company>(tx, ctx, id.0, fields, line, &none, now).await?;
            Some(id)
        }
        (None, None) => None,
    };
    let contact_id: ContactId = match &known.contact {
        Some(contact) => contact.id,
        None => {
            let fields = ContactFields { company_id, ..checked.contact.clone() };
            let id = contacts::insert(tx, &fields, owner, None, now).await?;
            let line = records::owner_line::<Contact>(owner);
            records::created_in::<Contact>(tx, ctx, id.0, &fields, line, &none, now).await?;
            id
        }
    };
    let company_id = company_id.or(known.contact.as_ref().and_then(|c| c.fields.company_id));
    let fields =
        orbita_domain::deal::DealFields { company_id, contact_id: Some(contact_id), ..checked.deal.clone() };
    let new = NewDeal { fields: &fields, stage: &checked.stage, owner, custom: &checked.custom };
    crate::deals::insert_in(tx, ctx, &new, now).await
}

/// SHA-256 of the form and what was posted, but the page's clock: the same request sent twice.
fn digest(form: i64, sent: &BTreeMap<String, String>) -> String {
    let mut hash = Sha256::new();
    hash.update(form.to_be_bytes());
    for (name, value) in sent.iter().filter(|(n, _)| n.as_str() != web_form::OPENED_AT) {
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update(value.trim().as_bytes());
        hash.update([0]);
    }
    hex::encode(hash.finalize())
}
