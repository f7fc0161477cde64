//! The organisation's settings (`/admin/settings`): name, default currency, time zone and
//! interface language, for administrators; a refused form comes back with its values and a
//! message at each wrong field.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use orbita_app::AppError;
use orbita_app::settings::{self, SettingsInput};
use orbita_domain::ValidationErrors;
use orbita_domain::access::{Action, Area, Scope};
use orbita_domain::org::Locale;
use serde::Deserialize;

use super::Tab;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::ui::{ErrorItem, Flash, FlashKind, Layout, Nav, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/settings", get(form).post(save))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SettingsForm {
    name: String,
    currency: String,
    time_zone: String,
    locale: String,
    overdue_escalation_minutes: String,
}

impl From<SettingsForm> for SettingsInput {
    fn from(f: SettingsForm) -> Self {
        Self {
            name: f.name,
            currency: f.currency,
            time_zone: f.time_zone,
            locale: f.locale,
            overdue_escalation_minutes: f.overdue_escalation_minutes,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 10],
    form: SettingsInput,
    locales: Vec<SelectOption>,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
    /// Whether the user may change the settings, not only read them: otherwise the fields are
    /// shown disabled and there is no Save.
    can_edit: bool,
    /// How this server sends e-mail (the sender and the address in its links), or that it is off.
    mail_note: String,
}

fn page(state: &AppState, user: &SignedIn, form: SettingsInput, errors: ValidationErrors) -> SettingsPage {
    let layout = user.page(user.t("admin-settings"), Some(Nav::Admin));
    let locales = Locale::ALL
        .iter()
        .map(|l| SelectOption::new(l.as_str(), layout.t(&format!("lang-{l}")), form.locale == l.as_str()))
        .collect();
    let error_items = layout.error_items(&errors);
    let can_edit = user.session.access.holds(Area::UsersAndSettings, Action::Edit, Scope::All);
    let mail_note = match &state.config.outbound.mail {
        Some(mailer) => crate::ui::i18n::t_args(
            layout.locale,
            "settings-mail-on",
            &[("from", mailer.from().into()), ("link", mailer.link("/").into())],
        ),
        None => layout.t("settings-mail-off"),
    };
    SettingsPage {
        layout,
        tab: Tab::Settings,
        tabs: Tab::ALL,
        form,
        locales,
        errors,
        error_items,
        can_edit,
        mail_note,
    }
}

async fn form(State(state): State<AppState>, user: SignedIn) -> Result<SettingsPage, PageError> {
    let current = settings::get(&state.db, &user.session.access).await?;
    Ok(page(&state, &user, SettingsInput::from(&current), ValidationErrors::default()))
}

async fn save(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<SettingsForm>,
) -> Result<Response, PageError> {
    let input = SettingsInput::from(form);
    match settings::update(&state.db, &user.session.access, &input).await {
        Ok(saved) => {
            let mut page = page(&state, &user, SettingsInput::from(&saved), ValidationErrors::default());
            // The frame was built before the save: show the new name at once.
            page.layout.org_name = saved.name;
            let message = page.layout.t("admin-saved");
            page.layout.flashes.push(Flash { kind: FlashKind::Success, message });
            Ok(page.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &user, input, errors)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
