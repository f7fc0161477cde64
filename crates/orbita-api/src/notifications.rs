//! `/api/v1/notifications`: the caller's own notifications (a task or a deal given to them, a
//! task of theirs overdue), the unread count, and marking them read.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use orbita_app::notifications;
use orbita_domain::notification::Notification as DomainNotification;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::extract::{Id, Params};
use crate::problem::ApiError;
use crate::vocab::NotificationKind;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(unread_count))
        .routes(routes!(read_all))
        .routes(routes!(read_one))
}

/// A notification of the caller's.
#[derive(Debug, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    /// The record it is about: `task` or `deal`.
    pub entity: String,
    pub entity_id: i64,
    /// The record's title when the notification was made.
    pub subject: String,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<DomainNotification> for Notification {
    fn from(n: DomainNotification) -> Self {
        Notification {
            id: n.id,
            kind: n.kind.into(),
            entity: n.entity,
            entity_id: n.entity_id,
            subject: n.subject,
            read_at: n.read_at,
            created_at: n.created_at,
        }
    }
}

/// Newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<Notification>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only unread ones.
    unread: Option<bool>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(NotificationQuery),
    responses((status = 200, description = "A page of notifications", body = NotificationList)))]
async fn list(
    State(state): State<ApiState>,
    caller: Caller,
    Params(query): Params<NotificationQuery>,
) -> Result<Json<NotificationList>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field("limit", "limit-range", "From 1 to 200"));
    }
    let before = crate::paging::id_cursor(query.cursor.as_deref())?;
    let unread = query.unread.unwrap_or(false);
    let mut items = notifications::list(&state.db, &caller.access, unread, before, limit + 1).await?;
    let more = items.len() as u64 > limit;
    items.truncate(limit as usize);
    let next_cursor = if more { items.last().map(|n| n.id.to_string()) } else { None };
    Ok(Json(NotificationList { items: items.into_iter().map(Notification::from).collect(), next_cursor }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub count: i64,
}

/// How many of the caller's notifications are unread.
#[utoipa::path(get, path = "/api/v1/notifications/unread-count", tag = "notifications",
    responses((status = 200, description = "The unread count", body = UnreadCount)))]
async fn unread_count(State(state): State<ApiState>, caller: Caller) -> Result<Json<UnreadCount>, ApiError> {
    Ok(Json(UnreadCount { count: notifications::unread_count(&state.db, &caller.access).await? }))
}

/// Mark all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications",
    responses((status = 204, description = "All read")))]
async fn read_all(State(state): State<ApiState>, caller: Caller) -> Result<StatusCode, ApiError> {
    notifications::mark_read(&state.db, &caller.access, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mark one of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = i64, Path, description = "Notification id")),
    responses((status = 204, description = "Read")))]
async fn read_one(State(state): State<ApiState>, caller: Caller, Id(id): Id) -> Result<StatusCode, ApiError> {
    notifications::get(&state.db, &caller.access, id).await?;
    notifications::mark_read(&state.db, &caller.access, Some(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
