//! What every sorted list of the API does alike, written once: a page in the chosen order
//! (`GET /api/v1/companies`: a built-in or custom sort, keyset paging, custom values typed by
//! the active fields) and the same rows as a file (`.xlsx`, `.csv`, the chosen columns). A
//! list says only what is its own (`Listed`): its parameters, sorts and app-layer list.

use std::future::Future;

use axum::response::Response;
use orbita_app::exports::{Format, ListColumn, ListExport, ListFile};
use orbita_app::{Access, AppError, Db, custom_fields};
use orbita_domain::custom::CustomSort;
use orbita_domain::list::{Cursor, Page};

use crate::auth::Caller;
use crate::exports::download;
use crate::paging::{PageQuery, SortOption, paging_custom, sorting_custom};
use crate::problem::ApiError;
use crate::resource::Served;

/// A resource's list as its query parameters describe it.
pub trait Listed: Served {
    /// Its search, filter and sort parameters (the file takes them too).
    type Query: Send;
    type Filter: Send + Sync;
    type Sort: Copy + Send + Sync + 'static;
    /// The built-in sorts (`name`, `-created_at`), and the one when none is asked.
    const SORTS: &'static [SortOption<Self::Sort>];
    const DEFAULT_SORT: &'static str;

    fn custom_sort(by: CustomSort) -> Self::Sort;
    fn sort(query: &Self::Query) -> Option<&str>;
    /// The filter the parameters ask for, checked (a bad one is a field error).
    fn filter(
        query: Self::Query,
        db: &Db,
        access: &Access,
    ) -> impl Future<Output = Result<Self::Filter, ApiError>> + Send;
    /// A page of what the user may see, as the application lists it.
    fn list(
        db: &Db,
        access: &Access,
        filter: &Self::Filter,
        by: Self::Sort,
        descending: bool,
        after: Option<&Cursor>,
        limit: u64,
    ) -> impl Future<Output = Result<Page<Self>, AppError>> + Send;
}

/// One page of the list.
pub async fn page<R: Listed>(
    db: &Db,
    access: &Access,
    query: R::Query,
    page: &PageQuery,
) -> Result<Page<R::Json>, ApiError> {
    let fields = custom_fields::fields(db, access, R::KIND).await?;
    let p = paging_custom(R::SORTS, R::DEFAULT_SORT, R::sort(&query), page, &fields, R::custom_sort)?;
    let filter = R::filter(query, db, access).await?;
    let page = R::list(db, access, &filter, p.by, p.descending, p.after.as_ref(), p.limit).await?;
    Ok(Page { items: page.items.into_iter().map(|r| r.json(&fields)).collect(), next: page.next })
}

/// The order the parameters ask for (a built-in or a custom field's) and whether it descends.
pub async fn order<R: Listed>(
    db: &Db,
    access: &Access,
    query: &R::Query,
) -> Result<(R::Sort, bool), ApiError> {
    let fields = custom_fields::fields(db, access, R::KIND).await?;
    sorting_custom(R::SORTS, R::DEFAULT_SORT, R::sort(query), &fields, R::custom_sort)
}

/// Every row the list would show, in its order, as a file of `columns` (built-in, then
/// custom keys).
pub async fn file<R: Listed, C: ListColumn>(
    db: &Db,
    caller: &Caller,
    query: R::Query,
    (columns, custom): (Vec<C>, Vec<String>),
    format: Format,
) -> Result<Response, ApiError>
where
    ListExport<R::Filter, R::Sort, C>: ListFile,
{
    let (sort, descending) = order::<R>(db, &caller.access, &query).await?;
    let filter = R::filter(query, db, &caller.access).await?;
    download(db, caller, &ListExport { filter, sort, descending, columns, custom }, format).await
}
