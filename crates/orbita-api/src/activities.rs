//! `/api/v1/activities`: the register of calls, meetings, e-mails and notes, newest first.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use orbita_app::exports::{self, Format};
use orbita_app::{Access, AppError, Db, activities, admin, filters};
use orbita_domain::access::Area;
use orbita_domain::activity::{Activity as ActivityRecord, ActivityInput};
use orbita_domain::custom::CustomSort;
use orbita_domain::kind::RecordKind;
use orbita_domain::list::{ActivityFilter, Cursor, CustomOrder, Page};
use orbita_domain::{CompanyId, ContactId, DealId, GroupId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::checks::{Checks, filter_time};
use crate::exports::{download, downloads};
use crate::extract::Params;
use crate::listing::{self, Listed};
use crate::paging::{SortKind, SortOption, page_of, sort_schema};
use crate::problem::ApiError;
use crate::resource::{self, record_handlers, served};
use crate::vocab::{ActivityKind, ActivityStatus, Direction};

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(export_xlsx))
        .routes(routes!(export_csv))
}

/// A call, meeting, e-mail or note: who, with whom, about what, how long, which way.
#[derive(Debug, Serialize, ToSchema)]
pub struct Activity {
    pub id: i64,
    pub kind: ActivityKind,
    pub direction: Option<Direction>,
    pub status: ActivityStatus,
    pub occurred_at: DateTime<Utc>,
    #[schema(minimum = 0, maximum = 1440)]
    pub duration_minutes: Option<u32>,
    /// The substance of the talk.
    pub subject: String,
    pub responsible_id: i64,
    pub company_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub deal_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// The values of its custom fields (`GET /api/v1/fields/activities`), by key.
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
}

served!(ActivityRecord => Activity, "/api/v1/activities");

impl From<ActivityRecord> for Activity {
    fn from(a: ActivityRecord) -> Self {
        let f = a.fields;
        Self {
            id: a.id.0,
            kind: f.kind.into(),
            direction: f.direction.map(Into::into),
            status: f.status.into(),
            occurred_at: f.occurred_at,
            duration_minutes: f.duration_minutes,
            subject: f.subject,
            responsible_id: f.responsible_id.0,
            company_id: f.company_id.map(|id| id.0),
            contact_id: f.contact_id.map(|id| id.0),
            deal_id: f.deal_id.map(|id| id.0),
            created_by: a.created_by.map(|u| u.0),
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
            custom: Map::new(),
        }
    }
}

/// A new activity. All but notes link to a company, contact or deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityWrite {
    pub kind: ActivityKind,
    #[serde(default)]
    pub direction: Option<Direction>,
    /// `done` when absent.
    #[serde(default)]
    pub status: Option<ActivityStatus>,
    /// Now when absent.
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1440)]
    pub duration_minutes: Option<i64>,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub subject: Option<String>,
    /// You when absent.
    #[serde(default)]
    pub responsible_id: Option<i64>,
    #[serde(default)]
    pub company_id: Option<i64>,
    #[serde(default)]
    pub contact_id: Option<i64>,
    #[serde(default)]
    pub deal_id: Option<i64>,
    /// Custom values by key; each checked against its field's type.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
}

/// Changes to an activity (JSON merge patch).
#[derive(ToSchema)]
#[expect(dead_code, reason = "describes the PATCH body in the OpenAPI document; the body is merged as JSON")]
pub struct ActivityPatch {
    pub kind: Option<ActivityKind>,
    pub direction: Option<Direction>,
    pub status: Option<ActivityStatus>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<i64>,
    pub subject: Option<String>,
    pub responsible_id: Option<i64>,
    pub company_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub deal_id: Option<i64>,
    /// Custom values to set, by key; `null` clears one, the others stay.
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
}

impl From<&ActivityRecord> for ActivityWrite {
    fn from(a: &ActivityRecord) -> Self {
        let f = &a.fields;
        Self {
            kind: f.kind.into(),
            direction: f.direction.map(Into::into),
            status: Some(f.status.into()),
            occurred_at: Some(f.occurred_at),
            duration_minutes: f.duration_minutes.map(i64::from),
            subject: Some(f.subject.clone()).filter(|s| !s.is_empty()),
            responsible_id: Some(f.responsible_id.0),
            company_id: f.company_id.map(|id| id.0),
            contact_id: f.contact_id.map(|id| id.0),
            deal_id: f.deal_id.map(|id| id.0),
            // A PATCH's custom values are read from its body as sent (`null` clears).
            custom: None,
        }
    }
}

impl ActivityWrite {
    /// Checks references and times; the form for the service.
    async fn input(
        &self,
        db: &Db,
        access: &Access,
        before: Option<&ActivityWrite>,
    ) -> Result<ActivityInput, ApiError> {
        let mut checks = Checks::new(db, access);
        let was = |get: fn(&ActivityWrite) -> Option<i64>| before.and_then(get);
        checks.user("responsible_id", self.responsible_id, was(|a| a.responsible_id)).await;
        checks.record("company_id", RecordKind::Company, self.company_id, was(|a| a.company_id)).await;
        checks.record("contact_id", RecordKind::Contact, self.contact_id, was(|a| a.contact_id)).await;
        checks.record("deal_id", RecordKind::Deal, self.deal_id, was(|a| a.deal_id)).await;
        let occurred_at = checks.time("occurred_at", self.occurred_at);
        checks.finish()?;
        Ok(ActivityInput {
            kind: self.kind.into(),
            direction: self.direction.map(Into::into),
            status: self.status.map(Into::into),
            occurred_at: occurred_at.unwrap_or_else(orbita_domain::now),
            duration_minutes: self.duration_minutes,
            subject: self.subject.clone().unwrap_or_default(),
            // Cleared (`null`) means unchanged; a new activity is the caller's own.
            responsible_id: UserId(
                self.responsible_id.or(was(|a| a.responsible_id)).unwrap_or(access.user_id().0),
            ),
            company_id: self.company_id.map(CompanyId),
            contact_id: self.contact_id.map(ContactId),
            deal_id: self.deal_id.map(DealId),
        })
    }
}

page_of!(ActivityPage, Activity);

fn sorts() -> RefOr<Schema> {
    sort_schema(&["-occurred_at"], false)
}

/// The list's filters and order (its download takes them too).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    kind: Option<ActivityKind>,
    status: Option<ActivityStatus>,
    responsible_id: Option<i64>,
    /// Only the activities of a member of this user group as the responsible (within
    /// `responsible_id` when both are given, and within what you may see).
    group_id: Option<i64>,
    company_id: Option<i64>,
    contact_id: Option<i64>,
    deal_id: Option<i64>,
    /// Occurred at or after.
    from: Option<DateTime<Utc>>,
    /// Occurred before.
    to: Option<DateTime<Utc>>,
    /// A condition as JSON, beside the other parameters (see the deals list's `filter` for the
    /// tree and its comparisons). Fields: kind, direction, status, occurred_at, duration_minutes, subject, responsible_id, company_id, contact_id, deal_id, created_at, updated_at.
    filter: Option<String>,
    /// `-occurred_at` (default): newest first; or `custom.<key>` (`-custom.<key>` descending)
    /// to order by a custom field.
    #[param(schema_with = sorts)]
    sort: Option<String>,
}

impl Listed for ActivityRecord {
    type Query = ActivityQuery;
    type Filter = ActivityFilter;
    /// Its own order, or a custom field's.
    type Sort = Option<CustomSort>;
    const SORTS: &'static [SortOption<Option<CustomSort>>] =
        &[SortOption { key: "occurred_at", by: None, kind: SortKind::Time }];
    const DEFAULT_SORT: &'static str = "-occurred_at";

    fn custom_sort(by: CustomSort) -> Option<CustomSort> {
        Some(by)
    }

    fn sort(query: &ActivityQuery) -> Option<&str> {
        query.sort.as_deref()
    }

    /// The group is resolved to its members (`admin::group_owners`).
    async fn filter(query: ActivityQuery, db: &Db, access: &Access) -> Result<ActivityFilter, ApiError> {
        let group = query.group_id.map(GroupId);
        let owner_ids = admin::group_owners(
            db,
            access,
            Area::Activities,
            group,
            query.responsible_id.map(|r| vec![UserId(r)]),
        )
        .await?;
        Ok(ActivityFilter {
            kind: query.kind.map(Into::into),
            status: query.status.map(Into::into),
            responsible_ids: owner_ids,
            company_id: query.company_id.map(CompanyId),
            contact_id: query.contact_id.map(ContactId),
            deal_id: query.deal_id.map(DealId),
            from: filter_time("from", query.from)?,
            to: filter_time("to", query.to)?,
            visible: None,
            order: None,
            tree: filters::optional(db, query.filter.as_deref(), RecordKind::Activity).await?,
        })
    }

    async fn list(
        db: &Db,
        access: &Access,
        filter: &ActivityFilter,
        by: Option<CustomSort>,
        descending: bool,
        after: Option<&Cursor>,
        limit: u64,
    ) -> Result<Page<Self>, AppError> {
        let order = by.map(|by| CustomOrder { by, descending });
        activities::list(db, access, &ActivityFilter { order, ..filter.clone() }, after, limit).await
    }
}

downloads!(
    export,
    tag = "activities",
    params = ActivityQuery,
    columns = crate::exports::CustomColumns,
    export_xlsx = "/api/v1/activities.xlsx",
    "Download the activities as XLSX",
    export_csv = "/api/v1/activities.csv",
    "Download the activities as CSV",
);

/// Every activity the list would show, newest first, as a file.
async fn export(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<ActivityQuery>,
    Params(columns): Params<crate::exports::CustomColumns>,
    format: Format,
) -> Result<Response, ApiError> {
    let (by, descending) = listing::order::<ActivityRecord>(&state.db, &caller.access, &query).await?;
    let filter = ActivityRecord::filter(query, &state.db, &caller.access).await?;
    let order = by.map(|by| CustomOrder { by, descending });
    let export = exports::FixedExport { filter: ActivityFilter { order, ..filter }, custom: columns.keys()? };
    download(&state.db, &caller, &export, format).await
}

impl resource::Written for ActivityRecord {
    type Write = ActivityWrite;

    async fn create(db: &Db, access: &Access, body: &ActivityWrite) -> Result<Self, ApiError> {
        let input = body.input(db, access, None).await?;
        let (activity, _) =
            activities::log_with_custom(db, access, &input, None, body.custom.as_ref()).await?;
        Ok(activity)
    }

    async fn change(
        db: &Db,
        access: &Access,
        current: Self,
        before: &ActivityWrite,
        after: &ActivityWrite,
        custom: Option<Map<String, Value>>,
    ) -> Result<Self, ApiError> {
        if after == before && custom.is_none() {
            return Ok(current);
        }
        let input = after.input(db, access, Some(before)).await?;
        let version = Some(current.version);
        Ok(activities::update_with_custom(db, access, current.id, &input, custom.as_ref(), version).await?)
    }
}

record_handlers!(
    ActivityRecord,
    tag = "activities",
    path = "/api/v1/activities",
    one = "/api/v1/activities/{id}",
    id = "Activity id",
    query = ActivityQuery,
    page = ActivityPage,
    json = Activity,
    list = ("List activities.", "A page of activities"),
    get = ("Read one activity.", "The activity"),
    delete = "Delete an activity.",
    create = ("Log an activity.", ActivityWrite, "Logged", "The new activity's URL"),
    update = ("Change an activity (JSON merge patch).", ActivityPatch, "The changed activity"),
);
