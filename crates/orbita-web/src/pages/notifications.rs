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
use orbita_domain::notification::{Notification, NotificationKind, Preference, Preferences};
use serde::Deserialize;

use axum::Form;
use axum::http::StatusCode;
use orbita_app::AppError;
use orbita_domain::ValidationErrors;
use orbita_domain::access::{Action, Area, Scope};

use crate::ui::{ErrorItem, Flash, FlashKind, SelectOption};

use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::ui::Layout;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/badge", get(badge))
        .route("/notifications/settings", get(settings_form).post(save_settings))
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
    layout.t_with(&n.kind.text_key(), "subject", &n.subject)
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
    Ok(Redirect::to(&found.path()).into_response())
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

/// One row of the settings: a kind, in words, and its two switches.
struct KindRow {
    kind: &'static str,
    label: String,
    in_app: bool,
    email: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/settings.html")]
struct SettingsPage {
    layout: Layout,
    rows: Vec<KindRow>,
    hours: Vec<SelectOption>,
    /// What the server does with e-mail: where letters come from and go, or that it is off.
    mail_note: String,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
}

fn settings_page(
    state: &AppState,
    user: &SignedIn,
    prefs: &Preferences,
    errors: &ValidationErrors,
) -> SettingsPage {
    let layout = user.page(user.t("notification-settings-title"), None);
    // A webhook switched off is told to administrators only: others are not offered the choice.
    let administers = user.session.access.holds(Area::UsersAndSettings, Action::Edit, Scope::All);
    let rows = prefs
        .kinds
        .iter()
        .filter(|p| administers || p.kind != NotificationKind::WebhookDisabled)
        .map(|p| KindRow {
            kind: p.kind.as_str(),
            label: layout.t(&format!("notification-kind-{}", p.kind.as_str().replace('_', "-"))),
            in_app: p.in_app,
            email: p.email,
        })
        .collect();
    let mut hours = vec![SelectOption::new(
        "",
        layout.t("notification-settings-digest-off"),
        prefs.digest_hour.is_none(),
    )];
    hours.extend(
        (0..24u8)
            .map(|h| SelectOption::new(h.to_string(), format!("{h:02}:00"), prefs.digest_hour == Some(h))),
    );
    let mail_note = match &state.config.outbound.mail {
        Some(mailer) => {
            let to = user.session.access.user.email.as_str().to_owned();
            let args = [("from", mailer.from().into()), ("to", to.into())];
            crate::ui::i18n::t_args(layout.locale, "notification-settings-mail-on", &args)
        }
        None => layout.t("notification-settings-mail-off"),
    };
    let error_items = layout.error_items(errors);
    SettingsPage { layout, rows, hours, mail_note, errors: errors.clone(), error_items }
}

async fn settings_form(State(state): State<AppState>, user: SignedIn) -> Result<SettingsPage, PageError> {
    let prefs = notifications::preferences(&state.db, &user.session.access).await?;
    Ok(settings_page(&state, &user, &prefs, &ValidationErrors::default()))
}

/// The form: `in_app` and `email` repeat, one value per ticked kind; `digest_hour` is empty
/// when the digest is off.
async fn save_settings(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let access = &user.session.access;
    let ticked =
        |field: &str, kind: NotificationKind| form.iter().any(|(k, v)| k == field && v == kind.as_str());
    let before = notifications::preferences(&state.db, access).await?;
    let administers = access.holds(Area::UsersAndSettings, Action::Edit, Scope::All);
    let kinds = before
        .kinds
        .iter()
        .map(|p| match p.kind {
            // Not on the form: kept as it was.
            NotificationKind::WebhookDisabled if !administers => *p,
            kind => Preference { kind, in_app: ticked("in_app", kind), email: ticked("email", kind) },
        })
        .collect();
    let hour = form.iter().find(|(k, _)| k == "digest_hour").map_or("", |(_, v)| v.trim());
    let digest_hour = match hour {
        "" => None,
        // A value no option has is refused by the check below as out of range.
        other => Some(other.parse::<u8>().unwrap_or(u8::MAX)),
    };
    let choices = Preferences { kinds, digest_hour };
    match notifications::save_preferences(&state.db, access, &choices).await {
        Ok(saved) => {
            let mut page = settings_page(&state, &user, &saved, &ValidationErrors::default());
            let message = page.layout.t("notification-settings-saved");
            page.layout.flashes.push(Flash { kind: FlashKind::Success, message });
            Ok(page.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let page = settings_page(&state, &user, &choices, &errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
