//! `/api/v1/contacts`: contact persons, with the UI's search (name, phone, e-mail).

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use orbita_app::exports::{ContactColumn, Format};
use orbita_app::{Access, AppError, Db, admin, contacts, filters};
use orbita_domain::access::Area;
use orbita_domain::contact::{Contact as ContactRecord, ContactInput};
use orbita_domain::custom::CustomSort;
use orbita_domain::kind::RecordKind;
use orbita_domain::list::{ContactFilter, ContactSort, Cursor, Page};
use orbita_domain::{CompanyId, GroupId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::checks::{Checks, filter_time};
use crate::exports::{columns_query, downloads};
use crate::extract::Params;
use crate::listing::{self, Listed};
use crate::paging::{SortKind, SortOption, page_of, sort_schema};
use crate::problem::ApiError;
use crate::resource::{self, record_handlers, served};

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(export_xlsx))
        .routes(routes!(export_csv))
}

/// A contact person.
#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub id: i64,
    pub last_name: String,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    /// "Иванов Иван Иванович": last, first, middle.
    pub full_name: String,
    pub position: Option<String>,
    pub company_id: Option<i64>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub notes: Option<String>,
    pub owner_id: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// The values of its custom fields (`GET /api/v1/fields/contacts`), by key.
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
}

served!(ContactRecord => Contact, "/api/v1/contacts");

impl From<ContactRecord> for Contact {
    fn from(c: ContactRecord) -> Self {
        let full_name = c.fields.full_name();
        let f = c.fields;
        Self {
            id: c.id.0,
            last_name: f.last_name,
            first_name: f.first_name,
            middle_name: f.middle_name,
            full_name,
            position: f.position,
            company_id: f.company_id.map(|id| id.0),
            phones: f.phones.iter().map(|p| p.as_str().to_owned()).collect(),
            emails: f.emails.iter().map(|e| e.as_str().to_owned()).collect(),
            notes: f.notes,
            owner_id: c.owner_id.0,
            created_by: c.created_by.map(|u| u.0),
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
            custom: Map::new(),
        }
    }
}

/// A new contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactWrite {
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub first_name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub middle_name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub position: Option<String>,
    #[serde(default)]
    pub company_id: Option<i64>,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub notes: Option<String>,
    /// The owner; you by default.
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// Custom values by key; each checked against its field's type.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
}

/// Changes to a contact (JSON merge patch). `owner_id` hands it over.
#[derive(ToSchema)]
#[expect(dead_code, reason = "describes the PATCH body in the OpenAPI document; the body is merged as JSON")]
pub struct ContactPatch {
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub position: Option<String>,
    pub company_id: Option<i64>,
    pub phones: Option<Vec<String>>,
    pub emails: Option<Vec<String>>,
    pub notes: Option<String>,
    pub owner_id: Option<i64>,
    /// Custom values to set, by key; `null` clears one, the others stay.
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
}

impl From<&ContactRecord> for ContactWrite {
    fn from(c: &ContactRecord) -> Self {
        let f = &c.fields;
        Self {
            last_name: f.last_name.clone(),
            first_name: f.first_name.clone(),
            middle_name: f.middle_name.clone(),
            position: f.position.clone(),
            company_id: f.company_id.map(|id| id.0),
            phones: f.phones.iter().map(|p| p.as_str().to_owned()).collect(),
            emails: f.emails.iter().map(|e| e.as_str().to_owned()).collect(),
            notes: f.notes.clone(),
            owner_id: Some(c.owner_id.0),
            // A PATCH's custom values are read from its body as sent (`null` clears).
            custom: None,
        }
    }
}

impl ContactWrite {
    /// Whether anything but the owner differs.
    fn fields_differ(&self, other: &ContactWrite) -> bool {
        ContactWrite { owner_id: None, custom: None, ..self.clone() }
            != ContactWrite { owner_id: None, custom: None, ..other.clone() }
    }

    fn input(&self) -> ContactInput {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        ContactInput {
            last_name: self.last_name.clone(),
            first_name: text(&self.first_name),
            middle_name: text(&self.middle_name),
            position: text(&self.position),
            company_id: self.company_id.map(CompanyId),
            phones: self.phones.join(", "),
            emails: self.emails.join(", "),
            notes: text(&self.notes),
        }
    }
}

page_of!(ContactPage, Contact);

fn sorts() -> RefOr<Schema> {
    sort_schema(&["name", "created_at"], true)
}

/// The list's search, filters and sort (its download takes them too).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Search by name, phone or e-mail.
    q: Option<String>,
    company_id: Option<i64>,
    owner_id: Option<i64>,
    /// Only the contacts owned by a member of this user group (within `owner_id` when both are
    /// given, and within what you may see).
    group_id: Option<i64>,
    created_from: Option<DateTime<Utc>>,
    created_to: Option<DateTime<Utc>>,
    /// A condition as JSON, beside the other parameters (see the deals list's `filter` for the
    /// tree and its comparisons). Fields: last_name, first_name, middle_name, position, company_id, owner_id, created_at, updated_at.
    filter: Option<String>,
    /// `name` (last name, default) or `created_at`; `-` for descending; or `custom.<key>` for a custom field.
    #[param(schema_with = sorts)]
    sort: Option<String>,
}

impl Listed for ContactRecord {
    type Query = ContactQuery;
    type Filter = ContactFilter;
    type Sort = ContactSort;
    const SORTS: &'static [SortOption<ContactSort>] = &[
        SortOption { key: "name", by: ContactSort::Name, kind: SortKind::Text },
        SortOption { key: "created_at", by: ContactSort::CreatedAt, kind: SortKind::Time },
    ];
    const DEFAULT_SORT: &'static str = "name";

    fn custom_sort(by: CustomSort) -> ContactSort {
        ContactSort::Custom(by)
    }

    fn sort(query: &ContactQuery) -> Option<&str> {
        query.sort.as_deref()
    }

    /// The group is resolved to its members (`admin::group_owners`).
    async fn filter(query: ContactQuery, db: &Db, access: &Access) -> Result<ContactFilter, ApiError> {
        let group = query.group_id.map(GroupId);
        let owner_ids =
            admin::group_owners(db, access, Area::Contacts, group, query.owner_id.map(|o| vec![UserId(o)]))
                .await?;
        Ok(ContactFilter {
            q: query.q,
            company_id: query.company_id.map(CompanyId),
            owner_ids,
            created_from: filter_time("created_from", query.created_from)?,
            created_to: filter_time("created_to", query.created_to)?,
            visible: None,
            tree: filters::optional(db, query.filter.as_deref(), RecordKind::Contact).await?,
        })
    }

    async fn list(
        db: &Db,
        access: &Access,
        filter: &ContactFilter,
        by: ContactSort,
        descending: bool,
        after: Option<&Cursor>,
        limit: u64,
    ) -> Result<Page<Self>, AppError> {
        contacts::list(db, access, filter, by, descending, after, limit).await
    }
}

columns_query!(ContactColumns, ContactColumn);

downloads!(
    export,
    tag = "contacts",
    params = ContactQuery,
    columns = ContactColumns,
    export_xlsx = "/api/v1/contacts.xlsx",
    "Download the contacts as XLSX",
    export_csv = "/api/v1/contacts.csv",
    "Download the contacts as CSV",
);

/// Every contact the list would show, in its order, as a file of the chosen columns.
async fn export(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<ContactQuery>,
    Params(columns): Params<ContactColumns>,
    format: Format,
) -> Result<Response, ApiError> {
    listing::file::<ContactRecord, _>(&state.db, &caller, query, columns.columns_and_custom()?, format).await
}

impl resource::Written for ContactRecord {
    type Write = ContactWrite;

    async fn create(db: &Db, access: &Access, body: &ContactWrite) -> Result<Self, ApiError> {
        let mut checks = Checks::new(db, access);
        checks.user("owner_id", body.owner_id, None).await;
        checks.record("company_id", RecordKind::Company, body.company_id, None).await;
        checks.finish()?;
        let owner = body.owner_id.map(UserId);
        Ok(contacts::create_with_custom(db, access, &body.input(), owner, body.custom.as_ref()).await?)
    }

    /// The fields and the owner (audited as an `owner_change`, as on the contact's card) in one
    /// service call, so that a refusal of either saves neither.
    async fn change(
        db: &Db,
        access: &Access,
        current: Self,
        before: &ContactWrite,
        after: &ContactWrite,
        custom: Option<Map<String, Value>>,
    ) -> Result<Self, ApiError> {
        if after == before {
            return Ok(current);
        }
        let mut checks = Checks::new(db, access);
        checks.user("owner_id", after.owner_id, before.owner_id).await;
        checks.record("company_id", RecordKind::Company, after.company_id, before.company_id).await;
        checks.finish()?;
        let change = contacts::ContactChange {
            fields: after.fields_differ(before).then(|| after.input()),
            owner: after.owner_id.filter(|o| Some(*o) != before.owner_id).map(UserId),
            custom,
        };
        Ok(contacts::change(db, access, current.id, &change, Some(current.version)).await?)
    }
}

record_handlers!(
    ContactRecord,
    tag = "contacts",
    path = "/api/v1/contacts",
    one = "/api/v1/contacts/{id}",
    id = "Contact id",
    query = ContactQuery,
    page = ContactPage,
    json = Contact,
    list = ("List contacts.", "A page of contacts"),
    get = ("Read one contact.", "The contact"),
    delete = "Delete a contact. Its deals stay, unlinked; its tasks and activities are deleted.",
    create = ("Register a contact.", ContactWrite, "Created", "The new contact's URL"),
    update = ("Change a contact (JSON merge patch).", ContactPatch, "The changed contact"),
);
