//! `/api/v1/users`: colleagues, read only, for the ids of owners, assignees and responsibles.
//! Visible to whoever may see the owner pickers of the UI.

use axum::Json;
use axum::extract::State;
use orbita_app::api_tokens::directory::{self, Person};
use orbita_domain::UserId;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;
use crate::auth::Caller;
use crate::extract::Id;
use crate::problem::ApiError;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(get))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// The role's key: `administrator`, `head_of_sales`, `manager`, `read_only` or a custom one.
    pub role: String,
    /// A deactivated user cannot sign in and owns no new records.
    pub active: bool,
}

impl From<Person> for User {
    fn from(p: Person) -> Self {
        Self { id: p.id.0, name: p.name, email: p.email, role: p.role, active: p.active }
    }
}

/// All users, by name; never paged (an organisation has hundreds at most).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<User>,
    /// Always `null`: one page holds them all.
    pub next_cursor: Option<String>,
}

/// List users.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, description = "Every user", body = UserList)))]
async fn list(State(state): State<ApiState>, caller: Caller) -> Result<Json<UserList>, ApiError> {
    let people = directory::people(&state.db, &caller.access).await?;
    Ok(Json(UserList { items: people.into_iter().map(User::from).collect(), next_cursor: None }))
}

/// Read one user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, description = "The user", body = User)))]
async fn get(State(state): State<ApiState>, caller: Caller, Id(id): Id) -> Result<Json<User>, ApiError> {
    Ok(Json(directory::person(&state.db, &caller.access, UserId(id)).await?.into()))
}
