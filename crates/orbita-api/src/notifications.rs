//! `/api/v1/notifications`: the caller's own notifications (a task or a deal given to them, a
//! task of theirs overdue), the unread count, and marking them read.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use orbita_app::notifications;
use orbita_domain::notification::{Notification as DomainNotification, Preference, Preferences};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::extract::{Body, Id, Params};
use crate::patch;
use crate::problem::ApiError;
use crate::vocab::NotificationKind;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(unread_count))
        .routes(routes!(read_all))
        .routes(routes!(read_one))
        .routes(routes!(preferences, change_preferences))
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

/// How the caller is told of one kind of notification.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Channels {
    /// Shown in the bell.
    pub in_app: bool,
    /// Sent by e-mail (several in a short time come as one letter; one read in the bell first
    /// is not sent).
    pub email: bool,
}

/// The caller's choices, as they are changed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesWrite {
    /// Every kind of notification and its channels; both off: not told at all.
    pub kinds: BTreeMap<NotificationKind, Channels>,
    /// The local hour (organisation's time zone) of the daily digest e-mail; `null`: no digest.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 23)]
    pub digest_hour: Option<u8>,
}

/// The caller's choices, and whether the server sends e-mail at all.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPreferences {
    pub kinds: BTreeMap<NotificationKind, Channels>,
    pub digest_hour: Option<u8>,
    /// False when the server has no SMTP server: the choices are kept, nothing is e-mailed.
    pub email_enabled: bool,
}

fn write_view(prefs: &Preferences) -> PreferencesWrite {
    let kinds = prefs
        .kinds
        .iter()
        .map(|p| (NotificationKind::from(p.kind), Channels { in_app: p.in_app, email: p.email }))
        .collect();
    PreferencesWrite { kinds, digest_hour: prefs.digest_hour }
}

fn read_view(state: &ApiState, prefs: &Preferences) -> NotificationPreferences {
    let PreferencesWrite { kinds, digest_hour } = write_view(prefs);
    NotificationPreferences { kinds, digest_hour, email_enabled: state.config.outbound.mail.is_some() }
}

/// The caller's notification choices: per kind, the bell and e-mail; the digest's hour.
#[utoipa::path(get, path = "/api/v1/notifications/preferences", tag = "notifications",
    responses((status = 200, description = "The caller's choices", body = NotificationPreferences)))]
async fn preferences(
    State(state): State<ApiState>,
    caller: Caller,
) -> Result<Json<NotificationPreferences>, ApiError> {
    let prefs = notifications::preferences(&state.db, &caller.access).await?;
    Ok(Json(read_view(&state, &prefs)))
}

/// Change the caller's notification choices: a JSON merge patch
/// (`{"kinds": {"task_overdue": {"email": false}}, "digest_hour": 8}`).
#[utoipa::path(patch, path = "/api/v1/notifications/preferences", tag = "notifications",
    request_body = PreferencesWrite,
    responses((status = 200, description = "The changed choices", body = NotificationPreferences)))]
async fn change_preferences(
    State(state): State<ApiState>,
    caller: Caller,
    Body(body): Body<Value>,
) -> Result<Json<NotificationPreferences>, ApiError> {
    let before = notifications::preferences(&state.db, &caller.access).await?;
    let merged: PreferencesWrite = patch::apply(&write_view(&before), &body)?;
    let kinds = before
        .kinds
        .iter()
        .map(|p| match merged.kinds.get(&NotificationKind::from(p.kind)) {
            Some(c) => Preference { kind: p.kind, in_app: c.in_app, email: c.email },
            None => *p,
        })
        .collect();
    let choices = Preferences { kinds, digest_hour: merged.digest_hour };
    let saved = notifications::save_preferences(&state.db, &caller.access, &choices).await?;
    Ok(Json(read_view(&state, &saved)))
}
