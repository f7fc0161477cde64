//! Users and groups: list, add, edit (role, groups, language, deactivate), reset a password.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use orbita_app::admin::{self, UserEdit};
use orbita_app::{Access, AppError, auth};
use orbita_domain::access::Permissions;
use orbita_domain::org::Locale;
use orbita_domain::user::{Group, Role, User};
use orbita_domain::{GroupId, RoleId, UserId, ValidationErrors};
use serde::Deserialize;

use super::Tab;
use crate::AppState;
use crate::error::PageError;
use crate::pages::SignedIn;
use crate::ui::{ErrorItem, Flash, FlashKind, Layout, Nav, SelectOption};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/{id}", get(edit_form).post(update))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/groups", get(groups).post(create_group))
}

/// A user row with their role's and groups' names resolved.
struct UserRow {
    user: User,
    role: String,
    groups: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    rows: Vec<UserRow>,
    roles: Vec<SelectOption>,
    groups: Vec<(Group, bool)>,
    form: NewUserForm,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
}

#[derive(Default, Clone)]
struct NewUserForm {
    email: String,
    name: String,
    role_id: String,
    password: String,
    /// Group ids, as `group=1&group=2`.
    groups: Vec<String>,
}

impl NewUserForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            match name.as_str() {
                "email" => form.email = value,
                "name" => form.name = value,
                "role_id" => form.role_id = value,
                "password" => form.password = value,
                "group" => form.groups.push(value),
                _ => {}
            }
        }
        form
    }
}

/// The ticked group boxes as ids; a value that is not a number is no group.
fn group_ids(raw: &[String]) -> Vec<GroupId> {
    raw.iter().filter_map(|g| g.trim().parse().ok().map(GroupId)).collect()
}

pub(super) fn role_name(layout: &Layout, role: &Role) -> String {
    if layout.locale == Locale::En { role.name_en.clone() } else { role.name_ru.clone() }
}

/// The roles the user may hand out (every grant of theirs held by the user), and the one
/// already chosen, which stays shown even when it is above them.
fn role_options(
    layout: &Layout,
    access: &Access,
    roles: &[(Role, Permissions)],
    chosen: &str,
) -> Vec<SelectOption> {
    roles
        .iter()
        .filter(|(r, grants)| grants.within(&access.permissions) || r.id.to_string() == chosen)
        .map(|(r, _)| SelectOption::new(r.id.to_string(), role_name(layout, r), r.id.to_string() == chosen))
        .collect()
}

async fn users_page(
    state: &AppState,
    user: &SignedIn,
    form: NewUserForm,
    errors: ValidationErrors,
) -> Result<UsersPage, PageError> {
    let access = &user.session.access;
    let layout = user.page(user.t("admin-users"), Some(Nav::Admin));
    let roles = admin::roles(&state.db, access).await?;
    let groups = admin::groups(&state.db, access).await?;
    let rows = admin::users(&state.db, access)
        .await?
        .into_iter()
        .map(|u| {
            let role = roles
                .iter()
                .find(|(r, _)| r.id == u.role_id)
                .map(|(r, _)| role_name(&layout, r))
                .unwrap_or_default();
            let groups = groups
                .iter()
                .filter(|(_, members)| members.contains(&u.id))
                .map(|(g, _)| g.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            UserRow { user: u, role, groups }
        })
        .collect();
    let role_options = role_options(&layout, access, &roles, &form.role_id);
    let group_options = groups
        .into_iter()
        .map(|(g, _)| {
            let checked = form.groups.contains(&g.id.to_string());
            (g, checked)
        })
        .collect();
    let error_items = layout.error_items(&errors);
    Ok(UsersPage {
        layout,
        tab: Tab::Users,
        tabs: Tab::ALL,
        rows,
        roles: role_options,
        groups: group_options,
        form,
        errors,
        error_items,
    })
}

async fn list(State(state): State<AppState>, user: SignedIn) -> Result<UsersPage, PageError> {
    users_page(&state, &user, NewUserForm::default(), ValidationErrors::default()).await
}

async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = NewUserForm::from_pairs(pairs);
    let role = form.role_id.parse().map(RoleId).unwrap_or(RoleId(0));
    match admin::create_user(
        &state.db,
        &user.session.access,
        &form.email,
        &form.name,
        role,
        &form.password,
        &group_ids(&form.groups),
    )
    .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let form = NewUserForm { password: String::new(), ..form };
            let page = users_page(&state, &user, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_edit.html")]
struct UserEditPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    user: User,
    form: EditForm,
    roles: Vec<SelectOption>,
    locales: Vec<SelectOption>,
    groups: Vec<(Group, bool)>,
    errors: ValidationErrors,
    error_items: Vec<ErrorItem>,
}

/// The edit form. Read from name/value pairs, not a derived `Deserialize`: the group boxes
/// repeat the name `group`, which `serde_urlencoded` refuses for a `Vec` field.
#[derive(Default, Clone)]
struct EditForm {
    email: String,
    name: String,
    role_id: String,
    locale: String,
    /// Present (any value) when the "active" box is ticked.
    active: Option<String>,
    /// Group ids, as `group=1&group=2`.
    groups: Vec<String>,
}

impl EditForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            match name.as_str() {
                "email" => form.email = value,
                "name" => form.name = value,
                "role_id" => form.role_id = value,
                "locale" => form.locale = value,
                "active" => form.active = Some(value),
                "group" => form.groups.push(value),
                _ => {}
            }
        }
        form
    }
}

async fn edit_page(
    state: &AppState,
    user: &SignedIn,
    id: UserId,
    form: Option<EditForm>,
    errors: ValidationErrors,
) -> Result<UserEditPage, PageError> {
    let access = &user.session.access;
    let (target, member_of) = admin::user(&state.db, access, id).await?;
    let form = form.unwrap_or_else(|| EditForm {
        email: target.email.as_str().to_owned(),
        name: target.name.clone(),
        role_id: target.role_id.to_string(),
        locale: target.locale.map(|l| l.as_str().to_owned()).unwrap_or_default(),
        active: target.is_active.then(|| "on".to_owned()),
        groups: member_of.iter().map(|g| g.to_string()).collect(),
    });
    let layout = user.page(target.name.clone(), Some(Nav::Admin));
    let roles = role_options(&layout, access, &admin::roles(&state.db, access).await?, &form.role_id);
    let locales =
        [("", layout.t("admin-locale-browser")), ("ru", layout.t("lang-ru")), ("en", layout.t("lang-en"))]
            .into_iter()
            .map(|(value, label)| SelectOption::new(value, label, form.locale == value))
            .collect();
    let groups = admin::groups(&state.db, access)
        .await?
        .into_iter()
        .map(|(g, _)| {
            let checked = form.groups.contains(&g.id.to_string());
            (g, checked)
        })
        .collect();
    let error_items = layout.error_items(&errors);
    Ok(UserEditPage {
        layout,
        tab: Tab::Users,
        tabs: Tab::ALL,
        user: target,
        form,
        roles,
        locales,
        groups,
        errors,
        error_items,
    })
}

async fn edit_form(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
) -> Result<UserEditPage, PageError> {
    edit_page(&state, &user, UserId(id), None, ValidationErrors::default()).await
}

async fn update(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = EditForm::from_pairs(pairs);
    let groups = group_ids(&form.groups);
    let edit = UserEdit {
        email: &form.email,
        name: &form.name,
        role_id: form.role_id.parse().map(RoleId).unwrap_or(RoleId(0)),
        is_active: form.active.is_some(),
        locale: Locale::parse(&form.locale),
        groups: &groups,
    };
    match admin::update_user(&state.db, &user.session.access, UserId(id), &edit).await {
        Ok(_) => {
            let mut page = edit_page(&state, &user, UserId(id), None, ValidationErrors::default()).await?;
            page.layout
                .flashes
                .push(Flash { kind: FlashKind::Success, message: page.layout.t("admin-saved") });
            Ok(page.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let page = edit_page(&state, &user, UserId(id), Some(form), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> Result<Response, PageError> {
    match auth::reset_password(&state.db, &user.session.access, UserId(id), &form.password).await {
        Ok(()) => {
            let mut page = edit_page(&state, &user, UserId(id), None, ValidationErrors::default()).await?;
            page.layout.flashes.push(Flash {
                kind: FlashKind::Success,
                message: page.layout.t("admin-password-reset-done"),
            });
            Ok(page.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let errors =
                ValidationErrors(errors.0.into_iter().map(|e| e.for_field("new_password")).collect());
            let page = edit_page(&state, &user, UserId(id), None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/groups.html")]
struct GroupsPage {
    layout: Layout,
    tab: Tab,
    tabs: [Tab; 12],
    groups: Vec<(Group, String)>,
    group_name: String,
    errors: ValidationErrors,
}

async fn groups_page(
    state: &AppState,
    user: &SignedIn,
    name: String,
    errors: ValidationErrors,
) -> Result<GroupsPage, PageError> {
    let access = &user.session.access;
    let users = admin::users(&state.db, access).await?;
    let groups = admin::groups(&state.db, access)
        .await?
        .into_iter()
        .map(|(g, members)| {
            let names =
                users.iter().filter(|u| members.contains(&u.id)).map(|u| u.name.as_str()).collect::<Vec<_>>();
            (g, names.join(", "))
        })
        .collect();
    let layout = user.page(user.t("admin-groups"), Some(Nav::Admin));
    Ok(GroupsPage { layout, tab: Tab::Groups, tabs: Tab::ALL, groups, group_name: name, errors })
}

async fn groups(State(state): State<AppState>, user: SignedIn) -> Result<GroupsPage, PageError> {
    groups_page(&state, &user, String::new(), ValidationErrors::default()).await
}

#[derive(Deserialize)]
struct GroupForm {
    #[serde(default)]
    name: String,
}

async fn create_group(
    State(state): State<AppState>,
    user: SignedIn,
    Form(form): Form<GroupForm>,
) -> Result<Response, PageError> {
    match admin::create_group(&state.db, &user.session.access, &form.name).await {
        Ok(_) => Ok(Redirect::to("/admin/groups").into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = groups_page(&state, &user, form.name, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
