//! `/api/v1/fields/{kind}`: a kind's fields, built-in and custom, and the administrators'
//! custom fields (add, change, remove). A record's custom values are under `custom` in its
//! JSON, shown here as their field types say (`values`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orbita_app::custom_fields;
use orbita_domain::custom::{self, CustomField as DomainField, CustomFieldInput, CustomValues};
use orbita_domain::fields::FieldType;
use orbita_domain::kind::RecordKind;
use orbita_domain::org::Locale;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::extract::Body;
use crate::problem::ApiError;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new().routes(routes!(list, add)).routes(routes!(change, remove))
}

/// A record's custom values as the API shows them: only the kind's active fields, money as a
/// two-decimal string, numbers as numbers.
pub fn values(fields: &[DomainField], stored: &CustomValues) -> Map<String, Value> {
    fields
        .iter()
        .filter_map(|f| stored.get(&f.key).map(|v| (f.key.clone(), custom::api_value(f, v))))
        .collect()
}

/// The kind in the path: `companies`, `contacts`, `deals`, `tasks` or `activities`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct KindPath {
    /// companies, contacts, deals, tasks or activities
    #[param(pattern = "^(companies|contacts|deals|tasks|activities)$")]
    kind: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct FieldPath {
    /// companies, contacts, deals, tasks or activities
    #[param(pattern = "^(companies|contacts|deals|tasks|activities)$")]
    kind: String,
    /// The field's key.
    key: String,
}

fn kind_of(raw: &str) -> Result<RecordKind, ApiError> {
    RecordKind::parse_list_key(raw).ok_or_else(ApiError::not_found)
}

/// One field of a kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct Field {
    /// How filters, sorts and records name it: `amount`, `custom.window_type`.
    pub key: String,
    /// text, long_text, number, money, date, date_time, bool, list, multi_list, user, link,
    /// url, email, phone; built-in fields also integer, reference.
    #[serde(rename = "type")]
    pub ty: String,
    pub custom: bool,
    pub label_ru: Option<String>,
    pub label_en: Option<String>,
    /// The choices of a list or multi-list.
    pub options: Vec<String>,
    /// The kind a link points at.
    pub link_kind: Option<String>,
    pub required: bool,
    /// Filtering and sorting by it use an index.
    pub indexed: bool,
    pub group: Option<String>,
    pub position: i32,
    /// Removed custom fields keep their values until deleted; only administrators see them.
    pub removed: bool,
}

impl From<&DomainField> for Field {
    fn from(f: &DomainField) -> Self {
        Field {
            key: f.path(),
            ty: f.ty.as_str().to_owned(),
            custom: true,
            label_ru: Some(f.label_ru.clone()),
            label_en: Some(f.label_en.clone()),
            options: f.options.clone(),
            link_kind: f.link_kind.map(|k| k.list_key().to_owned()),
            required: f.required,
            indexed: f.indexed,
            group: f.group.clone(),
            position: f.position,
            removed: !f.is_active(),
        }
    }
}

fn builtin_type(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Text => "text",
        FieldType::Integer => "integer",
        FieldType::Money => "money",
        FieldType::Date => "date",
        FieldType::DateTime => "date_time",
        FieldType::Choice(_) => "list",
        FieldType::Reference => "reference",
        FieldType::User => "user",
    }
}

/// A built-in field's name as the pages label it (`field-<key>` without `_id` / `_at`).
fn builtin_label(locale: Locale, key: &str) -> Option<String> {
    let base = key.strip_suffix("_id").or_else(|| key.strip_suffix("_at")).unwrap_or(key);
    let message = format!("field-{}", base.replace('_', "-"));
    orbita_i18n::has(locale, &message).then(|| orbita_i18n::t(locale, &message))
}

/// Every field of a kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldList {
    pub items: Vec<Field>,
    /// Always `null`: one page holds them all.
    pub next_cursor: Option<String>,
}

/// A custom field as an administrator sends it. `key` and `type` are fixed once made.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldWrite {
    /// A lower-case Latin letter, then letters, digits and `_`; at most 40.
    #[schema(pattern = "^[a-z][a-z0-9_]{0,39}$", example = "window_type")]
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default, rename = "type")]
    #[schema(example = "list")]
    pub ty: Option<String>,
    #[serde(default)]
    #[schema(max_length = 100, example = "Тип окна")]
    pub label_ru: Option<String>,
    #[serde(default)]
    #[schema(max_length = 100, example = "Window type")]
    pub label_en: Option<String>,
    #[serde(default)]
    pub options: Option<Vec<String>>,
    /// For a link: companies, contacts, deals, tasks or activities.
    #[serde(default)]
    pub link_kind: Option<String>,
    #[serde(default)]
    pub required: Option<bool>,
    #[serde(default)]
    pub indexed: Option<bool>,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub group: Option<String>,
    #[serde(default)]
    pub position: Option<i32>,
}

impl FieldWrite {
    /// The input, with what was not sent taken from `before` (a PATCH) or left empty.
    fn input(&self, before: Option<&DomainField>) -> CustomFieldInput {
        let or = |sent: &Option<String>, was: Option<&str>| {
            sent.clone().unwrap_or_else(|| was.unwrap_or_default().to_owned())
        };
        CustomFieldInput {
            key: or(&self.key, before.map(|b| b.key.as_str())),
            ty: or(&self.ty, before.map(|b| b.ty.as_str())),
            label_ru: or(&self.label_ru, before.map(|b| b.label_ru.as_str())),
            label_en: or(&self.label_en, before.map(|b| b.label_en.as_str())),
            options: self.options.clone().or_else(|| before.map(|b| b.options.clone())).unwrap_or_default(),
            link_kind: or(&self.link_kind, before.and_then(|b| b.link_kind.map(RecordKind::list_key))),
            required: self.required.or(before.map(|b| b.required)).unwrap_or(false),
            indexed: self.indexed.or(before.map(|b| b.indexed)).unwrap_or(false),
            group: or(&self.group, before.and_then(|b| b.group.as_deref())),
            position: self.position.or(before.map(|b| b.position)),
        }
    }
}

/// List a kind's fields, built-in and custom.
#[utoipa::path(get, path = "/api/v1/fields/{kind}", tag = "fields", params(KindPath),
    responses((status = 200, description = "The kind's fields", body = FieldList),
        (status = 404, description = "No such kind")))]
async fn list(
    State(state): State<ApiState>,
    caller: Caller,
    Path(path): Path<KindPath>,
) -> Result<Json<FieldList>, ApiError> {
    let kind = kind_of(&path.kind)?;
    let custom = custom_fields::fields(&state.db, &caller.access, kind).await?;
    let builtin = kind.fields().iter().map(|spec| Field {
        key: spec.key.to_owned(),
        ty: builtin_type(spec.ty).to_owned(),
        custom: false,
        label_ru: builtin_label(Locale::Ru, spec.key),
        label_en: builtin_label(Locale::En, spec.key),
        options: match spec.ty {
            FieldType::Choice(choices) => choices.iter().map(|c| (*c).to_owned()).collect(),
            _ => Vec::new(),
        },
        link_kind: None,
        required: !spec.optional,
        indexed: false,
        group: None,
        position: 0,
        removed: false,
    });
    let items = builtin.chain(custom.iter().map(Field::from)).collect();
    Ok(Json(FieldList { items, next_cursor: None }))
}

/// Add a custom field (administrators).
#[utoipa::path(post, path = "/api/v1/fields/{kind}", tag = "fields", params(KindPath),
    request_body = FieldWrite,
    responses((status = 201, description = "Added", body = Field),
        (status = 404, description = "No such kind")))]
async fn add(
    State(state): State<ApiState>,
    caller: Caller,
    Path(path): Path<KindPath>,
    Body(body): Body<FieldWrite>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&path.kind)?;
    let field = custom_fields::add(&state.db, &caller.access, kind, &body.input(None)).await?;
    Ok((StatusCode::CREATED, Json(Field::from(&field))).into_response())
}

/// Change a custom field: labels, options, group, position, required, indexed
/// (administrators).
#[utoipa::path(patch, path = "/api/v1/fields/{kind}/{key}", tag = "fields", params(FieldPath),
    request_body = FieldWrite,
    responses((status = 200, description = "The changed field", body = Field),
        (status = 404, description = "No such field")))]
async fn change(
    State(state): State<ApiState>,
    caller: Caller,
    Path(path): Path<FieldPath>,
    Body(body): Body<FieldWrite>,
) -> Result<Json<Field>, ApiError> {
    let kind = kind_of(&path.kind)?;
    let before = custom_fields::all(&state.db, &caller.access, kind)
        .await?
        .into_iter()
        .find(|f| f.key == path.key)
        .ok_or_else(ApiError::not_found)?;
    for (sent, name) in [(&body.key, "key"), (&body.ty, "type")] {
        let was = if name == "key" { before.key.as_str() } else { before.ty.as_str() };
        if sent.as_deref().is_some_and(|s| s != was) {
            return Err(ApiError::field(name, "read-only", "A field's key and type stay as made"));
        }
    }
    let field =
        custom_fields::change(&state.db, &caller.access, kind, &path.key, &body.input(Some(&before))).await?;
    Ok(Json(Field::from(&field)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RemoveQuery {
    /// `true` deletes an already removed field's values for good.
    purge: Option<bool>,
}

/// Remove a custom field (administrators): it leaves forms, cards, lists and the API, and its
/// values stay until removed again with `purge=true`.
#[utoipa::path(delete, path = "/api/v1/fields/{kind}/{key}", tag = "fields", params(FieldPath, RemoveQuery),
    responses((status = 204, description = "Removed"), (status = 404, description = "No such field")))]
async fn remove(
    State(state): State<ApiState>,
    caller: Caller,
    Path(path): Path<FieldPath>,
    crate::extract::Params(query): crate::extract::Params<RemoveQuery>,
) -> Result<StatusCode, ApiError> {
    let kind = kind_of(&path.kind)?;
    if query.purge == Some(true) {
        custom_fields::purge(&state.db, &caller.access, kind, &path.key).await?;
    } else {
        custom_fields::remove(&state.db, &caller.access, kind, &path.key).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
