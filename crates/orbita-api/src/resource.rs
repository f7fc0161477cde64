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
use serde_json::Value;

use crate::extract::IfMatch;
use crate::patch::retrying;
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
pub fn custom_sent(changes: &Value) -> Option<serde_json::Map<String, Value>> {
    changes.get("custom").and_then(Value::as_object).cloned()
}

/// The handlers every record resource has alike, each documented for OpenAPI in the kind's
/// words: `list` (a page, `listing::page`), `get` (`read`) and `delete` (under `If-Match`).
macro_rules! record_handlers {
    (
        $record:ty, tag = $tag:tt, path = $path:tt, one = $one:tt, id = $id:tt,
        query = $query:ty, page = $page:ident, json = $json:ty,
        list = ($list_doc:tt, $page_doc:tt), get = ($get_doc:tt, $got_doc:tt), delete = $delete_doc:tt $(,)?
    ) => {
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
