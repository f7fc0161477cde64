//! `GET /contacts/{id}`: the contact card: fields, company, deals, open tasks and the
//! timeline, with the quick actions of the company card, "transfer owner"
//! (`POST …/owner`) and delete behind a confirmation.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use orbita_app::{AppError, companies, contacts, deals, tasks, timeline};
use orbita_domain::access::{Action, Area};
use orbita_domain::contact::Contact;
use orbita_domain::list::TaskFilter;
use orbita_domain::list::{DealFilter, DealSort};
use orbita_domain::{ContactId, UserId};

use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::pages::companies::quick::{self, ActivityForm, NoteForm, Outcome, QuickActions, TaskForm};
use crate::pages::companies::record::{self, DealLine, Prop, Subject, TaskLine, TimelineItem};
use crate::pages::companies::{People, path_id};
use crate::ui::{Layout, Nav, SelectOption};
use orbita_domain::kind::RecordKind;

#[derive(Template, WebTemplate)]
#[template(path = "contacts/card.html")]
struct CardPage {
    layout: Layout,
    contact: Contact,
    name: String,
    /// The contact's company, if the user may see it: (name, link).
    company: Option<(String, String)>,
    owner: String,
    props: Vec<Prop>,
    deals: Vec<DealLine>,
    tasks: Vec<TaskLine>,
    timeline: Vec<TimelineItem>,
    quick: QuickActions,
    can_edit: bool,
    can_delete: bool,
    can_add_deal: bool,
    /// The "transfer owner" picker: whom the user may give the contact to.
    owner_options: Vec<SelectOption>,
    can_transfer: bool,
}

async fn visible(state: &AppState, user: &SignedIn, id: &str) -> Result<Contact, PageError> {
    Ok(contacts::get(&state.db, &user.session.access, ContactId(path_id(id)?)).await?)
}

fn subject(contact: &Contact) -> Subject {
    Subject::Contact(contact.id, contact.fields.company_id)
}

pub(in crate::pages) async fn card(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let contact = visible(&state, &user, &id).await?;
    let base = format!("/contacts/{}", contact.id);
    let me = user.session.access.user_id();
    let quick = QuickActions::blank(base, me, &user.layout.time_zone, orbita_domain::now());
    Ok(render(&state, &user, contact, quick).await?.into_response())
}

async fn render(
    state: &AppState,
    user: &SignedIn,
    contact: Contact,
    quick: QuickActions,
) -> Result<CardPage, PageError> {
    let db = &state.db;
    let access = &user.session.access;
    let id = contact.id;
    let people = People::load(db, access).await?;
    let company = match contact.fields.company_id {
        Some(company_id) => match companies::get(db, access, company_id).await {
            Ok(company) => Some((company.fields.name, format!("/companies/{company_id}"))),
            Err(AppError::NotFound | AppError::Forbidden) => None,
            Err(other) => return Err(other.into()),
        },
        None => None,
    };
    let deal_filter = DealFilter { contact_id: Some(id), ..DealFilter::default() };
    let contact_deals =
        record::or_none(deals::list(db, access, &deal_filter, DealSort::UpdatedAt, true, None, 50).await)?;
    let (_, stages) = deals::pipelines_and_stages(db).await?;
    let task_filter = TaskFilter { contact_id: Some(id), done: Some(false), ..TaskFilter::default() };
    let open_tasks = record::or_none(tasks::list(db, access, &task_filter, None, 50).await)?;
    let entries = timeline::for_record(db, access, id.into(), record::TIMELINE_LIMIT).await?;

    let name = contact.fields.full_name();
    let layout = user.page(name.clone(), Some(Nav::Contacts));
    let assignees = people.owner_options(access, Area::Tasks, Action::Create, access.user_id());
    let quick = QuickActions {
        can_log: access.can(Area::Activities, Action::Create),
        can_add_task: access.can(Area::Tasks, Action::Create),
        ..quick
    }
    .with_choices(&layout, assignees, Vec::new());
    let f = &contact.fields;
    let mut props: Vec<Prop> = [
        Prop::text(layout.t("field-position"), f.position.as_deref()),
        Prop::links(layout.t("field-phones"), record::phone_links(&f.phones)),
        Prop::links(layout.t("field-emails"), record::email_links(f.emails.iter().map(|e| e.as_str()))),
        Prop::text(layout.t("field-created"), Some(&layout.datetime(contact.created_at))),
        Prop::text(layout.t("field-updated"), Some(&layout.datetime(contact.updated_at))),
    ]
    .into_iter()
    .flatten()
    .collect();
    props.extend(
        record::custom_props(db, &layout, RecordKind::Contact, &contact.custom, &people.users).await?,
    );
    let can_edit = access.covers_owner(Area::Contacts, Action::Edit, contact.owner_id);
    let owner_options = people.owner_options(access, Area::Contacts, Action::Edit, contact.owner_id);
    Ok(CardPage {
        can_transfer: can_edit && owner_options.len() > 1,
        owner_options,
        owner: people.name(contact.owner_id),
        props,
        deals: record::deal_lines(&layout, &contact_deals, &stages),
        tasks: record::task_lines(&layout, &people, &open_tasks, orbita_domain::now()),
        timeline: record::timeline(&layout, &people, entries),
        quick,
        can_edit,
        can_delete: access.covers_owner(Area::Contacts, Action::Delete, contact.owner_id),
        can_add_deal: access.can(Area::Deals, Action::Create),
        company,
        name,
        contact,
        layout,
    })
}

async fn answer(
    state: &AppState,
    user: &SignedIn,
    contact: Contact,
    outcome: Outcome,
) -> Result<Response, PageError> {
    match outcome {
        Outcome::Done(notice) => {
            Ok(Redirect::to(&format!("/contacts/{}?notice={notice}#timeline", contact.id)).into_response())
        }
        Outcome::Refused(quick) => {
            let page = render(state, user, contact, *quick).await?;
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
    let contact = visible(&state, &user, &id).await?;
    let base = format!("/contacts/{}", contact.id);
    let outcome =
        quick::log_activity(&state.db, &user.session.access, &user.layout, base, subject(&contact), form)
            .await?;
    answer(&state, &user, contact, outcome).await
}

pub(in crate::pages) async fn add_task(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<TaskForm>,
) -> Result<Response, PageError> {
    let contact = visible(&state, &user, &id).await?;
    let base = format!("/contacts/{}", contact.id);
    let outcome =
        quick::add_task(&state.db, &user.session.access, &user.layout, base, subject(&contact), form).await?;
    answer(&state, &user, contact, outcome).await
}

pub(in crate::pages) async fn add_note(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, PageError> {
    let contact = visible(&state, &user, &id).await?;
    let base = format!("/contacts/{}", contact.id);
    let outcome =
        quick::add_note(&state.db, &user.session.access, &user.layout, base, subject(&contact), form).await?;
    answer(&state, &user, contact, outcome).await
}

pub(in crate::pages) async fn delete(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Redirect, PageError> {
    contacts::delete(&state.db, &user.session.access, ContactId(path_id(&id)?)).await?;
    Ok(Redirect::to("/contacts?notice=deleted"))
}

#[derive(serde::Deserialize)]
pub(in crate::pages) struct OwnerPick {
    #[serde(default)]
    owner_id: String,
}

/// `POST /contacts/{id}/owner`: the card's "transfer owner" action, as on a company card.
pub(in crate::pages) async fn transfer(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<OwnerPick>,
) -> Result<Redirect, PageError> {
    let (db, access) = (&state.db, &user.session.access);
    // A contact out of sight is a 404 first, so that a refusal below is about the new owner.
    let id = visible(&state, &user, &id).await?.id;
    let owner = UserId(form.owner_id.trim().parse().unwrap_or(0));
    let change = contacts::ContactChange { owner: Some(owner), ..Default::default() };
    match contacts::change(db, access, id, &change, None).await {
        Ok(_) => match contacts::get(db, access, id).await {
            Ok(_) => Ok(Redirect::to(&format!("/contacts/{id}?notice=owner-changed"))),
            // Handed to someone beyond what one sees: the card is gone for us, the list is not.
            Err(AppError::NotFound) => Ok(Redirect::to("/contacts?notice=owner-changed")),
            Err(other) => Err(other.into()),
        },
        // The picked user cannot take it: unknown, deactivated or beyond one's rights.
        Err(AppError::Invalid(_) | AppError::Forbidden | AppError::NotFound) => {
            Ok(Redirect::to(&format!("/contacts/{id}?notice=contact-owner-refused")))
        }
        Err(other) => Err(other.into()),
    }
}
