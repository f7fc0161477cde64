//! The bell: the unread count in the header (fetched by htmx after the page loads and every
//! half minute, so a page costs no extra query), the list of the user's notifications, opening
//! one (marked read, then its record), and marking them read.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use orbita_app::notifications;
use orbita_domain::notification::Notification;
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::ui::Layout;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/badge", get(badge))
        .route("/notifications/read", post(read_all))
        .route("/notifications/{id}/open", get(open))
        .route("/notifications/{id}/read", post(read_one))
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/badge.html")]
struct Badge {
    layout: Layout,
    count: i64,
}

async fn badge(State(state): State<AppState>, user: SignedIn) -> Result<Badge, PageError> {
    let count = notifications::unread_count(&state.db, &user.session.access).await?;
    Ok(Badge { layout: user.layout, count })
}

struct Item {
    id: i64,
    text: String,
    when: String,
    unread: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/list.html")]
struct ListPage {
    layout: Layout,
    items: Vec<Item>,
    any_unread: bool,
    more_href: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    before: Option<i64>,
}

/// "Task assigned to you: Call the client", in the reader's language.
fn text(layout: &Layout, n: &Notification) -> String {
    layout.t_with(&format!("notification-{}", n.kind.as_str().replace('_', "-")), "subject", &n.subject)
}

async fn list(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, PageError> {
    let access = &user.session.access;
    let page = notifications::list(&state.db, access, false, query.before, notifications::PAGE + 1).await?;
    let layout = user.page(user.t("notifications-title"), None);
    let more = page.len() as u64 > notifications::PAGE;
    let shown = &page[..page.len().min(notifications::PAGE as usize)];
    let more_href = match (more, shown.last()) {
        (true, Some(last)) => format!("/notifications?before={}", last.id),
        _ => String::new(),
    };
    let items = shown
        .iter()
        .map(|n| Item {
            id: n.id,
            text: text(&layout, n),
            when: layout.datetime(n.created_at),
            unread: n.read_at.is_none(),
        })
        .collect::<Vec<_>>();
    let any_unread = notifications::unread_count(&state.db, access).await? > 0;
    Ok(ListPage { layout, items, any_unread, more_href })
}

/// Marks the notification read and goes to its record.
async fn open(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let access = &user.session.access;
    let found = notifications::get(&state.db, access, id).await?;
    notifications::mark_read(&state.db, access, Some(id)).await?;
    let href = match found.entity.as_str() {
        "task" => format!("/tasks/{}", found.entity_id),
        "deal" => format!("/deals/{}", found.entity_id),
        "webhook" => format!("/admin/webhooks/{}", found.entity_id),
        _ => "/notifications".to_owned(),
    };
    Ok(Redirect::to(&href).into_response())
}

async fn read_one(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
) -> Result<Redirect, PageError> {
    notifications::mark_read(&state.db, &user.session.access, Some(id)).await?;
    Ok(Redirect::to("/notifications"))
}

async fn read_all(State(state): State<AppState>, user: SignedIn) -> Result<Redirect, PageError> {
    notifications::mark_read(&state.db, &user.session.access, None).await?;
    Ok(Redirect::to("/notifications"))
}
