//! `/api/v1/companies`: the client base, with the UI's search (name, INN, KPP, phone, e-mail)
//! and filters.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use orbita_app::exports::{CompanyColumn, Format};
use orbita_app::{Access, AppError, Db, admin, companies, filters};
use orbita_domain::access::Area;
use orbita_domain::company::{Company as CompanyRecord, CompanyInput};
use orbita_domain::custom::CustomSort;
use orbita_domain::kind::RecordKind;
use orbita_domain::list::{CompanyFilter, CompanySort, Cursor, Page};
use orbita_domain::{GroupId, UserId};
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

/// A company (counterparty).
#[derive(Debug, Serialize, ToSchema)]
pub struct Company {
    pub id: i64,
    pub name: String,
    /// 10 digits (organisation) or 12 (individual entrepreneur).
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub ogrn: Option<String>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub address: Option<String>,
    /// Normalised, e.g. `+74955005550`.
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub website: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub owner_id: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Bumped on every change; also the `ETag`.
    pub version: i64,
    /// The values of its custom fields (`GET /api/v1/fields/companies`), by key.
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
}

served!(CompanyRecord => Company, "/api/v1/companies");

impl From<CompanyRecord> for Company {
    fn from(c: CompanyRecord) -> Self {
        let f = c.fields;
        Self {
            id: c.id.0,
            name: f.name,
            inn: f.inn.map(|v| v.as_str().to_owned()),
            kpp: f.kpp.map(|v| v.as_str().to_owned()),
            ogrn: f.ogrn.map(|v| v.as_str().to_owned()),
            industry: f.industry,
            region: f.region,
            address: f.address,
            phones: f.phones.iter().map(|p| p.as_str().to_owned()).collect(),
            emails: f.emails.iter().map(|e| e.as_str().to_owned()).collect(),
            website: f.website,
            source: f.source,
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

/// A new company. INN and KPP are checked (check digits; an organisation needs a KPP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyWrite {
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    #[serde(default)]
    pub inn: Option<String>,
    #[serde(default)]
    pub kpp: Option<String>,
    #[serde(default)]
    pub ogrn: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub industry: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub region: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub address: Option<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub website: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub source: Option<String>,
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

/// Changes to a company (JSON merge patch): given members replace, `null` clears. A new
/// `owner_id` hands the company over.
#[derive(ToSchema)]
#[expect(dead_code, reason = "describes the PATCH body in the OpenAPI document; the body is merged as JSON")]
pub struct CompanyPatch {
    pub name: Option<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub ogrn: Option<String>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub address: Option<String>,
    pub phones: Option<Vec<String>>,
    pub emails: Option<Vec<String>>,
    pub website: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub owner_id: Option<i64>,
    /// Custom values to set, by key; `null` clears one, the others stay.
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
}

impl From<&CompanyRecord> for CompanyWrite {
    fn from(c: &CompanyRecord) -> Self {
        let f = &c.fields;
        Self {
            name: f.name.clone(),
            inn: f.inn.as_ref().map(|v| v.as_str().to_owned()),
            kpp: f.kpp.as_ref().map(|v| v.as_str().to_owned()),
            ogrn: f.ogrn.as_ref().map(|v| v.as_str().to_owned()),
            industry: f.industry.clone(),
            region: f.region.clone(),
            address: f.address.clone(),
            phones: f.phones.iter().map(|p| p.as_str().to_owned()).collect(),
            emails: f.emails.iter().map(|e| e.as_str().to_owned()).collect(),
            website: f.website.clone(),
            source: f.source.clone(),
            notes: f.notes.clone(),
            owner_id: Some(c.owner_id.0),
            // A PATCH's custom values are read from its body as sent (`null` clears).
            custom: None,
        }
    }
}

impl CompanyWrite {
    fn input(&self) -> CompanyInput {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        CompanyInput {
            name: self.name.clone(),
            inn: text(&self.inn),
            kpp: text(&self.kpp),
            ogrn: text(&self.ogrn),
            industry: text(&self.industry),
            region: text(&self.region),
            address: text(&self.address),
            phones: self.phones.join(", "),
            emails: self.emails.join(", "),
            website: text(&self.website),
            source: text(&self.source),
            notes: text(&self.notes),
        }
    }

    /// Whether anything but the owner differs.
    fn fields_differ(&self, other: &CompanyWrite) -> bool {
        CompanyWrite { owner_id: None, custom: None, ..self.clone() }
            != CompanyWrite { owner_id: None, custom: None, ..other.clone() }
    }
}

page_of!(CompanyPage, Company);

fn sorts() -> RefOr<Schema> {
    sort_schema(&["name", "created_at", "updated_at"], true)
}

/// The list's search, filters and sort (its download takes them too).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompanyQuery {
    /// Search by name, INN, KPP, phone or e-mail (as the list's search box).
    q: Option<String>,
    inn: Option<String>,
    kpp: Option<String>,
    region: Option<String>,
    industry: Option<String>,
    source: Option<String>,
    owner_id: Option<i64>,
    /// Only the companies owned by a member of this user group (within `owner_id` when both
    /// are given, and within what you may see).
    group_id: Option<i64>,
    /// Created at or after.
    created_from: Option<DateTime<Utc>>,
    /// Created before.
    created_to: Option<DateTime<Utc>>,
    /// A condition as JSON, beside the other parameters (see the deals list's `filter` for the
    /// tree and its comparisons). Fields: name, inn, kpp, ogrn, industry, region, address, website, source, owner_id, created_at, updated_at.
    filter: Option<String>,
    /// `name` (default), `created_at`, `updated_at`; `-` for descending; or `custom.<key>` for a custom field.
    #[param(schema_with = sorts)]
    sort: Option<String>,
}

impl Listed for CompanyRecord {
    type Query = CompanyQuery;
    type Filter = CompanyFilter;
    type Sort = CompanySort;
    const SORTS: &'static [SortOption<CompanySort>] = &[
        SortOption { key: "name", by: CompanySort::Name, kind: SortKind::Text },
        SortOption { key: "created_at", by: CompanySort::CreatedAt, kind: SortKind::Time },
        SortOption { key: "updated_at", by: CompanySort::UpdatedAt, kind: SortKind::Time },
    ];
    const DEFAULT_SORT: &'static str = "name";

    fn custom_sort(by: CustomSort) -> CompanySort {
        CompanySort::Custom(by)
    }

    fn sort(query: &CompanyQuery) -> Option<&str> {
        query.sort.as_deref()
    }

    /// The group is resolved to its members (`admin::group_owners`).
    async fn filter(query: CompanyQuery, db: &Db, access: &Access) -> Result<CompanyFilter, ApiError> {
        let owner = query.owner_id.map(|o| vec![UserId(o)]);
        let owner_ids =
            admin::group_owners(db, access, Area::Companies, query.group_id.map(GroupId), owner).await?;
        Ok(CompanyFilter {
            q: query.q,
            inn: query.inn,
            kpp: query.kpp,
            region: query.region,
            industry: query.industry,
            source: query.source,
            owner_ids,
            created_from: filter_time("created_from", query.created_from)?,
            created_to: filter_time("created_to", query.created_to)?,
            visible: None,
            tree: filters::optional(db, query.filter.as_deref(), RecordKind::Company).await?,
        })
    }

    async fn list(
        db: &Db,
        access: &Access,
        filter: &CompanyFilter,
        by: CompanySort,
        descending: bool,
        after: Option<&Cursor>,
        limit: u64,
    ) -> Result<Page<Self>, AppError> {
        companies::list(db, access, filter, by, descending, after, limit).await
    }
}

columns_query!(CompanyColumns, CompanyColumn);

downloads!(
    export,
    tag = "companies",
    params = CompanyQuery,
    columns = CompanyColumns,
    export_xlsx = "/api/v1/companies.xlsx",
    "Download the companies as XLSX",
    export_csv = "/api/v1/companies.csv",
    "Download the companies as CSV",
);

/// Every company the list would show, in its order, as a file of the chosen columns.
async fn export(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<CompanyQuery>,
    Params(columns): Params<CompanyColumns>,
    format: Format,
) -> Result<Response, ApiError> {
    listing::file::<CompanyRecord, _>(&state.db, &caller, query, columns.columns_and_custom()?, format).await
}

impl resource::Written for CompanyRecord {
    type Write = CompanyWrite;

    async fn create(db: &Db, access: &Access, body: &CompanyWrite) -> Result<Self, ApiError> {
        let mut checks = Checks::new(db, access);
        checks.user("owner_id", body.owner_id, None).await;
        checks.finish()?;
        let owner = body.owner_id.map(UserId);
        Ok(companies::create_with_custom(db, access, &body.input(), owner, body.custom.as_ref()).await?)
    }

    /// The fields and the owner in one service call, so that a refusal of either saves neither.
    async fn change(
        db: &Db,
        access: &Access,
        current: Self,
        before: &CompanyWrite,
        after: &CompanyWrite,
        custom: Option<Map<String, Value>>,
    ) -> Result<Self, ApiError> {
        let mut checks = Checks::new(db, access);
        checks.user("owner_id", after.owner_id, before.owner_id).await;
        checks.finish()?;
        let change = companies::CompanyChange {
            fields: after.fields_differ(before).then(|| after.input()),
            owner: after.owner_id.filter(|o| Some(*o) != before.owner_id).map(UserId),
            custom,
        };
        Ok(companies::change(db, access, current.id, &change, Some(current.version)).await?)
    }
}

record_handlers!(
    CompanyRecord,
    tag = "companies",
    path = "/api/v1/companies",
    one = "/api/v1/companies/{id}",
    id = "Company id",
    query = CompanyQuery,
    page = CompanyPage,
    json = Company,
    list = ("List companies.", "A page of companies"),
    get = ("Read one company.", "The company"),
    delete = "Delete a company. Its contacts and deals stay, unlinked; its tasks and activities are deleted.",
    create = ("Register a company.", CompanyWrite, "Created", "The new company's URL"),
    update = ("Change a company (JSON merge patch).", CompanyPatch, "The changed company"),
);
