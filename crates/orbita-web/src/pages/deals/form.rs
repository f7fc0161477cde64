//! The deal form: `GET /deals/new` (company and contact prefilled from the query),
//! `POST /deals`, `GET /deals/{id}/edit` and `POST /deals/{id}` with the version read, so a
//! save over someone else's change is caught. A refused form comes back with the typed values
//! and a message next to each field (422). The company and the contact are picked by name
//! (`pages::picker`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use orbita_app::{AppError, deals, setup};
use orbita_domain::access::{Action, Area};
use orbita_domain::deal::{Deal, DealInput};
use orbita_domain::pipeline::StageKind;
use orbita_domain::{CompanyId, ContactId, DealId, StageId, UserId, ValidationErrors};
use serde::Deserialize;

use super::common::{self, People};
use super::list::stage_options;
use crate::AppState;
use crate::error::PageError;
use crate::pages::list_query::ListQuery;
use crate::pages::picker::Chosen;
use crate::pages::{SignedIn, custom_fields};
use crate::ui::{ErrorItem, Flash, FlashKind, Layout, Nav, SelectOption};
use orbita_domain::kind::RecordKind;

/// The form as typed: every field raw text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DealForm {
    pub title: String,
    pub amount: String,
    pub currency: String,
    pub expected_close_date: String,
    pub source: String,
    pub notes: String,
    pub company_id: String,
    pub contact_id: String,
    pub stage_id: String,
    pub owner_id: String,
    pub version: String,
    /// Custom fields as typed (`custom.<key>`), with whatever else the form posts.
    #[serde(flatten)]
    pub custom: custom_fields::Typed,
}

#[derive(Template, WebTemplate)]
#[template(path = "deals/form.html")]
pub struct FormPage {
    pub layout: Layout,
    /// `None` for a new deal.
    pub deal_id: Option<DealId>,
    pub form: DealForm,
    pub errors: ValidationErrors,
    pub error_items: Vec<ErrorItem>,
    pub stages: Vec<SelectOption>,
    pub owners: Vec<SelectOption>,
    pub currencies: Vec<SelectOption>,
    pub cancel_href: String,
    /// The chosen company's and contact's names (their numbers when the user may not see them).
    pub chosen: Chosen,
    pub custom: Vec<custom_fields::CustomInput>,
}

const CURRENCIES: &[&str] = &["RUB", "USD", "EUR", "CNY", "KZT", "BYN"];

impl DealForm {
    fn of(deal: &Deal, layout: &Layout) -> DealForm {
        let f = &deal.fields;
        DealForm {
            title: f.title.clone(),
            amount: common::amount_input(layout, &f.amount),
            currency: f.amount.currency.as_str().to_owned(),
            expected_close_date: f.expected_close_date.map(|d| d.to_string()).unwrap_or_default(),
            source: f.source.clone().unwrap_or_default(),
            notes: f.notes.clone().unwrap_or_default(),
            company_id: f.company_id.map(|c| c.to_string()).unwrap_or_default(),
            contact_id: f.contact_id.map(|c| c.to_string()).unwrap_or_default(),
            stage_id: deal.stage_id.to_string(),
            owner_id: deal.owner_id.to_string(),
            version: deal.version.to_string(),
            custom: custom_fields::Typed::new(),
        }
    }

    /// The domain input, with malformed ids reported as field errors.
    fn input(&self, errors: &mut ValidationErrors) -> DealInput {
        DealInput {
            title: self.title.clone(),
            company_id: common::id_field::<CompanyId>(&self.company_id, "company_id", errors),
            contact_id: common::id_field::<ContactId>(&self.contact_id, "contact_id", errors),
            amount: self.amount.clone(),
            currency: self.currency.clone(),
            expected_close_date: self.expected_close_date.clone(),
            source: self.source.clone(),
            notes: self.notes.clone(),
        }
    }
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    deal_id: Option<DealId>,
    form: DealForm,
    errors: ValidationErrors,
) -> Result<FormPage, PageError> {
    let access = &user.session.access;
    let key = if deal_id.is_some() { "deals-edit-title" } else { "deals-new-title" };
    let layout = user.page(user.t(key), Some(Nav::Deals));
    let (pipelines, stages) = deals::pipelines_and_stages(&state.db).await?;
    // A new deal starts at an open or won stage (lost needs a reason, asked on the card).
    let startable: Vec<_> = stages.into_iter().filter(|s| s.kind != StageKind::Lost).collect();
    let people = People(orbita_app::admin::users(&state.db, access).await?);
    let action = if deal_id.is_some() { Action::Edit } else { Action::Create };
    let owners = people.options(access, Area::Deals, action, &form.owner_id, None);
    let chosen = Chosen::load(&state.db, access, &layout, &form.company_id, &form.contact_id, "").await?;
    let fields = orbita_app::custom_fields::active(&state.db, RecordKind::Deal).await?;
    let custom = custom_fields::inputs(&layout, &fields, &form.custom, &errors, &people.0);
    let mut currencies: Vec<SelectOption> =
        CURRENCIES.iter().map(|c| SelectOption::new(*c, *c, *c == form.currency)).collect();
    if !form.currency.is_empty() && !CURRENCIES.contains(&form.currency.as_str()) {
        currencies.push(SelectOption::new(form.currency.clone(), form.currency.clone(), true));
    }
    Ok(FormPage {
        error_items: custom_fields::error_items(&layout, &errors, &custom),
        custom,
        stages: stage_options(&layout, &pipelines, &startable, &form.stage_id, false),
        cancel_href: deal_id.map_or_else(|| "/deals".to_owned(), |id| format!("/deals/{id}")),
        layout,
        deal_id,
        form,
        errors,
        owners,
        currencies,
        chosen,
    })
}

fn respond(result: Result<FormPage, PageError>, status: StatusCode) -> Response {
    match result {
        Ok(page) => (status, page).into_response(),
        Err(error) => error.into_response(),
    }
}

/// `GET /deals/new?company_id=&contact_id=`.
pub async fn new(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Response {
    let p = ListQuery::parse(raw.as_deref());
    let currency = match setup::settings(&state.db).await {
        Ok(settings) => settings.currency.as_str().to_owned(),
        Err(error) => return PageError::from(error).into_response(),
    };
    let form = DealForm {
        title: p.get("title").to_owned(),
        company_id: p.get("company_id").to_owned(),
        contact_id: p.get("contact_id").to_owned(),
        stage_id: p.get("stage_id").to_owned(),
        owner_id: user.session.access.user_id().to_string(),
        currency,
        ..DealForm::default()
    };
    respond(page(&state, &user, None, form, ValidationErrors::default()).await, StatusCode::OK)
}

/// `POST /deals`.
pub async fn create(State(state): State<AppState>, user: SignedIn, Form(form): Form<DealForm>) -> Response {
    let access = &user.session.access;
    let mut errors = ValidationErrors::default();
    let input = form.input(&mut errors);
    let stage = common::id_field::<StageId>(&form.stage_id, "stage_id", &mut errors);
    let owner = common::id_field::<UserId>(&form.owner_id, "owner_id", &mut errors);
    if !errors.is_empty() {
        return refused(&state, &user, None, form, errors).await;
    }
    // The stage decides the pipeline.
    let pipeline = match deals::pipelines_and_stages(&state.db).await {
        Ok((_, stages)) => stage.and_then(|id| stages.iter().find(|s| s.id == id).map(|s| s.pipeline_id)),
        Err(error) => return PageError::from(error).into_response(),
    };
    let custom = match orbita_app::custom_fields::active(&state.db, RecordKind::Deal).await {
        Ok(fields) => custom_fields::sent(&user.layout, &fields, &form.custom),
        Err(error) => return PageError::from(error).into_response(),
    };
    match deals::create_with_custom(&state.db, access, &input, pipeline, stage, owner, Some(&custom)).await {
        Ok(deal) => Redirect::to(&format!("/deals/{}?notice=created", deal.id)).into_response(),
        Err(AppError::Invalid(errors)) => refused(&state, &user, None, form, errors).await,
        Err(error) => PageError::from(error).into_response(),
    }
}

/// The form again with its messages. Errors of parsing the ids come first; the domain's
/// own checks of the other fields are added so every problem shows at once.
async fn refused(
    state: &AppState,
    user: &SignedIn,
    deal_id: Option<DealId>,
    form: DealForm,
    mut errors: ValidationErrors,
) -> Response {
    if let Ok(settings) = setup::settings(&state.db).await {
        let mut ignored = ValidationErrors::default();
        if let Err(more) = form.input(&mut ignored).validate(&settings.currency) {
            for error in more.0 {
                if errors.field(&error.field).is_none() {
                    errors.push(error);
                }
            }
        }
    }
    respond(page(state, user, deal_id, form, errors).await, StatusCode::UNPROCESSABLE_ENTITY)
}

/// `GET /deals/{id}/edit`.
pub async fn edit(State(state): State<AppState>, user: SignedIn, Path(id): Path<i64>) -> Response {
    let id = DealId(id);
    match deals::get(&state.db, &user.session.access, id).await {
        Ok(deal) => {
            if !user.session.access.covers_owner(Area::Deals, Action::Edit, deal.owner_id) {
                return PageError::Forbidden.into_response();
            }
            let fields = match orbita_app::custom_fields::active(&state.db, RecordKind::Deal).await {
                Ok(fields) => fields,
                Err(error) => return PageError::from(error).into_response(),
            };
            let form = DealForm {
                custom: custom_fields::typed(&user.layout, &fields, &deal.custom),
                ..DealForm::of(&deal, &user.layout)
            };
            respond(page(&state, &user, Some(id), form, ValidationErrors::default()).await, StatusCode::OK)
        }
        Err(error) => PageError::from(error).into_response(),
    }
}

/// `POST /deals/{id}`: saves the fields and a changed owner together.
pub async fn update(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<DealForm>,
) -> Response {
    let id = DealId(id);
    let access = &user.session.access;
    let mut errors = ValidationErrors::default();
    let input = form.input(&mut errors);
    let owner = common::id_field::<UserId>(&form.owner_id, "owner_id", &mut errors);
    if !errors.is_empty() {
        return refused(&state, &user, Some(id), form, errors).await;
    }
    let version = common::id::<i64>(&form.version);
    // The fields and a new owner in one service call: a refused owner saves neither.
    let custom = match orbita_app::custom_fields::active(&state.db, RecordKind::Deal).await {
        Ok(fields) => custom_fields::sent(&user.layout, &fields, &form.custom),
        Err(error) => return PageError::from(error).into_response(),
    };
    let change = deals::DealChange { fields: Some(input), owner, custom: Some(custom), ..Default::default() };
    match deals::change(&state.db, access, id, &change, version).await {
        Ok(_) => Redirect::to(&format!("/deals/{id}?notice=saved")).into_response(),
        Err(AppError::Invalid(errors)) => refused(&state, &user, Some(id), form, errors).await,
        Err(AppError::Stale) => {
            // Keep what was typed; the next save, made knowingly, goes over the newer version.
            let current = match deals::get(&state.db, access, id).await {
                Ok(deal) => deal,
                Err(error) => return PageError::from(error).into_response(),
            };
            let form = DealForm { version: current.version.to_string(), ..form };
            match page(&state, &user, Some(id), form, ValidationErrors::default()).await {
                Ok(mut page) => {
                    let message = page.layout.t("deals-stale");
                    page.layout.flashes.push(Flash { kind: FlashKind::Warning, message });
                    (StatusCode::CONFLICT, page).into_response()
                }
                Err(error) => error.into_response(),
            }
        }
        Err(error) => PageError::from(error).into_response(),
    }
}
