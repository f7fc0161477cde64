//! The organisation's settings (`/admin/settings`): name, default currency, time zone,
//! interface language, overdue escalation and working week, for administrators; a refused form comes back with its values and a
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

use super::Tab;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::ui::{ErrorItem, Flash, FlashKind, Layout, Nav, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/settings", get(form).post(save))
}

/// The form as posted: one `work_days=` per ticked weekday.
fn read_form(pairs: Vec<(String, String)>) -> SettingsInput {
    let mut input = SettingsInput::default();
    for (key, value) in pairs {
        match key.as_str() {
            "name" => input.name = value,
            "currency" => input.currency = value,
            "time_zone" => input.time_zone = value,
            "locale" => input.locale = value,
            "overdue_escalation_minutes" => input.overdue_escalation_minutes = value,
            "work_days" => input.work_days.push(value),
            "work_start" => input.work_start = value,
            "work_end" => input.work_end = value,
            _ => {}
        }
    }
    input
}

/// A weekday's box on the form.
struct WeekdayBox {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    form: SettingsInput,
    locales: Vec<SelectOption>,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
    /// Whether the user may change the settings, not only read them: otherwise the fields are
    /// shown disabled and there is no Save.
    can_edit: bool,
    /// How this server sends e-mail (the sender and the address in its links), or that it is off.
    mail_note: String,
    weekdays: Vec<WeekdayBox>,
}

fn page(state: &AppState, user: &SignedIn, form: SettingsInput, errors: ValidationErrors) -> SettingsPage {
    let layout = user.page(user.t("admin-settings"), Some(Nav::Admin));
    let locales = Locale::ALL
        .iter()
        .map(|l| SelectOption::new(l.as_str(), layout.t(&format!("lang-{l}")), form.locale == l.as_str()))
        .collect();
    let weekdays = (1..=7)
        .map(|n: u8| {
            let value = n.to_string();
            let checked = form.work_days.contains(&value);
            WeekdayBox { label: layout.t(&format!("weekday-{n}")), value, checked }
        })
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
        weekdays,
    }
}

async fn form(State(state): State<AppState>, user: SignedIn) -> Result<SettingsPage, PageError> {
    let current = settings::get(&state.db, &user.session.access).await?;
    Ok(page(&state, &user, SettingsInput::from(&current), ValidationErrors::default()))
}

async fn save(
    State(state): State<AppState>,
    user: SignedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let input = read_form(pairs);
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
