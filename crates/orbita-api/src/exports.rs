//! File downloads: `GET /api/v1/companies.xlsx`, `/contacts.csv`, … and
//! `/reports/summary.xlsx`. Each takes the query parameters of its JSON list (search, filters,
//! sort; not `limit` or `cursor`: a file holds every row), and the application's export service
//! does the rest as for the web pages' downloads: the caller's rights (the area's Export right,
//! and only the rows the caller may see), the rows in the list's order, and an audit event
//! once the file is complete.
//!
//! As the web's downloads, the file is written to an anonymous temporary file (memory holds one
//! page of rows, whatever the row count), then streamed as the response with its length.
//!
//! The file is the one the web gives the same user for the same list: headers and enumeration
//! values in the caller's language (the token user's own choice, else the organisation's
//! default language), numbers, dates and the CSV delimiter as that language writes them (`;`
//! and a `,` decimal mark in Russian, `,` and `.` in English; UTF-8 with a byte-order mark),
//! linked records the caller may not see by number only ("Компания № 5"), times the
//! organisation's wall-clock time. Text that a spreadsheet would run as a formula (`=1+2`) is
//! written with a leading `'`. A program wanting stable field names reads the JSON list.

use std::fs::File;
use std::io::{Seek, SeekFrom};

use axum::body::Body;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use orbita_app::exports::columns::{self, ListColumn};
use orbita_app::exports::{self, ExportFailure, ExportSpec, Exported, Format, ListFile};
use orbita_app::{Access, Db, setup};
use orbita_domain::org::Locale;
use orbita_export::ExportError;
use tokio_util::io::ReaderStream;
use utoipa::ToSchema;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};

use crate::auth::Caller;
use crate::calendar;
use crate::problem::ApiError;

/// A downloaded file's bytes.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[expect(dead_code, reason = "describes a binary response body in the OpenAPI document")]
pub struct FileBody(Vec<u8>);

/// The language the caller reads: their own choice, else the organisation's, as the web
/// frames their pages (where a browser's `Accept-Language` stands in for the organisation's
/// language; an API client sends none worth trusting).
async fn language(db: &Db, access: &Access) -> Result<Locale, ApiError> {
    match access.user.locale {
        Some(locale) => Ok(locale),
        None => Ok(setup::settings(db).await?.locale),
    }
}

fn label_ru(key: &str) -> String {
    orbita_i18n::t(Locale::Ru, key)
}

fn label_en(key: &str) -> String {
    orbita_i18n::t(Locale::En, key)
}

fn log_progress(rows: u64) {
    tracing::debug!(rows, "API export in progress");
}

/// A linked record the caller may not see, by number only, as the pages show it
/// ("Компания № 5", "Company #5"), never by name.
fn number(locale: Locale, key: &str, id: &str) -> String {
    orbita_i18n::t_args(locale, key, &[("id", id.to_owned().into())])
}

/// How the caller's file is written: in their language, as the web writes their downloads.
pub async fn spec(db: &Db, caller: &Caller, format: Format) -> Result<ExportSpec<'static>, ApiError> {
    let locale = language(db, &caller.access).await?;
    let label: &'static (dyn Fn(&str) -> String + Sync) = match locale {
        Locale::Ru => &label_ru,
        Locale::En => &label_en,
    };
    Ok(ExportSpec { format, locale, label, number, progress: &log_progress, tempdir: None })
}

/// Where the file is written: the system deletes it as soon as it is closed.
pub fn spool() -> Result<File, ApiError> {
    tempfile::tempfile().map_err(|error| {
        tracing::error!(%error, "no temporary file for an API export");
        ApiError::internal()
    })
}

/// A list's file for the caller: written in their language as the list shows it, then
/// streamed as the response named after the list and the day.
pub async fn download<L: ListFile>(
    db: &Db,
    caller: &Caller,
    list: &L,
    format: Format,
) -> Result<Response, ApiError> {
    let spec = spec(db, caller, format).await?;
    let result = exports::write(db, &caller.access, list, &spec, spool()?).await;
    deliver(db, result, format, L::ENTITY).await
}

/// The finished file as the response, named `{name}-{today}.{extension}`.
pub async fn deliver(
    db: &Db,
    result: Result<Exported<File>, ExportFailure>,
    format: Format,
    name: &str,
) -> Result<Response, ApiError> {
    let mut file = match result {
        Ok(exported) => exported.out,
        Err(ExportFailure::App(error)) => return Err(error.into()),
        Err(ExportFailure::File(ExportError::TooManyRows { max })) => {
            return Err(ApiError::field(
                "format",
                "too-many-rows",
                format!("An XLSX sheet holds at most {max} rows: download CSV or narrow the filter"),
            ));
        }
        Err(error) => {
            tracing::error!(%error, "API export failed");
            return Err(ApiError::internal());
        }
    };
    file.seek(SeekFrom::Start(0)).map_err(|error| {
        tracing::error!(%error, "API export file unreadable");
        ApiError::internal()
    })?;
    let length = file.metadata().map(|m| m.len()).ok();
    // Only the file's name needs the day: the file is complete and audited by now, so a failed
    // settings read names it by the UTC day rather than losing it.
    let today = calendar::today(db).await.unwrap_or_else(|error| {
        tracing::warn!(status = %error.status(), "no organisation day for an export's name");
        orbita_domain::now().date_naive()
    });
    let body = Body::from_stream(ReaderStream::new(tokio::fs::File::from_std(file)));
    let filename = format!("{name}-{}.{}", today.format("%Y-%m-%d"), format.extension());
    let disposition = format!("attachment; filename=\"{filename}\"");
    let mut response =
        ([(CONTENT_TYPE, format.content_type().to_owned()), (CONTENT_DISPOSITION, disposition)], body)
            .into_response();
    if let Some(length) = length {
        response.headers_mut().insert(CONTENT_LENGTH, length.into());
    }
    Ok(response)
}

/// Declares the two download operations of one list, `$xlsx` and `$csv`, each a `GET` with
/// the list's query parameters that calls `$run(state, caller, query, format)`; with
/// `columns = $columns`, also the parameters choosing the file's columns:
/// `$run(state, caller, query, columns, format)`.
macro_rules! downloads {
    (
        $run:ident, tag = $tag:tt, params = $params:ty, columns = $columns:ty,
        $xlsx:ident = $xlsx_path:tt, $xlsx_summary:tt,
        $csv:ident = $csv_path:tt, $csv_summary:tt $(,)?
    ) => {
        crate::exports::downloads!(@file $run, $tag, [$params, $columns], $xlsx = $xlsx_path, $xlsx_summary, Xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "An XLSX workbook of one sheet, in the caller's language (their own, else the organisation's): a header row, then a row per record",
            "attachment; filename=\"….xlsx\"");
        crate::exports::downloads!(@file $run, $tag, [$params, $columns], $csv = $csv_path, $csv_summary, Csv,
            "text/csv",
            "CSV in the caller's language (their own, else the organisation's): UTF-8 with a byte-order mark, CRLF, separated by `;` with a `,` decimal mark in Russian and by `,` with a `.` in English; a header row, then a row per record",
            "attachment; filename=\"….csv\"");
    };
    (
        $run:ident, tag = $tag:tt, params = $params:ty,
        $xlsx:ident = $xlsx_path:tt, $xlsx_summary:tt,
        $csv:ident = $csv_path:tt, $csv_summary:tt $(,)?
    ) => {
        crate::exports::downloads!(@file $run, $tag, [$params], $xlsx = $xlsx_path, $xlsx_summary, Xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "An XLSX workbook of one sheet, in the caller's language (their own, else the organisation's): a header row, then a row per record",
            "attachment; filename=\"….xlsx\"");
        crate::exports::downloads!(@file $run, $tag, [$params], $csv = $csv_path, $csv_summary, Csv,
            "text/csv",
            "CSV in the caller's language (their own, else the organisation's): UTF-8 with a byte-order mark, CRLF, separated by `;` with a `,` decimal mark in Russian and by `,` with a `.` in English; a header row, then a row per record",
            "attachment; filename=\"….csv\"");
    };
    (
        @file $run:ident, $tag:tt, [$params:ty], $name:ident = $path:tt, $summary:tt, $format:ident,
        $content_type:tt, $description:tt, $disposition:tt
    ) => {
        #[utoipa::path(get, path = $path, tag = $tag, summary = $summary, params($params),
            responses((status = 200, description = $description, content_type = $content_type,
                body = crate::exports::FileBody,
                headers(("Content-Disposition" = String, description = $disposition)))))]
        async fn $name(
            state: axum::extract::State<crate::ApiState>,
            caller: crate::auth::Caller,
            query: crate::extract::Params<$params>,
        ) -> Result<axum::response::Response, crate::problem::ApiError> {
            $run(state, caller, query, orbita_app::exports::Format::$format).await
        }
    };
    (
        @file $run:ident, $tag:tt, [$params:ty, $columns:ty], $name:ident = $path:tt, $summary:tt,
        $format:ident, $content_type:tt, $description:tt, $disposition:tt
    ) => {
        #[utoipa::path(get, path = $path, tag = $tag, summary = $summary, params($params, $columns),
            responses((status = 200, description = $description, content_type = $content_type,
                body = crate::exports::FileBody,
                headers(("Content-Disposition" = String, description = $disposition)))))]
        async fn $name(
            state: axum::extract::State<crate::ApiState>,
            caller: crate::auth::Caller,
            query: crate::extract::Params<$params>,
            columns: crate::extract::Params<$columns>,
        ) -> Result<axum::response::Response, crate::problem::ApiError> {
            $run(state, caller, query, columns, orbita_app::exports::Format::$format).await
        }
    };
}
pub(crate) use downloads;

/// The `cols` parameter of a list's file: a comma-separated list of the list's column keys
/// (`form` style, not exploded: `cols=name,inn`). Written out by hand: utoipa drops the style
/// and the description of a parameter whose schema is given by a function.
pub fn columns_parameter<C: ListColumn>() -> Parameter {
    let keys: Vec<&str> = C::ALL.iter().map(|c| c.key()).collect();
    let item = ObjectBuilder::new().schema_type(SchemaType::new(Type::String)).enum_values(Some(keys));
    let description = "The file's columns, comma-separated, as the list page's column choice: written in \
        the list's order whatever the order given, the name (or title) always first; the page's \
        default columns when absent. A key the list does not have is a 422.";
    cols_parameter(item, description)
}

/// `cols`: a comma-separated list (`form` style, not exploded) of `item`s.
fn cols_parameter(item: ObjectBuilder, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name("cols")
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .style(Some(ParameterStyle::Form))
        .explode(Some(false))
        .schema(Some(ArrayBuilder::new().items(item)))
        .build()
}

/// The columns a file holds for its `cols` parameter, as the list page shows them: in the
/// list's order, its name or title first; absent, the page's default set. A key the list does
/// not have is a 422 on `cols`.
pub fn chosen_columns<C: ListColumn>(cols: Option<&str>) -> Result<Vec<C>, ApiError> {
    columns::parse_choice(cols.unwrap_or_default()).map_err(|unknown| {
        let keys: Vec<&str> = C::ALL.iter().map(|c| c.key()).collect();
        ApiError::field(
            "cols",
            "unknown-column",
            format!("There is no column {unknown:?}; the columns are {}", keys.join(", ")),
        )
    })
}

/// The `cols` of a file whose own columns are fixed (tasks, activities): the custom fields to
/// add after them, `cols=custom.call_result,custom.budget`.
#[derive(Debug, serde::Deserialize)]
pub struct CustomColumns {
    cols: Option<String>,
}

impl utoipa::IntoParams for CustomColumns {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let item = ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .pattern(Some(r"^custom\.[a-z][a-z0-9_]{0,39}$"));
        let description = "Custom fields to add as columns after the file's own, comma-separated \
            (`custom.<key>`, see `GET /api/v1/fields/{kind}`). Another key, or a field the kind does \
            not have, is a 422.";
        vec![cols_parameter(item, description)]
    }
}

impl CustomColumns {
    /// The custom fields' keys (without `custom.`), in the order given.
    pub fn keys(&self) -> Result<Vec<String>, ApiError> {
        let items =
            self.cols.as_deref().unwrap_or_default().split(',').map(str::trim).filter(|k| !k.is_empty());
        items
            .map(|item| {
                item.strip_prefix("custom.").map(str::to_owned).ok_or_else(|| {
                    ApiError::field(
                        "cols",
                        "unknown-column",
                        format!("{item:?} is not a custom field; this file takes custom.<key> columns only"),
                    )
                })
            })
            .collect()
    }
}

/// Declares a list's `cols` parameter (the columns of its file) as `$name`, read into the
/// application's `$column`s.
macro_rules! columns_query {
    ($name:ident, $column:ty) => {
        #[derive(Debug, serde::Deserialize)]
        pub struct $name {
            cols: Option<String>,
        }

        impl utoipa::IntoParams for $name {
            fn into_params(
                _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
            ) -> Vec<utoipa::openapi::path::Parameter> {
                vec![crate::exports::columns_parameter::<$column>()]
            }
        }

        impl $name {
            #[allow(
                dead_code,
                reason = "the lists with custom fields in their files read columns_and_custom"
            )]
            fn columns(&self) -> Result<Vec<$column>, crate::problem::ApiError> {
                crate::exports::chosen_columns(self.cols.as_deref())
            }

            /// The built-in columns, and the custom fields chosen as `custom.<key>` (their keys).
            #[allow(dead_code, reason = "only the lists with custom fields in their files call it")]
            fn columns_and_custom(&self) -> Result<(Vec<$column>, Vec<String>), crate::problem::ApiError> {
                let (custom, builtin): (Vec<&str>, Vec<&str>) = self
                    .cols
                    .as_deref()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .partition(|k| k.starts_with("custom."));
                let columns = crate::exports::chosen_columns(Some(&builtin.join(",")))?;
                let custom = custom.iter().map(|k| k.trim_start_matches("custom.").to_owned()).collect();
                Ok((columns, custom))
            }
        }
    };
}
pub(crate) use columns_query;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_records_by_number_in_the_callers_language() {
        assert_eq!(number(Locale::Ru, "deals-company-number", "5"), "Компания № 5");
        assert_eq!(number(Locale::En, "deals-company-number", "5"), "Company #5");
        assert_eq!(label_ru("field-name"), orbita_i18n::t(Locale::Ru, "field-name"));
        assert_ne!(label_ru("field-name"), label_en("field-name"));
    }
}
