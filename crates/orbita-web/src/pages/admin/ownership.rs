//! Handing records over (`/admin/ownership`): from one user to another, companies, contacts,
//! deals and tasks, optionally only open deals and tasks. The first post shows how many
//! records will move; the confirmed post moves them all in one transaction.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use orbita_app::AppError;
use orbita_app::ownership::{self, Counts, RecordKind, TransferRequest};
use orbita_domain::user::User;
use orbita_domain::{UserId, ValidationErrors};

use super::Tab;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::ui::{ErrorItem, Flash, FlashKind, Layout, Nav, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/ownership", get(form).post(submit))
}

/// The form as typed: raw values, so a refused form comes back as it was.
#[derive(Debug, Clone, Default)]
struct TransferForm {
    from: String,
    to: String,
    kinds: Vec<RecordKind>,
    open_only: bool,
    confirm: bool,
}

impl TransferForm {
    /// `from_user_id`, `to_user_id`, `kind` (repeated), `open_only`, `confirm`.
    fn parse(fields: &[(String, String)]) -> TransferForm {
        let mut form = TransferForm::default();
        for (name, value) in fields {
            match name.as_str() {
                "from_user_id" => form.from = value.trim().to_owned(),
                "to_user_id" => form.to = value.trim().to_owned(),
                "kind" => form.kinds.extend(RecordKind::parse_list_key(value).filter(|k| k.handed_over())),
                "open_only" => form.open_only = !value.is_empty(),
                "confirm" => form.confirm = !value.is_empty(),
                _ => {}
            }
        }
        form
    }

    /// An unparsable id is no user: the service answers "choose a user" on that field.
    fn request(&self) -> TransferRequest {
        let id = |raw: &str| UserId(raw.parse().unwrap_or(0));
        TransferRequest {
            from: id(&self.from),
            to: id(&self.to),
            kinds: self.kinds.clone(),
            open_only: self.open_only,
        }
    }
}

struct KindBox {
    value: &'static str,
    label: String,
    checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/ownership.html")]
struct OwnershipPage {
    layout: Layout,
    tab: Tab,
    tabs: Vec<Tab>,
    from_options: Vec<SelectOption>,
    to_options: Vec<SelectOption>,
    kinds: Vec<KindBox>,
    form_from: String,
    form_to: String,
    open_only: bool,
    /// After the first post: what will move, and the confirmation.
    preview: Option<Vec<(String, u64)>>,
    total: u64,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
}

fn user_options(layout: &Layout, people: &[User], current: &str, active_only: bool) -> Vec<SelectOption> {
    let mut users: Vec<&User> = people.iter().filter(|u| !active_only || u.is_active).collect();
    users.sort_by(|a, b| a.name.cmp(&b.name));
    std::iter::once(SelectOption::new("", layout.t("ownership-choose-user"), current.is_empty()))
        .chain(users.into_iter().map(|u| {
            let id = u.id.to_string();
            let label = if u.is_active {
                u.name.clone()
            } else {
                format!("{} ({})", u.name, layout.t("admin-inactive"))
            };
            let selected = current == id;
            SelectOption::new(id, label, selected)
        }))
        .collect()
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    form: &TransferForm,
    preview: Option<&Counts>,
    errors: ValidationErrors,
) -> Result<OwnershipPage, PageError> {
    let access = &user.session.access;
    let people = ownership::people(&state.db, access).await?;
    let layout = user.page(user.t("admin-ownership"), Some(Nav::Admin));
    let kinds = RecordKind::handed_over_kinds()
        .map(|kind| KindBox {
            value: kind.list_key(),
            label: layout.kind_name(kind),
            checked: form.kinds.contains(&kind),
        })
        .collect();
    let preview: Option<Vec<(String, u64)>> =
        preview.map(|counts| counts.iter().map(|(kind, n)| (layout.kind_name(*kind), *n)).collect());
    let total = preview.as_ref().map(|p| p.iter().map(|(_, n)| n).sum()).unwrap_or(0);
    let error_items = layout.error_items(&errors);
    Ok(OwnershipPage {
        from_options: user_options(&layout, &people, &form.from, false),
        to_options: user_options(&layout, &people, &form.to, true),
        kinds,
        form_from: form.from.clone(),
        form_to: form.to.clone(),
        open_only: form.open_only,
        preview,
        total,
        errors,
        error_items,
        tab: Tab::Ownership,
        tabs: Tab::visible(access),
        layout,
    })
}

async fn form(State(state): State<AppState>, user: SignedIn) -> Result<OwnershipPage, PageError> {
    let form = TransferForm { kinds: RecordKind::handed_over_kinds().collect(), ..TransferForm::default() };
    page(&state, &user, &form, None, ValidationErrors::default()).await
}

/// Without `confirm`: the counts and a confirmation; with it: the transfer itself.
async fn submit(
    State(state): State<AppState>,
    user: SignedIn,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = TransferForm::parse(&fields);
    let access = &user.session.access;
    let request = form.request();
    let result = if form.confirm {
        ownership::transfer(&state.db, access, &request).await
    } else {
        ownership::preview(&state.db, access, &request).await
    };
    match result {
        Ok(counts) if form.confirm => {
            let mut page = page(&state, &user, &form, None, ValidationErrors::default()).await?;
            let moved: u64 = counts.iter().map(|(_, n)| n).sum();
            let message = page.layout.count("ownership-moved", moved);
            page.layout.flashes.push(Flash { kind: FlashKind::Success, message });
            Ok(page.into_response())
        }
        Ok(counts) => {
            Ok(page(&state, &user, &form, Some(&counts), ValidationErrors::default()).await?.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let page = page(&state, &user, &form, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
