//! `GET /companies/{id}`: the company card: its fields, contacts, deals, open tasks and the
//! timeline, with the quick actions (`POST …/activities`, `…/tasks`, `…/notes`) and delete
//! (`POST …/delete`, behind a confirmation).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use orbita_app::{AppError, companies, contacts, deals, shares, tasks, timeline};
use orbita_domain::access::{Action, Area};
use orbita_domain::company::Company;
use orbita_domain::list::TaskFilter;
use orbita_domain::list::{ContactFilter, ContactSort};
use orbita_domain::list::{DealFilter, DealSort};
use orbita_domain::{CompanyId, UserId};

use super::quick::{self, ActivityForm, NoteForm, Outcome, QuickActions, TaskForm};
use super::record::{self, DealLine, Prop, Subject, TaskLine, TimelineItem};
use super::{People, path_id};
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::ui::{Layout, Nav, SelectOption};
use orbita_domain::kind::RecordKind;

/// A contact in the card's side panel.
#[derive(Debug, Clone)]
struct ContactLine {
    href: String,
    name: String,
    position: String,
    phone: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "companies/card.html")]
struct CardPage {
    layout: Layout,
    company: Company,
    owner: String,
    props: Vec<Prop>,
    contacts: Vec<ContactLine>,
    deals: Vec<DealLine>,
    tasks: Vec<TaskLine>,
    timeline: Vec<TimelineItem>,
    quick: QuickActions,
    can_edit: bool,
    can_delete: bool,
    can_add_contact: bool,
    can_add_deal: bool,
    /// The "transfer owner" picker: whom the user may give the company to.
    owner_options: Vec<SelectOption>,
    can_transfer: bool,
    /// The people it is shared with (id, name), and whom it may be shared with next.
    shares: Vec<(UserId, String)>,
    share_options: Vec<SelectOption>,
    can_share: bool,
}

/// The company, if the user may see it (404 otherwise, as if it did not exist).
async fn visible(state: &AppState, user: &SignedIn, id: &str) -> Result<Company, PageError> {
    Ok(companies::get(&state.db, &user.session.access, CompanyId(path_id(id)?)).await?)
}

pub(in crate::pages) async fn card(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let company = visible(&state, &user, &id).await?;
    let access = &user.session.access;
    let base = format!("/companies/{}", company.id);
    let quick = QuickActions::blank(base, access.user_id(), &user.layout.time_zone, orbita_domain::now());
    Ok(render(&state, &user, company, quick).await?.into_response())
}

async fn render(
    state: &AppState,
    user: &SignedIn,
    company: Company,
    quick: QuickActions,
) -> Result<CardPage, PageError> {
    let db = &state.db;
    let access = &user.session.access;
    let id = company.id;
    let people = People::load(db, access).await?;
    let contact_filter = ContactFilter { company_id: Some(id), ..ContactFilter::default() };
    let company_contacts = record::or_none(
        contacts::list(db, access, &contact_filter, ContactSort::Name, false, None, 100).await,
    )?;
    let deal_filter = DealFilter { company_id: Some(id), ..DealFilter::default() };
    let company_deals =
        record::or_none(deals::list(db, access, &deal_filter, DealSort::UpdatedAt, true, None, 50).await)?;
    let (_, stages) = deals::pipelines_and_stages(db).await?;
    let task_filter = TaskFilter { company_id: Some(id), done: Some(false), ..TaskFilter::default() };
    let open_tasks = record::or_none(tasks::list(db, access, &task_filter, None, 50).await)?;
    let entries = timeline::for_record(db, access, id.into(), record::TIMELINE_LIMIT).await?;
    let shared_with = shares::list(db, access, id).await?;

    let layout = user.page(company.fields.name.clone(), Some(Nav::Companies));
    let now = orbita_domain::now();
    let assignees = people.owner_options(access, Area::Tasks, Action::Create, access.user_id());
    let contact_choices = company_contacts.iter().map(|c| (c.id.to_string(), c.fields.full_name())).collect();
    let quick = QuickActions {
        can_log: access.can(Area::Activities, Action::Create),
        can_add_task: access.can(Area::Tasks, Action::Create),
        ..quick
    }
    .with_choices(&layout, assignees, contact_choices);
    let can_share = shares::may_share(access, company.owner_id);
    let share_options = people
        .active()
        .filter(|u| u.id != company.owner_id && !shared_with.contains(&u.id))
        .map(|u| SelectOption::new(u.id.to_string(), u.name.clone(), false))
        .collect();
    let owner_options = people.owner_options(access, Area::Companies, Action::Edit, company.owner_id);
    let mut props = props(&layout, &company);
    props.extend(
        record::custom_props(db, &layout, RecordKind::Company, &company.custom, &people.users).await?,
    );
    Ok(CardPage {
        can_transfer: can_share && owner_options.len() > 1,
        owner_options,
        shares: shared_with.iter().map(|u| (*u, people.name(*u))).collect(),
        share_options,
        can_share,
        owner: people.name(company.owner_id),
        props,
        contacts: company_contacts
            .iter()
            .map(|c| ContactLine {
                href: format!("/contacts/{}", c.id),
                name: c.fields.full_name(),
                position: c.fields.position.clone().unwrap_or_default(),
                phone: c.fields.phones.first().map(|p| p.display()).unwrap_or_default(),
            })
            .collect(),
        deals: record::deal_lines(&layout, &company_deals, &stages),
        tasks: record::task_lines(&layout, &people, &open_tasks, now),
        timeline: record::timeline(&layout, &people, entries),
        quick,
        can_edit: access.covers_owner(Area::Companies, Action::Edit, company.owner_id),
        can_delete: access.covers_owner(Area::Companies, Action::Delete, company.owner_id),
        can_add_contact: access.can(Area::Contacts, Action::Create),
        can_add_deal: access.can(Area::Deals, Action::Create),
        company,
        layout,
    })
}

fn props(layout: &Layout, company: &Company) -> Vec<Prop> {
    let f = &company.fields;
    let label = |key: &str| layout.t(key);
    [
        Prop::text(label("field-inn"), f.inn.as_ref().map(|v| v.as_str())),
        Prop::text(label("field-kpp"), f.kpp.as_ref().map(|v| v.as_str())),
        Prop::text(label("field-ogrn"), f.ogrn.as_ref().map(|v| v.as_str())),
        Prop::links(label("field-phones"), record::phone_links(&f.phones)),
        Prop::links(label("field-emails"), record::email_links(f.emails.iter().map(|e| e.as_str()))),
        website(label("field-website"), f.website.as_deref()),
        Prop::text(label("field-region"), f.region.as_deref()),
        Prop::text(label("field-address"), f.address.as_deref()),
        Prop::text(label("field-industry"), f.industry.as_deref()),
        Prop::text(label("field-source"), f.source.as_deref()),
        Prop::text(label("field-created"), Some(&layout.datetime(company.created_at))),
        Prop::text(label("field-updated"), Some(&layout.datetime(company.updated_at))),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A website that says its scheme is a link; anything else is shown as typed.
fn website(label: String, site: Option<&str>) -> Option<Prop> {
    match site {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            Prop::links(label, vec![(url.to_owned(), url.to_owned())])
        }
        other => Prop::text(label, other),
    }
}

/// After a quick action: back to the card's timeline, or the card again with the refused form.
async fn answer(
    state: &AppState,
    user: &SignedIn,
    company: Company,
    outcome: Outcome,
) -> Result<Response, PageError> {
    match outcome {
        Outcome::Done(notice) => {
            Ok(Redirect::to(&format!("/companies/{}?notice={notice}#timeline", company.id)).into_response())
        }
        Outcome::Refused(quick) => {
            let page = render(state, user, company, *quick).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub(in crate::pages) async fn log_activity(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ActivityForm>,
) -> Result<Response, PageError> {
    let company = visible(&state, &user, &id).await?;
    let base = format!("/companies/{}", company.id);
    let subject = Subject::Company(company.id);
    let outcome =
        quick::log_activity(&state.db, &user.session.access, &user.layout, base, subject, form).await?;
    answer(&state, &user, company, outcome).await
}

pub(in crate::pages) async fn add_task(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<TaskForm>,
) -> Result<Response, PageError> {
    let company = visible(&state, &user, &id).await?;
    let base = format!("/companies/{}", company.id);
    let subject = Subject::Company(company.id);
    let outcome = quick::add_task(&state.db, &user.session.access, &user.layout, base, subject, form).await?;
    answer(&state, &user, company, outcome).await
}

pub(in crate::pages) async fn add_note(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, PageError> {
    let company = visible(&state, &user, &id).await?;
    let base = format!("/companies/{}", company.id);
    let subject = Subject::Company(company.id);
    let outcome = quick::add_note(&state.db, &user.session.access, &user.layout, base, subject, form).await?;
    answer(&state, &user, company, outcome).await
}

pub(in crate::pages) async fn delete(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Redirect, PageError> {
    companies::delete(&state.db, &user.session.access, CompanyId(path_id(&id)?)).await?;
    Ok(Redirect::to("/companies?notice=deleted"))
}

#[derive(serde::Deserialize)]
pub(in crate::pages) struct UserPick {
    #[serde(default)]
    user_id: String,
}

#[derive(serde::Deserialize)]
pub(in crate::pages) struct OwnerPick {
    #[serde(default)]
    owner_id: String,
}

/// What a refused share or transfer says on the card: the picked user cannot take it.
fn refused(id: CompanyId, error: AppError, notice: &str) -> Result<Redirect, PageError> {
    match error {
        AppError::Invalid(_) | AppError::Forbidden => {
            Ok(Redirect::to(&format!("/companies/{id}?notice={notice}")))
        }
        other => Err(other.into()),
    }
}

/// `POST /companies/{id}/owner`: the card's "transfer owner" action.
pub(in crate::pages) async fn transfer(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<OwnerPick>,
) -> Result<Redirect, PageError> {
    let (db, access) = (&state.db, &user.session.access);
    // A company out of sight is a 404 first, so that nothing below says it exists.
    let id = companies::get(db, access, CompanyId(path_id(&id)?)).await?.id;
    let owner = UserId(form.owner_id.trim().parse().unwrap_or(0));
    let change = companies::CompanyChange { owner: Some(owner), ..Default::default() };
    match companies::change(db, access, id, &change, None).await {
        Ok(_) => Ok(Redirect::to(&format!("/companies/{id}?notice=owner-changed"))),
        // Handed to someone beyond what one sees: the card is gone for us, the list is not.
        Err(AppError::NotFound) => Ok(Redirect::to("/companies?notice=owner-changed")),
        // The picked user cannot take it: unknown, deactivated or beyond one's rights.
        Err(AppError::Invalid(_)) => Ok(Redirect::to(&format!("/companies/{id}?notice=owner-refused"))),
        // Seen but not one's to give away: a 403, and nothing changes.
        Err(other) => Err(other.into()),
    }
}

/// `POST /companies/{id}/shares`: "Share with…".
pub(in crate::pages) async fn share(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<UserPick>,
) -> Result<Redirect, PageError> {
    let id = CompanyId(path_id(&id)?);
    let with = UserId(form.user_id.trim().parse().unwrap_or(0));
    match shares::share(&state.db, &user.session.access, id, with).await {
        Ok(()) => Ok(Redirect::to(&format!("/companies/{id}?notice=shared#shares"))),
        Err(error) => refused(id, error, "share-refused"),
    }
}

/// `POST /companies/{id}/shares/{user}/delete`: ends a share.
pub(in crate::pages) async fn unshare(
    State(state): State<AppState>,
    user: SignedIn,
    Path((id, with)): Path<(String, String)>,
) -> Result<Redirect, PageError> {
    let id = CompanyId(path_id(&id)?);
    let with = UserId(path_id(&with)?);
    shares::unshare(&state.db, &user.session.access, id, with).await?;
    Ok(Redirect::to(&format!("/companies/{id}?notice=unshared#shares")))
}
