//! Custom fields (`/admin/fields?kind=deals`): the fields of each kind of record, the form to
//! add one, and per field its edit form (`/admin/fields/{kind}/{key}`), removal, return and
//! the deletion of a removed field's data. Administrators only; the service checks.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use orbita_app::{AppError, custom_fields};
use orbita_domain::ValidationErrors;
use orbita_domain::custom::{CustomField, CustomFieldInput, CustomType};
use orbita_domain::kind::RecordKind;
use serde::Deserialize;

use super::Tab;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::ui::{ErrorItem, Flash, FlashKind, Layout, Nav, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/fields", get(list).post(add))
        .route("/admin/fields/{kind}/{key}", get(edit).post(save))
        .route("/admin/fields/{kind}/{key}/remove", post(remove))
        .route("/admin/fields/{kind}/{key}/restore", post(restore))
        .route("/admin/fields/{kind}/{key}/purge", post(purge))
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct KindQuery {
    kind: String,
}

/// The add / edit form as typed.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
struct FieldForm {
    kind: String,
    key: String,
    #[serde(rename = "type")]
    ty: String,
    label_ru: String,
    label_en: String,
    /// One option per line.
    options: String,
    link_kind: String,
    group: String,
    position: String,
    required: Option<String>,
    indexed: Option<String>,
}

impl FieldForm {
    fn of(field: &CustomField) -> FieldForm {
        FieldForm {
            kind: field.kind.list_key().to_owned(),
            key: field.key.clone(),
            ty: field.ty.as_str().to_owned(),
            label_ru: field.label_ru.clone(),
            label_en: field.label_en.clone(),
            options: field.options.join("\n"),
            link_kind: field.link_kind.map(|k| k.list_key().to_owned()).unwrap_or_default(),
            group: field.group.clone().unwrap_or_default(),
            position: field.position.to_string(),
            required: field.required.then(|| "on".to_owned()),
            indexed: field.indexed.then(|| "on".to_owned()),
        }
    }

    fn input(&self) -> CustomFieldInput {
        CustomFieldInput {
            key: self.key.clone(),
            ty: self.ty.clone(),
            label_ru: self.label_ru.clone(),
            label_en: self.label_en.clone(),
            options: self.options.lines().map(str::to_owned).collect(),
            link_kind: self.link_kind.clone(),
            required: self.required.is_some(),
            indexed: self.indexed.is_some(),
            group: self.group.clone(),
            position: self.position.trim().parse().ok(),
        }
    }
}

/// One field in the table.
struct Row {
    field: CustomField,
    label: String,
    type_label: String,
    edit_href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/fields.html")]
struct FieldsPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    kinds: Vec<SelectOption>,
    kind: RecordKind,
    rows: Vec<Row>,
    /// `Some` on a field's own edit page.
    editing: Option<String>,
    form: FieldForm,
    types: Vec<SelectOption>,
    link_kinds: Vec<SelectOption>,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
}

fn kind_of(raw: &str) -> RecordKind {
    RecordKind::parse_list_key(raw).unwrap_or(RecordKind::Deal)
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    kind: RecordKind,
    editing: Option<String>,
    form: FieldForm,
    errors: ValidationErrors,
) -> Result<FieldsPage, PageError> {
    let fields = custom_fields::all(&state.db, &user.session.access, kind).await?;
    let layout = user.page(user.t("admin-fields"), Some(Nav::Admin));
    let kinds = RecordKind::ALL
        .iter()
        .map(|k| {
            SelectOption::new(
                format!("/admin/fields?kind={}", k.list_key()),
                layout.kind_name(*k),
                *k == kind,
            )
        })
        .collect();
    let type_label = |ty: CustomType| layout.t(&format!("custom-type-{}", ty.as_str()));
    let types = CustomType::ALL
        .iter()
        .map(|ty| SelectOption::new(ty.as_str(), type_label(*ty), form.ty == ty.as_str()))
        .collect();
    let mut link_kinds = vec![SelectOption::new("", "—", form.link_kind.is_empty())];
    link_kinds.extend(
        RecordKind::ALL
            .iter()
            .map(|k| SelectOption::new(k.list_key(), layout.kind_name(*k), form.link_kind == k.list_key())),
    );
    let rows = fields
        .into_iter()
        .map(|field| Row {
            label: field.label(layout.lang()).to_owned(),
            type_label: type_label(field.ty),
            edit_href: format!("/admin/fields/{}/{}", kind.list_key(), field.key),
            field,
        })
        .collect();
    Ok(FieldsPage {
        error_items: layout.error_items(&errors),
        layout,
        tab: Tab::Fields,
        tabs: Tab::ALL,
        kinds,
        kind,
        rows,
        editing,
        form,
        types,
        link_kinds,
        errors,
    })
}

async fn list(
    State(state): State<AppState>,
    user: SignedIn,
    Query(q): Query<KindQuery>,
) -> Result<FieldsPage, PageError> {
    let kind = kind_of(&q.kind);
    let form = FieldForm { kind: kind.list_key().to_owned(), ty: "text".into(), ..FieldForm::default() };
    page(&state, &user, kind, None, form, ValidationErrors::default()).await
}

fn back(kind: RecordKind) -> Response {
    Redirect::to(&format!("/admin/fields?kind={}", kind.list_key())).into_response()
}

async fn add(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<FieldForm>,
) -> Result<Response, PageError> {
    let kind = kind_of(&form.kind);
    match custom_fields::add(&state.db, &user.session.access, kind, &form.input()).await {
        Ok(_) => Ok(back(kind)),
        Err(AppError::Invalid(errors)) => {
            let page = page(&state, &user, kind, None, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn edit(
    State(state): State<AppState>,
    user: SignedIn,
    Path((kind, key)): Path<(String, String)>,
) -> Result<FieldsPage, PageError> {
    let kind = RecordKind::parse_list_key(&kind).ok_or(PageError::NotFound)?;
    let fields = custom_fields::all(&state.db, &user.session.access, kind).await?;
    let field = fields.iter().find(|f| f.key == key).ok_or(PageError::NotFound)?;
    page(&state, &user, kind, Some(key), FieldForm::of(field), ValidationErrors::default()).await
}

async fn save(
    State(state): State<AppState>,
    user: SignedIn,
    Path((kind, key)): Path<(String, String)>,
    Form(form): Form<FieldForm>,
) -> Result<Response, PageError> {
    let kind = RecordKind::parse_list_key(&kind).ok_or(PageError::NotFound)?;
    match custom_fields::change(&state.db, &user.session.access, kind, &key, &form.input()).await {
        Ok(_) => Ok(back(kind)),
        Err(AppError::Invalid(errors)) => {
            let form = FieldForm { key: key.clone(), ..form };
            let page = page(&state, &user, kind, Some(key), form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn remove(
    State(state): State<AppState>,
    user: SignedIn,
    Path((kind, key)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let kind = RecordKind::parse_list_key(&kind).ok_or(PageError::NotFound)?;
    custom_fields::remove(&state.db, &user.session.access, kind, &key).await?;
    Ok(back(kind))
}

async fn restore(
    State(state): State<AppState>,
    user: SignedIn,
    Path((kind, key)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let kind = RecordKind::parse_list_key(&kind).ok_or(PageError::NotFound)?;
    custom_fields::restore(&state.db, &user.session.access, kind, &key).await?;
    Ok(back(kind))
}

async fn purge(
    State(state): State<AppState>,
    user: SignedIn,
    Path((kind, key)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let kind = RecordKind::parse_list_key(&kind).ok_or(PageError::NotFound)?;
    match custom_fields::purge(&state.db, &user.session.access, kind, &key).await {
        Ok(_) => Ok(back(kind)),
        Err(AppError::Invalid(errors)) => {
            let form =
                FieldForm { kind: kind.list_key().to_owned(), ty: "text".into(), ..FieldForm::default() };
            let mut page = page(&state, &user, kind, None, form, ValidationErrors::default()).await?;
            let message = errors.0.first().map(|e| e.message.clone()).unwrap_or_default();
            page.layout.flashes.push(Flash { kind: FlashKind::Warning, message });
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
