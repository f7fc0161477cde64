//! `/api/v1/deals`: deals in their pipelines. A `PATCH` with `stage_id` (and `lost_reason` for
//! a lost stage) moves the deal as the kanban board does: won closes it and counts it toward
//! its owner's target; lost needs a reason.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use orbita_app::exports::{DealColumn, Format};
use orbita_app::{Access, AppError, Db, admin, deals, filters};
use orbita_domain::access::Area;
use orbita_domain::custom::CustomSort;
use orbita_domain::deal::{Deal as DealRecord, DealInput};
use orbita_domain::kind::RecordKind;
use orbita_domain::list::{Cursor, DealFilter, DealSort, Page};
use orbita_domain::{CompanyId, ContactId, FieldError, GroupId, PipelineId, StageId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::checks::{Checks, date_text, filter_time};
use crate::exports::{columns_query, downloads};
use crate::extract::Params;
use crate::listing::{self, Listed};
use crate::paging::{SortKind, SortOption, page_of, sort_schema};
use crate::problem::ApiError;
use crate::resource::{self, record_handlers, served};
use crate::vocab::DealStatus;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(export_xlsx))
        .routes(routes!(export_csv))
}

/// A deal.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deal {
    pub id: i64,
    pub title: String,
    pub company_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub pipeline_id: i64,
    pub stage_id: i64,
    pub status: DealStatus,
    /// 0–100: the stage's probability of winning.
    #[schema(minimum = 0, maximum = 100)]
    pub probability: u8,
    /// The budget, a decimal with two places.
    #[schema(pattern = r"^[0-9]+\.[0-9]{2}$", example = "1500.00")]
    pub amount: String,
    #[schema(pattern = "^[A-Z]{3}$", example = "RUB")]
    pub currency: String,
    pub expected_close_date: Option<NaiveDate>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub lost_reason: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub owner_id: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// The values of the deal's custom fields (`GET /api/v1/fields/deals`), by key.
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    /// The web form the deal came from (`source` is its name); `null` for a deal made in the CRM.
    pub web_form_id: Option<i64>,
    /// The advertising tags of the page the buyer posted from.
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_content: Option<String>,
    pub utm_term: Option<String>,
    /// The page the buyer came to the site from, and the page of the form.
    pub referrer: Option<String>,
    pub landing_page: Option<String>,
}

served!(DealRecord => Deal, "/api/v1/deals");

impl From<DealRecord> for Deal {
    fn from(d: DealRecord) -> Self {
        let f = d.fields;
        let o = d.origin;
        Self {
            custom: Map::new(),
            web_form_id: o.web_form_id,
            utm_source: o.utm_source,
            utm_medium: o.utm_medium,
            utm_campaign: o.utm_campaign,
            utm_content: o.utm_content,
            utm_term: o.utm_term,
            referrer: o.referrer,
            landing_page: o.landing_page,
            id: d.id.0,
            title: f.title,
            company_id: f.company_id.map(|id| id.0),
            contact_id: f.contact_id.map(|id| id.0),
            pipeline_id: d.pipeline_id.0,
            stage_id: d.stage_id.0,
            status: d.status.into(),
            probability: d.probability,
            amount: format!("{:.2}", f.amount.amount),
            currency: f.amount.currency.as_str().to_owned(),
            expected_close_date: f.expected_close_date,
            source: f.source,
            notes: f.notes,
            lost_reason: d.lost_reason,
            closed_at: d.closed_at,
            owner_id: d.owner_id.0,
            created_by: d.created_by.map(|u| u.0),
            created_at: d.created_at,
            updated_at: d.updated_at,
            version: d.version,
        }
    }
}

/// A new deal: it starts at `stage_id`, or at the first stage of `pipeline_id` (or of the
/// default pipeline). It cannot start lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealWrite {
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[serde(default)]
    pub company_id: Option<i64>,
    #[serde(default)]
    pub contact_id: Option<i64>,
    /// A decimal such as `1500.00` (also `1 500,00`); 0 when absent.
    #[serde(default)]
    #[schema(example = "1500.00")]
    pub amount: Option<String>,
    /// The organisation's currency when absent.
    #[serde(default)]
    #[schema(example = "RUB")]
    pub currency: Option<String>,
    #[serde(default)]
    #[schema(format = Date, example = "2026-12-31")]
    pub expected_close_date: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub source: Option<String>,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub notes: Option<String>,
    #[serde(default)]
    pub pipeline_id: Option<i64>,
    #[serde(default)]
    pub stage_id: Option<i64>,
    /// Only when moving to a lost stage (PATCH).
    #[serde(default)]
    pub lost_reason: Option<String>,
    /// The owner; you by default.
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// Custom values by key, `{"window_type": "ПВХ"}`; each checked against its field's type.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
}

/// Changes to a deal (JSON merge patch). `stage_id` moves it (with `lost_reason` for a lost
/// stage); `owner_id` hands it over.
#[derive(ToSchema)]
#[expect(dead_code, reason = "describes the PATCH body in the OpenAPI document; the body is merged as JSON")]
pub struct DealPatch {
    pub title: Option<String>,
    pub company_id: Option<i64>,
    pub contact_id: Option<i64>,
    #[schema(example = "1500.00")]
    pub amount: Option<String>,
    pub currency: Option<String>,
    #[schema(format = Date)]
    pub expected_close_date: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub stage_id: Option<i64>,
    pub lost_reason: Option<String>,
    pub owner_id: Option<i64>,
    /// Custom values to set, by key; `null` clears one, the others stay.
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
}

impl From<&DealRecord> for DealWrite {
    fn from(d: &DealRecord) -> Self {
        let f = &d.fields;
        Self {
            title: f.title.clone(),
            company_id: f.company_id.map(|id| id.0),
            contact_id: f.contact_id.map(|id| id.0),
            amount: Some(format!("{:.2}", f.amount.amount)),
            currency: Some(f.amount.currency.as_str().to_owned()),
            expected_close_date: f.expected_close_date.map(|d| d.format("%Y-%m-%d").to_string()),
            source: f.source.clone(),
            notes: f.notes.clone(),
            pipeline_id: Some(d.pipeline_id.0),
            stage_id: Some(d.stage_id.0),
            lost_reason: d.lost_reason.clone(),
            owner_id: Some(d.owner_id.0),
            // A PATCH's custom values are read from its body as sent (`null` clears).
            custom: None,
        }
    }
}

impl DealWrite {
    fn input(&self) -> DealInput {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        DealInput {
            title: self.title.clone(),
            company_id: self.company_id.map(CompanyId),
            contact_id: self.contact_id.map(ContactId),
            amount: text(&self.amount),
            currency: text(&self.currency),
            expected_close_date: text(&self.expected_close_date),
            source: text(&self.source),
            notes: text(&self.notes),
        }
    }

    /// Only the deal's own fields: not where it stands or whose it is.
    fn fields(&self) -> DealWrite {
        DealWrite {
            pipeline_id: None,
            stage_id: None,
            lost_reason: None,
            owner_id: None,
            custom: None,
            ..self.clone()
        }
    }

    /// The references a client may have changed, checked against what the caller sees.
    async fn check(&self, db: &Db, access: &Access, before: Option<&DealWrite>) -> Result<(), ApiError> {
        let mut checks = Checks::new(db, access);
        let was = |get: fn(&DealWrite) -> Option<i64>| before.and_then(get);
        checks.user("owner_id", self.owner_id, was(|d| d.owner_id)).await;
        checks.record("company_id", RecordKind::Company, self.company_id, was(|d| d.company_id)).await;
        checks.record("contact_id", RecordKind::Contact, self.contact_id, was(|d| d.contact_id)).await;
        date_text(&mut checks, "expected_close_date", self.expected_close_date.as_deref());
        if let Some(pipeline) = self.pipeline_id.filter(|p| Some(*p) != was(|d| d.pipeline_id)) {
            if before.is_some() {
                checks.push(FieldError::new("pipeline_id", "read-only", "A deal stays in its pipeline"));
            } else if !deals::pipelines_and_stages(db).await?.0.iter().any(|p| p.id.0 == pipeline) {
                checks.push(FieldError::new("pipeline_id", "not-found", "There is no such pipeline"));
            }
        }
        if before.is_none() && self.lost_reason.is_some() {
            checks.push(FieldError::new(
                "lost_reason",
                "deal-not-lost",
                "A new deal cannot start lost: create it, then move it to a lost stage",
            ));
        }
        checks.finish()
    }
}

page_of!(DealPage, Deal);

fn sorts() -> RefOr<Schema> {
    sort_schema(&["created_at", "updated_at", "title", "amount"], true)
}

/// The list's search, filters and sort (its download takes them too).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DealQuery {
    /// Search in the title.
    q: Option<String>,
    pipeline_id: Option<i64>,
    stage_id: Option<i64>,
    status: Option<DealStatus>,
    owner_id: Option<i64>,
    /// Only the deals owned by a member of this user group (within `owner_id` when both are
    /// given, and within what you may see).
    group_id: Option<i64>,
    company_id: Option<i64>,
    contact_id: Option<i64>,
    source: Option<String>,
    /// The deal's company's region, matched exactly (as the companies list's `region`).
    region: Option<String>,
    /// The deal's company's industry, matched exactly.
    industry: Option<String>,
    created_from: Option<DateTime<Utc>>,
    created_to: Option<DateTime<Utc>>,
    /// Closed (won or lost) at or after.
    closed_from: Option<DateTime<Utc>>,
    closed_to: Option<DateTime<Utc>>,
    /// A condition as JSON, beside the other parameters: a node is `{"and": [nodes]}`,
    /// `{"or": [nodes]}`, `{"not": node}` or `{"field": …, "op": …, "value": …}` with `op` one of
    /// eq, ne, in, gt, gte, lt, lte, between, contains, empty, not_empty, today, yesterday,
    /// this_week, last_week, this_month, last_month, this_quarter, this_year, overdue. Fields:
    /// title, amount (a decimal string), currency, probability, status, pipeline_id, stage_id,
    /// owner_id, company_id, contact_id, source, lost_reason, expected_close_date, created_at,
    /// updated_at, closed_at, and each custom field as `custom.<key>`. Example: `{"and": [{"field": "stage_id", "op": "in", "value":
    /// [3, 4]}, {"field": "amount", "op": "gt", "value": "500000"}]}`.
    filter: Option<String>,
    /// `-created_at` (default), `updated_at`, `title`, `amount`, or `custom.<key>` for a custom
    /// field; `-` for descending.
    #[param(schema_with = sorts)]
    sort: Option<String>,
}

impl Listed for DealRecord {
    type Query = DealQuery;
    type Filter = DealFilter;
    type Sort = DealSort;
    const SORTS: &'static [SortOption<DealSort>] = &[
        SortOption { key: "created_at", by: DealSort::CreatedAt, kind: SortKind::Time },
        SortOption { key: "updated_at", by: DealSort::UpdatedAt, kind: SortKind::Time },
        SortOption { key: "title", by: DealSort::Title, kind: SortKind::Text },
        SortOption { key: "amount", by: DealSort::Amount, kind: SortKind::Int },
    ];
    const DEFAULT_SORT: &'static str = "-created_at";

    fn custom_sort(by: CustomSort) -> DealSort {
        DealSort::Custom(by)
    }

    fn sort(query: &DealQuery) -> Option<&str> {
        query.sort.as_deref()
    }

    /// The group is resolved to its members (`admin::group_owners`).
    async fn filter(query: DealQuery, db: &Db, access: &Access) -> Result<DealFilter, ApiError> {
        let group = query.group_id.map(GroupId);
        let owner_ids =
            admin::group_owners(db, access, Area::Deals, group, query.owner_id.map(|o| vec![UserId(o)]))
                .await?;
        Ok(DealFilter {
            q: query.q,
            pipeline_id: query.pipeline_id.map(PipelineId),
            stage_ids: query.stage_id.map(|s| vec![StageId(s)]),
            status: query.status.map(Into::into),
            owner_ids,
            company_id: query.company_id.map(CompanyId),
            contact_id: query.contact_id.map(ContactId),
            source: query.source,
            utm_campaign: None,
            region: query.region,
            industry: query.industry,
            created_from: filter_time("created_from", query.created_from)?,
            created_to: filter_time("created_to", query.created_to)?,
            closed_from: filter_time("closed_from", query.closed_from)?,
            closed_to: filter_time("closed_to", query.closed_to)?,
            visible: None,
            tree: filters::optional(db, query.filter.as_deref(), RecordKind::Deal).await?,
        })
    }

    async fn list(
        db: &Db,
        access: &Access,
        filter: &DealFilter,
        by: DealSort,
        descending: bool,
        after: Option<&Cursor>,
        limit: u64,
    ) -> Result<Page<Self>, AppError> {
        deals::list(db, access, filter, by, descending, after, limit).await
    }
}

columns_query!(DealColumns, DealColumn);

downloads!(
    export,
    tag = "deals",
    params = DealQuery,
    columns = DealColumns,
    export_xlsx = "/api/v1/deals.xlsx",
    "Download the deals as XLSX",
    export_csv = "/api/v1/deals.csv",
    "Download the deals as CSV",
);

/// Every deal the list would show, in its order, as a file of the chosen columns.
async fn export(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<DealQuery>,
    Params(columns): Params<DealColumns>,
    format: Format,
) -> Result<Response, ApiError> {
    listing::file::<DealRecord, _>(&state.db, &caller, query, columns.columns_and_custom()?, format).await
}

impl resource::Written for DealRecord {
    type Write = DealWrite;

    async fn create(db: &Db, access: &Access, body: &DealWrite) -> Result<Self, ApiError> {
        body.check(db, access, None).await?;
        let deal = deals::create_with_custom(
            db,
            access,
            &body.input(),
            body.pipeline_id.map(PipelineId),
            body.stage_id.map(StageId),
            body.owner_id.map(UserId),
            body.custom.as_ref(),
        )
        .await?;
        Ok(deal)
    }

    /// Fields, owner and stage in one service call, so that a refusal of any (a lost stage
    /// without a reason, an owner beyond one's rights) saves none.
    async fn change(
        db: &Db,
        access: &Access,
        current: Self,
        before: &DealWrite,
        after: &DealWrite,
        custom: Option<Map<String, Value>>,
    ) -> Result<Self, ApiError> {
        after.check(db, access, Some(before)).await?;
        let stage = after.stage_id.map_or(current.stage_id, StageId);
        let moves = stage != current.stage_id
            || (after.lost_reason.is_some() && after.lost_reason != before.lost_reason);
        let change = deals::DealChange {
            fields: (after.fields() != before.fields()).then(|| after.input()),
            owner: after.owner_id.filter(|o| Some(*o) != before.owner_id).map(UserId),
            stage: moves.then(|| deals::StageTarget {
                stage,
                lost_reason: after.lost_reason.clone().unwrap_or_default(),
            }),
            custom,
            close_open_tasks: false,
        };
        Ok(deals::change(db, access, current.id, &change, Some(current.version)).await?)
    }
}

record_handlers!(
    DealRecord,
    tag = "deals",
    path = "/api/v1/deals",
    one = "/api/v1/deals/{id}",
    id = "Deal id",
    query = DealQuery,
    page = DealPage,
    json = Deal,
    list = ("List deals.", "A page of deals"),
    get = ("Read one deal.", "The deal"),
    delete = "Delete a deal with its tasks and activities.",
    create = ("Register a deal.", DealWrite, "Created", "The new deal's URL"),
    update = (
        "Change a deal (JSON merge patch), move it to a stage, or hand it over.",
        DealPatch,
        "The changed deal"
    ),
);
