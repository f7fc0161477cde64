//! Roles: the matrix of areas × actions, each cell a scope (none, own, group, all).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use orbita_app::{AppError, admin};
use orbita_domain::access::{Action, Area, Permissions, Scope, offered_scopes};
use orbita_domain::org::Locale;
use orbita_domain::{RoleId, ValidationErrors};
use serde::Deserialize;

use super::Tab;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::ui::{Flash, FlashKind, Layout, Nav, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/roles", get(list).post(create)).route("/admin/roles/{id}", post(save))
}

/// One role's matrix, ready to render: a row per area, a select per action.
struct RoleMatrix {
    id: RoleId,
    name: String,
    builtin: bool,
    rows: Vec<(String, Vec<Cell>)>,
}

struct Cell {
    /// The form field: `area.action`.
    field: String,
    label: String,
    options: Vec<SelectOption>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/roles.html")]
struct RolesPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    actions: Vec<String>,
    roles: Vec<RoleMatrix>,
    new_name: String,
    errors: ValidationErrors,
}

fn matrix(layout: &Layout, id: RoleId, name: String, builtin: bool, permissions: &Permissions) -> RoleMatrix {
    let rows = Area::ALL
        .iter()
        .map(|area| {
            let cells = Action::ALL
                .iter()
                .map(|action| {
                    let current = permissions.scope(*area, *action);
                    let options = std::iter::once(SelectOption::new("", "—", current.is_none()))
                        .chain(offered_scopes(*area, *action).iter().map(|scope| {
                            SelectOption::new(
                                scope.as_str(),
                                layout.t(&format!("scope-{scope}")),
                                current == Some(*scope),
                            )
                        }))
                        .collect();
                    Cell {
                        field: format!("{area}.{action}"),
                        label: format!(
                            "{} — {}",
                            layout.t(&format!("area-{area}")),
                            layout.t(&format!("right-{action}"))
                        ),
                        options,
                    }
                })
                .collect();
            (layout.t(&format!("area-{area}")), cells)
        })
        .collect();
    RoleMatrix { id, name, builtin, rows }
}

async fn roles_page(
    state: &AppState,
    user: &SignedIn,
    new_name: String,
    errors: ValidationErrors,
) -> Result<RolesPage, PageError> {
    let layout = user.page(user.t("admin-roles"), Some(Nav::Admin));
    let roles = admin::roles(&state.db, &user.session.access)
        .await?
        .into_iter()
        .map(|(role, permissions)| {
            let name = if layout.locale == Locale::En { role.name_en.clone() } else { role.name_ru.clone() };
            matrix(&layout, role.id, name, role.is_builtin, &permissions)
        })
        .collect();
    let actions = Action::ALL.iter().map(|a| layout.t(&format!("right-{a}"))).collect();
    Ok(RolesPage { layout, tab: Tab::Roles, tabs: Tab::ALL, actions, roles, new_name, errors })
}

async fn list(State(state): State<AppState>, user: SignedIn) -> Result<RolesPage, PageError> {
    roles_page(&state, &user, String::new(), ValidationErrors::default()).await
}

#[derive(Deserialize)]
struct NewRoleForm {
    #[serde(default)]
    name: String,
}

async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<NewRoleForm>,
) -> Result<Response, PageError> {
    match admin::create_role(&state.db, &user.session.access, &form.name).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/roles#role-{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = roles_page(&state, &user, form.name, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The matrix form: `area.action=scope` for every cell; an empty value removes the grant.
async fn save(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    Form(cells): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut permissions = Permissions::default();
    for (field, value) in &cells {
        let Some((area, action)) = field.split_once('.') else { continue };
        if let (Some(area), Some(action)) = (Area::parse(area), Action::parse(action)) {
            permissions.grant(area, action, Scope::parse(value));
        }
    }
    match admin::set_role_permissions(&state.db, &user.session.access, RoleId(id), &permissions).await {
        Ok(()) => {
            let mut page = roles_page(&state, &user, String::new(), ValidationErrors::default()).await?;
            page.layout
                .flashes
                .push(Flash { kind: FlashKind::Success, message: page.layout.t("admin-saved") });
            Ok(page.into_response())
        }
        // A refused matrix (a right the user does not hold, the administrator role) is said
        // on the page, above the matrices, not as a bare error page.
        Err(AppError::Invalid(errors)) => {
            let mut page = roles_page(&state, &user, String::new(), ValidationErrors::default()).await?;
            for error in &errors.0 {
                let message = page.layout.t(&format!("error-{}", error.code));
                page.layout.flashes.push(Flash { kind: FlashKind::Error, message });
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
