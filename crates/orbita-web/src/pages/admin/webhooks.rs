//! Outgoing webhooks (`/admin/webhooks`): the registered URLs with their events and state, a
//! form for a new one (its signing secret shown once, on the page that follows), and a
//! webhook's page with its form and delivery log. Administrators only; the service checks.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use orbita_app::{AppError, webhooks};
use orbita_domain::ValidationErrors;
use orbita_domain::webhook::{Webhook, WebhookEvent, WebhookInput};
use serde::Deserialize;

use super::Tab;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::ui::{ErrorItem, Layout, Nav};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/webhooks", get(list).post(create))
        .route("/admin/webhooks/{id}", get(show).post(update))
        .route("/admin/webhooks/{id}/delete", post(delete))
}

struct Row {
    id: i64,
    url: String,
    events: String,
    state: String,
    tone: &'static str,
}

/// An event's checkbox.
struct EventBox {
    name: &'static str,
    checked: bool,
}

struct DeliveryRow {
    when: String,
    event: String,
    outcome: String,
    tone: &'static str,
    duration: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/webhooks.html")]
struct WebhooksPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    rows: Vec<Row>,
    /// The webhook shown (`None` on the list).
    id: Option<i64>,
    form: WebhookForm,
    events: Vec<EventBox>,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
    /// A new webhook's secret, shown once.
    secret: String,
    deliveries: Vec<DeliveryRow>,
}

#[derive(Deserialize, Default, Clone)]
struct WebhookForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    active: Option<String>,
    /// One `events=` per checked box.
    #[serde(default)]
    events: Vec<String>,
}

impl WebhookForm {
    fn input(&self, editing: bool) -> WebhookInput {
        WebhookInput {
            url: self.url.clone(),
            events: self.events.clone(),
            description: self.description.clone(),
            // A new webhook sends; an edit says whether it does.
            active: Some(!editing || self.active.is_some()),
        }
    }

    fn of(hook: &Webhook) -> WebhookForm {
        WebhookForm {
            url: hook.fields.url.clone(),
            description: hook.fields.description.clone().unwrap_or_default(),
            active: hook.fields.active.then(|| "on".to_owned()),
            events: hook.fields.events.iter().map(|e| e.as_str().to_owned()).collect(),
        }
    }
}

fn state_of(layout: &Layout, hook: &Webhook) -> (String, &'static str) {
    if hook.disabled_at.is_some() {
        (layout.t("webhooks-disabled"), "red")
    } else if hook.fields.active {
        (layout.t("webhooks-active"), "green")
    } else {
        (layout.t("webhooks-off"), "neutral")
    }
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    id: Option<i64>,
    form: WebhookForm,
    errors: ValidationErrors,
) -> Result<WebhooksPage, AppError> {
    let access = &user.session.access;
    let hooks = webhooks::list(&state.db, access).await?;
    let layout = user.page(user.t("admin-webhooks"), Some(Nav::Admin));
    let rows = hooks
        .iter()
        .map(|h| {
            let (state, tone) = state_of(&layout, h);
            Row {
                id: h.id,
                url: h.fields.url.clone(),
                events: h.fields.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", "),
                state,
                tone,
            }
        })
        .collect();
    let deliveries = match id {
        Some(id) => webhooks::deliveries(&state.db, access, id, None)
            .await?
            .into_iter()
            .map(|d| DeliveryRow {
                when: layout.datetime(d.delivered_at),
                outcome: match (d.status, &d.error) {
                    (Some(status), _) => format!("HTTP {status}"),
                    (None, Some(error)) => error.clone(),
                    (None, None) => "—".to_owned(),
                },
                tone: if d.succeeded() { "green" } else { "red" },
                event: d.event,
                duration: format!("{} ms", d.duration_ms),
            })
            .collect(),
        None => Vec::new(),
    };
    let events = WebhookEvent::ALL
        .iter()
        .map(|e| EventBox { name: e.as_str(), checked: form.events.iter().any(|c| c == e.as_str()) })
        .collect();
    let error_items = layout.error_items(&errors);
    Ok(WebhooksPage {
        layout,
        tab: Tab::Webhooks,
        tabs: Tab::ALL,
        rows,
        id,
        form,
        events,
        errors,
        error_items,
        secret: String::new(),
        deliveries,
    })
}

async fn list(State(state): State<AppState>, user: SignedIn) -> Result<WebhooksPage, PageError> {
    Ok(page(&state, &user, None, WebhookForm::default(), ValidationErrors::default()).await?)
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
) -> Result<WebhooksPage, PageError> {
    let hook = webhooks::get(&state.db, &user.session.access, id).await?;
    Ok(page(&state, &user, Some(id), WebhookForm::of(&hook), ValidationErrors::default()).await?)
}

/// `serde_urlencoded` reads repeated `events=` only through a list of pairs.
fn read_form(pairs: Vec<(String, String)>) -> WebhookForm {
    let mut form = WebhookForm::default();
    for (name, value) in pairs {
        match name.as_str() {
            "url" => form.url = value,
            "description" => form.description = value,
            "active" => form.active = Some(value),
            "events" => form.events.push(value),
            _ => {}
        }
    }
    form
}

async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = read_form(pairs);
    let access = &user.session.access;
    match webhooks::create(&state.db, access, &state.config.outbound, &form.input(false)).await {
        Ok((hook, secret)) => {
            let mut shown =
                page(&state, &user, Some(hook.id), WebhookForm::of(&hook), ValidationErrors::default())
                    .await?;
            shown.secret = secret;
            Ok(shown.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let shown = page(&state, &user, None, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn update(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = read_form(pairs);
    match webhooks::update(&state.db, &user.session.access, id, &form.input(true)).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/webhooks/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let shown = page(&state, &user, Some(id), form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn delete(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
) -> Result<Redirect, PageError> {
    webhooks::delete(&state.db, &user.session.access, id).await?;
    Ok(Redirect::to("/admin/webhooks"))
}
