//! What every record resource of the API does alike, written once: read one, show one (with
//! its custom values as the active fields type them, its version as the ETag), apply a merge
//! patch with its retries, and delete one under `If-Match`. A resource describes how the API
//! shows its records (`Served`); its module keeps its own DTOs, checks and lists.

use axum::http::StatusCode;
use axum::response::Response;
use orbita_app::records::{self, Kept};
use orbita_app::{Access, Db, custom_fields};
use orbita_domain::custom::CustomField;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::extract::IfMatch;
use crate::patch::{self, retrying};
use crate::problem::ApiError;
use crate::respond::{created, with_etag};

/// A kind of record as the API serves it.
pub trait Served: Kept {
    /// Where its records live: `/api/v1/contacts`.
    const PATH: &'static str;
    type Json: Serialize;

    /// The record as the API shows it, its custom values as `fields` type them.
    fn json(self, fields: &[CustomField]) -> Self::Json;
}

/// `served!(ContactRecord => Contact, "/api/v1/contacts")`: the kind's records are shown as
/// `Contact` (built `From` the record, its custom values then typed by the active fields).
macro_rules! served {
    ($record:ty => $json:ident, $path:literal) => {
        impl $crate::resource::Served for $record {
            const PATH: &'static str = $path;
            type Json = $json;

            fn json(self, fields: &[orbita_domain::custom::CustomField]) -> $json {
                let custom = $crate::custom::values(fields, &self.custom);
                $json { custom, ..$json::from(self) }
            }
        }
    };
}
pub(crate) use served;

/// 200 with the record and its version as the ETag.
pub async fn shown<R: Served>(db: &Db, record: R) -> Result<Response, ApiError> {
    let fields = custom_fields::active(db, R::KIND).await?;
    Ok(with_etag(StatusCode::OK, record.version(), record.json(&fields)))
}

/// 201 with the new record, its `Location` and `ETag`.
pub async fn made<R: Served>(db: &Db, record: R) -> Result<Response, ApiError> {
    let fields = custom_fields::active(db, R::KIND).await?;
    let location = format!("{}/{}", R::PATH, record.id());
    Ok(created(location, record.version(), record.json(&fields)))
}

/// `GET …/{id}`: a record the caller may see.
pub async fn read<R: Served>(db: &Db, access: &Access, id: i64) -> Result<Response, ApiError> {
    shown(db, records::get::<R>(db, access, id).await?).await
}

/// `PATCH …/{id}`: `merge` turns the current record and the patch into the saved one; it is
/// rerun when someone saved the record in between and the client sent no `If-Match`.
pub async fn patched<R: Served, F: Future<Output = Result<R, ApiError>>>(
    db: &Db,
    access: &Access,
    id: i64,
    if_match: &IfMatch,
    merge: impl Fn(R) -> F,
) -> Result<Response, ApiError> {
    let record = retrying(if_match, || async {
        let current = records::get::<R>(db, access, id).await?;
        if_match.check(current.version())?;
        merge(current).await
    })
    .await?;
    shown(db, record).await
}

/// `DELETE …/{id}`, of the version in `If-Match` when one is given.
pub async fn delete<R: Served>(
    db: &Db,
    access: &Access,
    id: i64,
    if_match: &IfMatch,
) -> Result<StatusCode, ApiError> {
    if !if_match.is_any() {
        if_match.check(records::get::<R>(db, access, id).await?.version())?;
    }
    records::delete::<R>(db, access, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The custom values a merge patch sends, as sent, not merged: in a merge patch `null` clears
/// a value, which merging drops.
pub fn custom_sent(changes: &Value) -> Option<Map<String, Value>> {
    changes.get("custom").and_then(Value::as_object).cloned()
}

/// A kind the API creates and changes: its write body, and the one service call a create or
/// a merge patch makes (one write, one transaction: a refused owner change saves no field).
pub trait Written: Served + Sized {
    /// The POST body; a PATCH is merged into it as the record reads now.
    type Write: Serialize + DeserializeOwned + for<'a> From<&'a Self> + Send + Sync;

    /// Checks what the body names (the owner, linked records) and creates the record.
    async fn create(db: &Db, access: &Access, body: &Self::Write) -> Result<Self, ApiError>;

    /// Checks and saves what changed from `before` (the record as it reads) to `after` (the
    /// patch merged in), with the custom values the patch sent (`null` clears one).
    async fn change(
        db: &Db,
        access: &Access,
        current: Self,
        before: &Self::Write,
        after: &Self::Write,
        custom: Option<Map<String, Value>>,
    ) -> Result<Self, ApiError>;
}

/// `POST …`: 201 with the new record.
pub async fn create<R: Written>(db: &Db, access: &Access, body: &R::Write) -> Result<Response, ApiError> {
    made(db, R::create(db, access, body).await?).await
}

/// `PATCH …/{id}`: the patch merged into the record as it reads, saved by one service call.
pub async fn update<R: Written>(
    db: &Db,
    access: &Access,
    id: i64,
    if_match: &IfMatch,
    changes: &Value,
) -> Result<Response, ApiError> {
    patched(db, access, id, if_match, |current: R| async move {
        let before = R::Write::from(&current);
        let after = patch::apply(&before, changes)?;
        R::change(db, access, current, &before, &after, custom_sent(changes)).await
    })
    .await
}

/// The handlers every record resource has alike, each documented for OpenAPI in the kind's
/// words: `list` (a page, `listing::page`), `get` (`read`), `delete` (under `If-Match`),
/// `create` and `update` (a merge patch; both through the kind's [`Written`]).
macro_rules! record_handlers {
    (
        $record:ty, tag = $tag:tt, path = $path:tt, one = $one:tt, id = $id:tt,
        query = $query:ty, page = $page:ident, json = $json:ty,
        list = ($list_doc:tt, $page_doc:tt), get = ($get_doc:tt, $got_doc:tt), delete = $delete_doc:tt,
        create = ($create_doc:tt, $write:ty, $created_doc:tt, $location_doc:tt),
        update = ($update_doc:tt, $patch:ty, $changed_doc:tt) $(,)?
    ) => {
        #[doc = $create_doc]
        #[utoipa::path(post, path = $path, tag = $tag,
            params(("Idempotency-Key" = Option<String>, Header,
                description = "Makes a retry safe: the same key and body return the first response",
                min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
            request_body = $write,
            responses((status = 201, description = $created_doc, body = $json,
                headers(("Location" = String, description = $location_doc), ("ETag" = String, description = "Its version")))))]
        async fn create(
            axum::extract::State(state): axum::extract::State<crate::ApiState>,
            caller: crate::auth::Caller,
            crate::extract::Body(body): crate::extract::Body<$write>,
        ) -> Result<axum::response::Response, crate::problem::ApiError> {
            crate::resource::create::<$record>(&state.db, &caller.access, &body).await
        }

        #[doc = $update_doc]
        #[utoipa::path(patch, path = $one, tag = $tag,
            params(("id" = i64, Path, description = $id),
                ("If-Match" = Option<String>, Header, description = "The ETag the change is based on; without it, last write wins")),
            request_body = $patch,
            responses((status = 200, description = $changed_doc, body = $json,
                headers(("ETag" = String, description = "The new version")))))]
        async fn update(
            axum::extract::State(state): axum::extract::State<crate::ApiState>,
            caller: crate::auth::Caller,
            crate::extract::Id(id): crate::extract::Id,
            if_match: crate::extract::IfMatch,
            crate::extract::Body(changes): crate::extract::Body<serde_json::Value>,
        ) -> Result<axum::response::Response, crate::problem::ApiError> {
            crate::resource::update::<$record>(&state.db, &caller.access, id, &if_match, &changes).await
        }

        #[doc = $list_doc]
        #[utoipa::path(get, path = $path, tag = $tag, params($query, crate::paging::PageQuery),
                    responses((status = 200, description = $page_doc, body = $page)))]
        async fn list(
            axum::extract::State(state): axum::extract::State<crate::ApiState>,
            caller: crate::auth::Caller,
            crate::extract::Params(query): crate::extract::Params<$query>,
            crate::extract::Params(page): crate::extract::Params<crate::paging::PageQuery>,
        ) -> Result<axum::Json<$page>, crate::problem::ApiError> {
            let page = crate::listing::page::<$record>(&state.db, &caller.access, query, &page).await?;
            Ok(axum::Json(page.into()))
        }

        #[doc = $get_doc]
        #[utoipa::path(get, path = $one, tag = $tag,
                    params(("id" = i64, Path, description = $id)),
                    responses((status = 200, description = $got_doc, body = $json,
                        headers(("ETag" = String, description = "The version, for If-Match")))))]
        async fn get(
            axum::extract::State(state): axum::extract::State<crate::ApiState>,
            caller: crate::auth::Caller,
            crate::extract::Id(id): crate::extract::Id,
        ) -> Result<axum::response::Response, crate::problem::ApiError> {
            crate::resource::read::<$record>(&state.db, &caller.access, id).await
        }

        #[doc = $delete_doc]
        #[utoipa::path(delete, path = $one, tag = $tag,
                    params(("id" = i64, Path, description = $id),
                        ("If-Match" = Option<String>, Header, description = "Delete only this version")),
                    responses((status = 204, description = "Deleted")))]
        async fn delete(
            axum::extract::State(state): axum::extract::State<crate::ApiState>,
            caller: crate::auth::Caller,
            crate::extract::Id(id): crate::extract::Id,
            if_match: crate::extract::IfMatch,
        ) -> Result<axum::http::StatusCode, crate::problem::ApiError> {
            crate::resource::delete::<$record>(&state.db, &caller.access, id, &if_match).await
        }
    };
}
pub(crate) use record_handlers;
