//! How pages answer when something goes wrong: a short page in both languages, the right
//! status, and the details in the log only (never in the response); for someone signed in,
//! the same inside the app's frame in their language (`frame`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Request, State};
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use orbita_app::{AppError, Quota, Unavailable};
use orbita_domain::org::Locale;

use crate::AppState;
use crate::pages::SignedIn;
use crate::session::MaybeSession;
use crate::ui::{Layout, i18n};

#[derive(Debug)]
pub enum PageError {
    NotFound,
    Forbidden,
    /// Someone else saved the record in between.
    Stale,
    /// Input refused outside a form that could show it field by field.
    Invalid(String),
    /// A request no page could take as it is (a NUL character: what was wrong, in one word).
    BadInput(&'static str),
    /// A form body over the size any page form needs.
    TooLarge,
    /// The database cannot take the request now (a full disk, a lock held elsewhere).
    Unavailable(Unavailable),
    /// The user's allowance (exports at once, exports a day) is used up.
    Quota(Quota),
    Internal,
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::NotFound => PageError::NotFound,
            AppError::Forbidden => PageError::Forbidden,
            // Like a concurrent save: reloading the form shows what is there now.
            AppError::Stale | AppError::ReferenceGone => PageError::Stale,
            AppError::Invalid(errors) => PageError::Invalid(errors.to_string()),
            AppError::Quota(quota) => PageError::Quota(quota),
            AppError::Unavailable(reason) => {
                tracing::warn!(%reason, "request refused: database unavailable");
                PageError::Unavailable(reason)
            }
            other => {
                tracing::error!(error = %other, "request failed");
                PageError::Internal
            }
        }
    }
}

/// Long enough for a lock to clear, short enough that a person retrying finds it working.
static RETRY_AFTER: HeaderValue = HeaderValue::from_static("5");

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title_ru: &'static str,
    title_en: &'static str,
    detail: String,
}

/// What an error page says, kept on its response so that `frame` can show it again inside
/// the app's frame, in the signed-in user's language.
#[derive(Debug, Clone)]
struct Shown {
    title_ru: &'static str,
    title_en: &'static str,
    detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "error_framed.html")]
struct FramedErrorPage {
    layout: Layout,
    status: u16,
    detail: String,
}

/// Shows a page's error inside the app's frame (header, navigation, the user's language) when
/// someone is signed in: a 403 or a 404 is then a page of Orbita they can go on from. Anyone
/// else, and htmx's fragment requests, get the plain page. Runs inside the session layer.
pub async fn frame(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let session = request.extensions().get::<MaybeSession>().and_then(|s| s.0.clone());
    let fragment = request.headers().contains_key("hx-request");
    let accept = request.headers().get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let response = next.run(request).await;
    let (Some(session), false) = (session, fragment) else { return response };
    let Some(shown) = response.extensions().get::<Shown>().cloned() else { return response };
    let locale = session.access.user.locale.unwrap_or_else(|| i18n::negotiate(accept.as_deref()));
    // The frame needs the organisation's settings: if even they cannot be read, the plain page.
    let Ok(user) = SignedIn::with(&state.db, session, locale).await else { return response };
    let title = match locale {
        Locale::Ru => shown.title_ru,
        Locale::En => shown.title_en,
    };
    let page = FramedErrorPage {
        layout: user.page(title, None),
        status: response.status().as_u16(),
        detail: shown.detail,
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let framed = page.into_response();
    let (framed_parts, body) = framed.into_parts();
    if let Some(kind) = framed_parts.headers.get(header::CONTENT_TYPE) {
        parts.headers.insert(header::CONTENT_TYPE, kind.clone());
    }
    Response::from_parts(parts, body)
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            PageError::Quota(quota) => Some(quota.retry_after_seconds()),
            _ => None,
        };
        let (status, title_ru, title_en, detail) = match self {
            PageError::NotFound => {
                (StatusCode::NOT_FOUND, "Страница не найдена", "Page not found", String::new())
            }
            PageError::Forbidden => (StatusCode::FORBIDDEN, "Нет доступа", "Access denied", String::new()),
            PageError::Stale => (
                StatusCode::CONFLICT,
                "Запись изменил другой пользователь",
                "Someone else changed this record",
                String::new(),
            ),
            PageError::Invalid(detail) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "Проверьте данные", "Check the input", detail)
            }
            PageError::Quota(quota) => {
                (StatusCode::TOO_MANY_REQUESTS, "Предел достигнут", "Limit reached", quota_detail(quota))
            }
            PageError::BadInput(what) => (
                StatusCode::BAD_REQUEST,
                "Недопустимые символы в запросе",
                "The request contains characters that cannot be accepted",
                format!("{what}: ничего не сохранено. / Nothing was saved."),
            ),
            PageError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Слишком большая форма",
                "The form is too large",
                "Ничего не сохранено. / Nothing was saved.".to_owned(),
            ),
            PageError::Unavailable(Unavailable::StorageFull) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Хранилище заполнено",
                "Storage full",
                "Изменения сейчас не сохраняются: на диске сервера нет места. Ничего не записано; \
                 повторите, когда администратор освободит место. / Changes cannot be saved now: \
                 the server's disk is full. Nothing was written; retry once space is freed."
                    .to_owned(),
            ),
            PageError::Unavailable(Unavailable::Busy) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "База данных занята",
                "Database busy",
                "Ничего не записано; повторите через несколько секунд. / Nothing was written; \
                 retry in a few seconds."
                    .to_owned(),
            ),
            PageError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Что-то пошло не так",
                "Something went wrong",
                String::new(),
            ),
        };
        let shown = Shown { title_ru, title_en, detail: detail.clone() };
        let page = ErrorPage { status: status.as_u16(), title_ru, title_en, detail };
        let mut response = (status, page).into_response();
        response.extensions_mut().insert(shown);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, RETRY_AFTER.clone());
        }
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

fn quota_detail(quota: Quota) -> String {
    match quota {
        Quota::RunningExports { limit } => format!(
            "Уже выполняются {limit} выгрузки: новую можно начать, когда одна закончится (список — \
             «Мои выгрузки»). / {limit} exports are running already: start another when one has \
             finished (see My exports)."
        ),
        Quota::DailyExports { limit, retry_after_seconds } => {
            let hours = retry_after_seconds.div_ceil(3600);
            format!(
                "За сутки можно начать {limit} выгрузок; следующую — примерно через {hours} ч. / \
                 {limit} exports a day is the limit; the next one can start in about {hours} h."
            )
        }
        Quota::PublicPosts { retry_after_seconds } => {
            let minutes = retry_after_seconds.div_ceil(60);
            format!(
                "Слишком много заявок подряд; попробуйте через {minutes} мин. / Too many requests in a \
                 row; try again in {minutes} min."
            )
        }
    }
}
