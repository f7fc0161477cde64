//! `/api/v1/settings`: the organisation's settings — its name, the default currency, the time
//! zone days are counted in, the default language, when an overdue task is reported to the
//! head of sales, and the working week robots' deadlines count in. Those who may see the
//! settings read them; administrators change them (audited).

use axum::Json;
use axum::extract::State;
use orbita_app::AppError;
use orbita_app::settings::{self, SettingsInput};
use orbita_domain::org::OrgSettings;
use orbita_domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::extract::Body;
use crate::patch;
use crate::problem::ApiError;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new().routes(routes!(get_settings, change_settings))
}

/// The organisation's settings.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[schema(max_length = 200)]
    pub name: String,
    /// The currency of new deals: an ISO 4217 code such as `RUB`.
    pub currency: String,
    /// An IANA time zone such as `Europe/Moscow`: reports' days and months, the digest's hour
    /// and the working week are in it.
    pub time_zone: String,
    /// The interface language of users who have not chosen one: `ru` or `en`.
    pub locale: String,
    /// Minutes a task stays overdue before its assignee's heads of sales are told; 0: never.
    #[schema(minimum = 0, maximum = 43200)]
    pub overdue_escalation_minutes: i64,
    pub working_week: WorkingWeek,
}

/// The days and hours of work.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingWeek {
    /// The weekdays worked, as ISO numbers: 1 Monday … 7 Sunday; at least one.
    #[schema(min_items = 1, max_items = 7)]
    pub days: Vec<u8>,
    /// When work starts, `HH:MM`.
    #[schema(example = "09:00")]
    pub start: String,
    /// When work ends, `HH:MM`, after the start.
    #[schema(example = "18:00")]
    pub end: String,
}

fn view(s: &OrgSettings) -> Settings {
    let week = &s.working_hours;
    Settings {
        name: s.name.clone(),
        currency: s.currency.as_str().to_owned(),
        time_zone: s.time_zone.clone(),
        locale: s.locale.as_str().to_owned(),
        overdue_escalation_minutes: s.overdue_escalation_minutes,
        working_week: WorkingWeek {
            days: (1..=7u8).filter(|n| week.days[usize::from(n - 1)]).collect(),
            start: week.start_text(),
            end: week.end_text(),
        },
    }
}

/// The organisation's settings.
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings",
    responses((status = 200, description = "The settings", body = Settings)))]
async fn get_settings(State(state): State<ApiState>, caller: Caller) -> Result<Json<Settings>, ApiError> {
    let current = settings::get(&state.db, &caller.access).await?;
    Ok(Json(view(&current)))
}

/// Change the settings (administrators): a JSON merge patch, e.g.
/// `{"working_week": {"days": [1, 2, 3, 4, 5, 6], "end": "20:00"}}`. A mistake is a 422 naming
/// its field (`working_week.start`), and nothing changes.
#[utoipa::path(patch, path = "/api/v1/settings", tag = "settings", request_body = Settings,
    responses((status = 200, description = "The changed settings", body = Settings)))]
async fn change_settings(
    State(state): State<ApiState>,
    caller: Caller,
    Body(body): Body<Value>,
) -> Result<Json<Settings>, ApiError> {
    let current = settings::get(&state.db, &caller.access).await?;
    let merged: Settings = patch::apply(&view(&current), &body)?;
    let input = SettingsInput {
        name: merged.name,
        currency: merged.currency,
        time_zone: merged.time_zone,
        locale: merged.locale,
        overdue_escalation_minutes: merged.overdue_escalation_minutes.to_string(),
        work_days: merged.working_week.days.iter().map(u8::to_string).collect(),
        work_start: merged.working_week.start,
        work_end: merged.working_week.end,
    };
    match settings::update(&state.db, &caller.access, &input).await {
        Ok(saved) => Ok(Json(view(&saved))),
        Err(AppError::Invalid(errors)) => Err(ApiError::invalid(api_fields(errors))),
        Err(other) => Err(other.into()),
    }
}

/// The settings form's field names as the API's body names them.
fn api_fields(errors: ValidationErrors) -> ValidationErrors {
    let rename = |field: &str| match field {
        "work_days" => "working_week.days".to_owned(),
        "work_start" => "working_week.start".to_owned(),
        "work_end" => "working_week.end".to_owned(),
        other => other.to_owned(),
    };
    ValidationErrors(errors.0.into_iter().map(|e| FieldError { field: rename(&e.field), ..e }).collect())
}
