//! The company form: `GET /companies/new` and `POST /companies`, `GET /companies/{id}/edit`
//! and `POST /companies/{id}`. A refused form comes back with what was typed and a message
//! at each field (422). Before a new company is saved, companies the user can see with the
//! same INN (and KPP) are listed with a "Save anyway" box; the same INN and KPP twice the
//! database refuses, and the form links to the company that has them. An edit carries the
//! version it started from and is refused if someone saved in between.
//! `GET /companies/duplicates?inn=…&kpp=…`: the same warning as the user types.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use orbita_app::Db;
use orbita_app::{AppError, companies};
use orbita_domain::access::{Action, Area};
use orbita_domain::company::{Company, CompanyInput};
use orbita_domain::kind::RecordKind;
use orbita_domain::{CompanyId, FieldError, UserId, ValidationErrors};
use serde::Deserialize;

use super::{People, path_id};
use crate::AppState;
use crate::error::PageError;
use crate::pages::{SignedIn, custom_fields};
use crate::ui::{ErrorItem, Layout, Nav, SelectOption};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(in crate::pages) struct CompanyForm {
    #[serde(flatten)]
    input: CompanyInput,
    owner_id: String,
    /// The version the edit started from (optimistic locking).
    version: String,
    /// Set when the user saw the duplicate warning and saves all the same.
    save_anyway: String,
    /// Custom fields as typed (`custom.<key>`), with whatever else the form posts.
    #[serde(flatten)]
    custom: custom_fields::Typed,
}

/// Companies that already have the typed INN (and KPP), as links.
#[derive(Template, WebTemplate)]
#[template(path = "companies/_duplicates.html")]
pub(in crate::pages) struct Duplicates {
    layout: Layout,
    matches: Vec<Match>,
    /// One of them has the same INN and KPP: the database will refuse a second.
    exact: bool,
    /// Offer the "Save anyway" box (a new company whose INN matches, KPP differs).
    anyway: bool,
    /// The owner of the same company when the user may not see it: whom to ask.
    kept_by: String,
}

#[derive(Debug, Clone)]
struct Match {
    href: String,
    name: String,
    detail: String,
}

impl Duplicates {
    fn none(layout: &Layout) -> Self {
        Duplicates {
            layout: layout.clone(),
            matches: Vec::new(),
            exact: false,
            anyway: false,
            kept_by: String::new(),
        }
    }

    /// `offer`: the "Save anyway" box may be shown (a new company, not yet refused).
    fn of(layout: &Layout, found: &[Company], input: &CompanyInput, offer: bool) -> Self {
        let typed = input.validate().ok();
        let exact = found.iter().any(|c| {
            typed.as_ref().is_some_and(|t| t.inn.is_some() && c.fields.inn == t.inn && c.fields.kpp == t.kpp)
        });
        let matches = found
            .iter()
            .map(|c| {
                let mut detail: Vec<String> = Vec::new();
                if let Some(inn) = &c.fields.inn {
                    detail.push(format!("{} {}", layout.t("field-inn"), inn.as_str()));
                }
                if let Some(kpp) = &c.fields.kpp {
                    detail.push(format!("{} {}", layout.t("field-kpp"), kpp.as_str()));
                }
                detail.extend(c.fields.region.clone());
                Match {
                    href: format!("/companies/{}", c.id),
                    name: c.fields.name.clone(),
                    detail: detail.join(" · "),
                }
            })
            .collect();
        let anyway = offer && !exact && !found.is_empty();
        Duplicates { layout: layout.clone(), matches, exact, anyway, kept_by: String::new() }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "companies/form.html")]
struct FormPage {
    layout: Layout,
    /// Where the form posts: `/companies` or `/companies/{id}`.
    action: String,
    cancel: String,
    /// The edited company's id (the duplicate check leaves it out); empty for a new one.
    id: String,
    form: CompanyInput,
    owners: Vec<SelectOption>,
    version: String,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
    duplicates: Duplicates,
    /// Someone else saved the company while this form was open.
    stale: bool,
    custom: Vec<custom_fields::CustomInput>,
}

impl FormPage {
    fn new(layout: Layout, id: Option<CompanyId>, form: CompanyInput, owners: Vec<SelectOption>) -> Self {
        let (action, cancel) = match id {
            Some(id) => (format!("/companies/{id}"), format!("/companies/{id}")),
            None => ("/companies".to_owned(), "/companies".to_owned()),
        };
        FormPage {
            duplicates: Duplicates::none(&layout),
            layout,
            action,
            cancel,
            id: id.map(|i| i.to_string()).unwrap_or_default(),
            form,
            owners,
            version: String::new(),
            errors: ValidationErrors::default(),
            error_items: Vec::new(),
            stale: false,
            custom: Vec::new(),
        }
    }

    /// The custom fields' inputs, with the typed values and this page's messages.
    async fn with_custom(
        mut self,
        db: &Db,
        typed: &custom_fields::Typed,
        people: &People,
    ) -> Result<Self, PageError> {
        let fields = orbita_app::custom_fields::active(db, RecordKind::Company).await?;
        self.custom = custom_fields::inputs(&self.layout, &fields, typed, &self.errors, &people.users);
        self.error_items = custom_fields::error_items(&self.layout, &self.errors, &self.custom);
        Ok(self)
    }

    fn refused(mut self, errors: ValidationErrors) -> Self {
        self.error_items = self.layout.error_items(&errors);
        self.errors = errors;
        self
    }
}

fn title(user: &SignedIn, key: &str) -> Layout {
    user.page(user.t(key), Some(Nav::Companies))
}

/// `GET /companies/new`; the query may pre-fill fields (`?inn=…` from a search that found nothing).
pub(in crate::pages) async fn new_form(
    State(state): State<AppState>,
    user: SignedIn,
    Query(prefill): Query<CompanyInput>,
) -> Result<Response, PageError> {
    let access = &user.session.access;
    access.require(Area::Companies, Action::Create)?;
    let people = People::load(&state.db, access).await?;
    let owners = people.owner_options(access, Area::Companies, Action::Create, access.user_id());
    let page = FormPage::new(title(&user, "companies-new"), None, prefill, owners);
    Ok(page.with_custom(&state.db, &custom_fields::Typed::new(), &people).await?.into_response())
}

pub(in crate::pages) async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<CompanyForm>,
) -> Result<Response, PageError> {
    let db = &state.db;
    let access = &user.session.access;
    let owner: Option<UserId> = form.owner_id.parse().ok();
    let people = People::load(db, access).await?;
    let owners =
        people.owner_options(access, Area::Companies, Action::Create, owner.unwrap_or(access.user_id()));
    let page = FormPage::new(title(&user, "companies-new"), None, form.input.clone(), owners);
    if form.save_anyway.is_empty() {
        let found = companies::duplicates(db, access, &form.input).await?;
        if !found.is_empty() {
            let duplicates = Duplicates::of(&page.layout, &found, &form.input, true);
            if duplicates.exact {
                let page = FormPage { duplicates, ..page }.refused(taken().into());
                let page = page.with_custom(db, &form.custom, &people).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
            let page = FormPage { duplicates, ..page }.with_custom(db, &form.custom, &people).await?;
            return Ok(page.into_response());
        }
    }
    let fields = orbita_app::custom_fields::active(db, RecordKind::Company).await?;
    let custom = custom_fields::sent(&user.layout, &fields, &form.custom);
    match companies::create_with_custom(db, access, &form.input, owner, Some(&custom)).await {
        Ok(company) => Ok(Redirect::to(&format!("/companies/{}?notice=created", company.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let duplicates = if is_taken(&errors) {
                let found = companies::duplicates(db, access, &form.input).await?;
                let kept_by = companies::kept_by(db, access, &form.input).await?.unwrap_or_default();
                Duplicates { kept_by, ..Duplicates::of(&page.layout, &found, &form.input, false) }
            } else {
                Duplicates::none(&page.layout)
            };
            let page = FormPage { duplicates, ..page }.refused(errors);
            let page = page.with_custom(db, &form.custom, &people).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn taken() -> FieldError {
    FieldError::new("inn", "inn-kpp-taken", "A company with this INN and KPP already exists")
}

fn is_taken(errors: &ValidationErrors) -> bool {
    errors.0.iter().any(|e| e.code == "inn-kpp-taken")
}

pub(in crate::pages) async fn edit_form(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let access = &user.session.access;
    let company = companies::get(&state.db, access, CompanyId(path_id(&id)?)).await?;
    if !access.covers_owner(Area::Companies, Action::Edit, company.owner_id) {
        return Err(PageError::Forbidden);
    }
    let people = People::load(&state.db, access).await?;
    let owners = people.owner_options(access, Area::Companies, Action::Edit, company.owner_id);
    let layout = title(&user, "companies-edit");
    let fields = orbita_app::custom_fields::active(&state.db, RecordKind::Company).await?;
    let typed = custom_fields::typed(&layout, &fields, &company.custom);
    let page = FormPage::new(layout, Some(company.id), CompanyInput::from(&company.fields), owners);
    let page = FormPage { version: company.version.to_string(), ..page };
    Ok(page.with_custom(&state.db, &typed, &people).await?.into_response())
}

pub(in crate::pages) async fn update(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CompanyForm>,
) -> Result<Response, PageError> {
    let db = &state.db;
    let access = &user.session.access;
    let id = CompanyId(path_id(&id)?);
    let owner: Option<UserId> = form.owner_id.parse().ok();
    // The fields and a new owner in one service call: a refused owner saves neither.
    let fields = orbita_app::custom_fields::active(db, RecordKind::Company).await?;
    let custom = Some(custom_fields::sent(&user.layout, &fields, &form.custom));
    let change = companies::CompanyChange { fields: Some(form.input.clone()), owner, custom };
    let result = companies::change(db, access, id, &change, form.version.parse().ok()).await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/companies/{id}?notice=saved")).into_response()),
        Err(AppError::Invalid(errors)) => refused_edit(&state, &user, id, form, errors, false).await,
        // What the user typed stays, now against the current version: saving again
        // overwrites the other change knowingly.
        Err(AppError::Stale) => {
            refused_edit(&state, &user, id, form, ValidationErrors::default(), true).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn refused_edit(
    state: &AppState,
    user: &SignedIn,
    id: CompanyId,
    form: CompanyForm,
    errors: ValidationErrors,
    stale: bool,
) -> Result<Response, PageError> {
    let db = &state.db;
    let access = &user.session.access;
    let current = companies::get(db, access, id).await?;
    let people = People::load(db, access).await?;
    let owner = form.owner_id.parse().unwrap_or(current.owner_id);
    let owners = people.owner_options(access, Area::Companies, Action::Edit, owner);
    let typed = form.custom;
    let mut page = FormPage::new(title(user, "companies-edit"), Some(id), form.input, owners);
    page.version = current.version.to_string();
    page.stale = stale;
    if is_taken(&errors) {
        let found = companies::duplicates(db, access, &page.form).await?;
        let others: Vec<Company> = found.into_iter().filter(|c| c.id != id).collect();
        let kept_by = companies::kept_by(db, access, &page.form).await?.unwrap_or_default();
        page.duplicates = Duplicates { kept_by, ..Duplicates::of(&page.layout, &others, &page.form, false) };
    }
    let status = if stale { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = page.refused(errors).with_custom(db, &typed, &people).await?;
    Ok((status, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(in crate::pages) struct DuplicateQuery {
    inn: String,
    kpp: String,
    /// The company being edited, which is no duplicate of itself.
    id: String,
}

/// `GET /companies/duplicates`: the warning for the typed INN and KPP, or nothing.
pub(in crate::pages) async fn duplicates(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<DuplicateQuery>,
) -> Result<Response, PageError> {
    let input =
        CompanyInput { name: "-".to_owned(), inn: query.inn, kpp: query.kpp, ..CompanyInput::default() };
    let exclude: Option<i64> = query.id.parse().ok();
    let found = companies::duplicates(&state.db, &user.session.access, &input).await?;
    let found: Vec<Company> = found.into_iter().filter(|c| Some(c.id.0) != exclude).collect();
    Ok(Duplicates::of(&user.layout, &found, &input, exclude.is_none()).into_response())
}

/// What the refused form sends to ask for the hidden company: the typed name, INN and KPP.
#[derive(Debug, Deserialize)]
pub(in crate::pages) struct AccessRequest {
    #[serde(default)]
    name: String,
    #[serde(default)]
    inn: String,
    #[serde(default)]
    kpp: String,
}

/// `POST /companies/access-requests`: asks the owner of the refused duplicate, and their heads
/// of sales, to share it (`companies::ask_access`); back to the list with a notice.
pub(in crate::pages) async fn ask_access(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<AccessRequest>,
) -> Result<Response, PageError> {
    let input = CompanyInput { name: form.name, inn: form.inn, kpp: form.kpp, ..CompanyInput::default() };
    companies::ask_access(&state.db, &user.session.access, &input).await?;
    Ok(Redirect::to("/companies?notice=access-requested").into_response())
}
