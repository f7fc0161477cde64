//! The contact form: `GET /contacts/new` (`?company_id=…` from a company card pre-fills the
//! company) and `POST /contacts`, `GET /contacts/{id}/edit` and `POST /contacts/{id}`. Before
//! a new contact is saved, contacts the user can see with the same phone or e-mail are listed
//! with a "Save anyway" box. The company is picked by searching (htmx loads matches from
//! `/companies/suggest` as radio buttons), never from a select of every company.
//! `GET /contacts/duplicates?phones=…&emails=…`: the same warning as the user types.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use orbita_app::{AppError, companies, contacts};
use orbita_domain::access::{Action, Area};
use orbita_domain::contact::{Contact, ContactInput};
use orbita_domain::{CompanyId, ContactId, UserId, ValidationErrors};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::pages::companies::{People, path_id};
use crate::pages::{SignedIn, custom_fields};
use crate::ui::{ErrorItem, Layout, Nav, SelectOption};
use orbita_domain::kind::RecordKind;

/// The form as typed; `company_q` is the company search box, not saved.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(in crate::pages) struct ContactForm {
    last_name: String,
    first_name: String,
    middle_name: String,
    position: String,
    company_id: String,
    phones: String,
    emails: String,
    notes: String,
    owner_id: String,
    version: String,
    save_anyway: String,
    /// Custom fields as typed (`custom.<key>`), with whatever else the form posts.
    #[serde(flatten)]
    custom: custom_fields::Typed,
}

impl ContactForm {
    fn input(&self) -> ContactInput {
        ContactInput {
            last_name: self.last_name.clone(),
            first_name: self.first_name.clone(),
            middle_name: self.middle_name.clone(),
            position: self.position.clone(),
            company_id: self.company_id.parse().ok(),
            phones: self.phones.clone(),
            emails: self.emails.clone(),
            notes: self.notes.clone(),
        }
    }

    fn of(contact: &Contact) -> Self {
        let f = &contact.fields;
        let join = |items: Vec<&str>| items.join(", ");
        ContactForm {
            last_name: f.last_name.clone(),
            first_name: f.first_name.clone().unwrap_or_default(),
            middle_name: f.middle_name.clone().unwrap_or_default(),
            position: f.position.clone().unwrap_or_default(),
            company_id: f.company_id.map(|c| c.to_string()).unwrap_or_default(),
            phones: join(f.phones.iter().map(|p| p.as_str()).collect()),
            emails: join(f.emails.iter().map(|e| e.as_str()).collect()),
            notes: f.notes.clone().unwrap_or_default(),
            owner_id: contact.owner_id.to_string(),
            version: contact.version.to_string(),
            save_anyway: String::new(),
            custom: custom_fields::Typed::new(),
        }
    }
}

/// Contacts with the typed phone or e-mail, as links.
#[derive(Template, WebTemplate)]
#[template(path = "contacts/_duplicates.html")]
pub(in crate::pages) struct Duplicates {
    layout: Layout,
    matches: Vec<(String, String, String)>,
    anyway: bool,
}

impl Duplicates {
    fn of(layout: &Layout, found: &[Contact], anyway: bool) -> Self {
        let matches = found
            .iter()
            .map(|c| {
                let detail: Vec<&str> = c
                    .fields
                    .phones
                    .iter()
                    .map(|p| p.as_str())
                    .chain(c.fields.emails.iter().map(|e| e.as_str()))
                    .collect();
                (format!("/contacts/{}", c.id), c.fields.full_name(), detail.join(", "))
            })
            .collect();
        Duplicates { layout: layout.clone(), matches, anyway: anyway && !found.is_empty() }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "contacts/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    cancel: String,
    form: ContactForm,
    /// The chosen company's name, shown as the picked radio button.
    company_name: String,
    owners: Vec<SelectOption>,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
    duplicates: Duplicates,
    stale: bool,
    custom: Vec<custom_fields::CustomInput>,
}

impl FormPage {
    async fn new(
        state: &AppState,
        user: &SignedIn,
        id: Option<ContactId>,
        form: ContactForm,
        errors: ValidationErrors,
    ) -> Result<Self, PageError> {
        let db = &state.db;
        let access = &user.session.access;
        let (title, action, cancel) = match id {
            Some(id) => ("contacts-edit", format!("/contacts/{id}"), format!("/contacts/{id}")),
            None => ("contacts-new", "/contacts".to_owned(), "/contacts".to_owned()),
        };
        let company_name = match form.company_id.parse::<CompanyId>() {
            Ok(company) => match companies::get(db, access, company).await {
                Ok(company) => company.fields.name,
                Err(AppError::NotFound | AppError::Forbidden) => format!("#{company}"),
                Err(other) => return Err(other.into()),
            },
            Err(_) => String::new(),
        };
        // A new contact's owner is chosen here; an existing one keeps its owner.
        let people = People::load(db, access).await?;
        let owners = if id.is_none() {
            let owner = form.owner_id.parse().unwrap_or(access.user_id());
            people.owner_options(access, Area::Contacts, Action::Create, owner)
        } else {
            Vec::new()
        };
        let layout = user.page(user.t(title), Some(Nav::Contacts));
        let cancel = match (id, form.company_id.is_empty()) {
            (None, false) => format!("/companies/{}", form.company_id),
            _ => cancel,
        };
        let fields = orbita_app::custom_fields::active(db, RecordKind::Contact).await?;
        let custom = custom_fields::inputs(&layout, &fields, &form.custom, &errors, &people.users);
        Ok(FormPage {
            error_items: custom_fields::error_items(&layout, &errors, &custom),
            custom,
            duplicates: Duplicates::of(&layout, &[], false),
            layout,
            action,
            cancel,
            form,
            company_name,
            owners,
            errors,
            stale: false,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(in crate::pages) struct NewQuery {
    company_id: String,
}

pub(in crate::pages) async fn new_form(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    user.session.access.require(Area::Contacts, Action::Create)?;
    let form = ContactForm { company_id: query.company_id, ..ContactForm::default() };
    Ok(FormPage::new(&state, &user, None, form, ValidationErrors::default()).await?.into_response())
}

pub(in crate::pages) async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<ContactForm>,
) -> Result<Response, PageError> {
    let db = &state.db;
    let access = &user.session.access;
    let input = form.input();
    if form.save_anyway.is_empty() {
        let found = contacts::duplicates(db, access, &input).await?;
        if !found.is_empty() {
            let mut page = FormPage::new(&state, &user, None, form, ValidationErrors::default()).await?;
            page.duplicates = Duplicates::of(&page.layout, &found, true);
            return Ok(page.into_response());
        }
    }
    let owner: Option<UserId> = form.owner_id.parse().ok();
    let fields = orbita_app::custom_fields::active(db, RecordKind::Contact).await?;
    let custom = custom_fields::sent(&user.layout, &fields, &form.custom);
    match contacts::create_with_custom(db, access, &input, owner, Some(&custom)).await {
        Ok(contact) => Ok(Redirect::to(&format!("/contacts/{}?notice=created", contact.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = FormPage::new(&state, &user, None, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub(in crate::pages) async fn edit_form(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let access = &user.session.access;
    let contact = contacts::get(&state.db, access, ContactId(path_id(&id)?)).await?;
    if !access.covers_owner(Area::Contacts, Action::Edit, contact.owner_id) {
        return Err(PageError::Forbidden);
    }
    let fields = orbita_app::custom_fields::active(&state.db, RecordKind::Contact).await?;
    let form = ContactForm {
        custom: custom_fields::typed(&user.layout, &fields, &contact.custom),
        ..ContactForm::of(&contact)
    };
    let page = FormPage::new(&state, &user, Some(contact.id), form, ValidationErrors::default());
    Ok(page.await?.into_response())
}

pub(in crate::pages) async fn update(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ContactForm>,
) -> Result<Response, PageError> {
    let db = &state.db;
    let access = &user.session.access;
    let id = ContactId(path_id(&id)?);
    // An edit keeps the owner: the card's "transfer owner" changes it, with its own rights check.
    let fields = orbita_app::custom_fields::active(db, RecordKind::Contact).await?;
    let change = contacts::ContactChange {
        fields: Some(form.input()),
        owner: None,
        custom: Some(custom_fields::sent(&user.layout, &fields, &form.custom)),
    };
    let result = contacts::change(db, access, id, &change, form.version.parse().ok()).await.map(|_| ());
    let (errors, stale) = match result {
        Ok(()) => return Ok(Redirect::to(&format!("/contacts/{id}?notice=saved")).into_response()),
        Err(AppError::Invalid(errors)) => (errors, false),
        Err(AppError::Stale) => (ValidationErrors::default(), true),
        Err(other) => return Err(other.into()),
    };
    // The typed values stay; after a conflict they go against the current version.
    let current = contacts::get(db, access, id).await?;
    let form = ContactForm { version: current.version.to_string(), ..form };
    let mut page = FormPage::new(&state, &user, Some(id), form, errors).await?;
    page.stale = stale;
    let status = if stale { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(in crate::pages) struct DuplicateQuery {
    phones: String,
    emails: String,
}

/// `GET /contacts/duplicates`: the warning for the typed phone and e-mail, or nothing.
pub(in crate::pages) async fn duplicates(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<DuplicateQuery>,
) -> Result<Response, PageError> {
    let input = ContactInput {
        last_name: "-".to_owned(),
        phones: query.phones,
        emails: query.emails,
        ..ContactInput::default()
    };
    let found = contacts::duplicates(&state.db, &user.session.access, &input).await?;
    Ok(Duplicates::of(&user.layout, &found, true).into_response())
}
