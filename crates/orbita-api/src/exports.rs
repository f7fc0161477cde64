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
//! The file is for programs as much as for people, so it speaks the API's language rather than
//! a user's: headers are field names (`name`, `owner`, `won_amount`), enumerations the API's
//! words (`won`, `high`, `call`), CSV separated by commas with a `.` decimal mark (UTF-8 with a
//! byte-order mark), times the organisation's wall-clock time. Text that a spreadsheet would
//! run as a formula (`=1+2`) is written with a leading `'`.

use std::fs::File;
use std::io::{Seek, SeekFrom};

use axum::body::Body;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use orbita_app::Db;
use orbita_app::exports::{ExportFailure, ExportSpec, Exported, Format};
use orbita_domain::org::Locale;
use orbita_export::ExportError;
use tokio_util::io::ReaderStream;
use utoipa::ToSchema;

use crate::calendar;
use crate::problem::ApiError;

/// A downloaded file's bytes.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[expect(dead_code, reason = "describes a binary response body in the OpenAPI document")]
pub struct FileBody(Vec<u8>);

/// Label keys (`field-name`, `deal-status-won`, `nav-companies`) as the API spells them:
/// without their namespace, in snake case (`name`, `won`, `companies`).
const NAMESPACES: &[&str] = &[
    "activity-direction-",
    "activity-status-",
    "activity-kind-",
    "task-priority-",
    "task-status-",
    "deal-status-",
    "audit-action-",
    "field-",
    "report-",
    "audit-",
    "task-",
    "nav-",
];

fn label(key: &str) -> String {
    let word = NAMESPACES.iter().find_map(|ns| key.strip_prefix(ns)).unwrap_or(key);
    word.replace('-', "_")
}

fn log_progress(rows: u64) {
    tracing::debug!(rows, "API export in progress");
}

/// A linked record the caller may not see, by number only ("Company #5"), never by name.
fn number(_: Locale, key: &str, id: &str) -> String {
    let kind = match key {
        "deals-company-number" => "Company",
        "deals-contact-number" => "Contact",
        "deals-deal-number" => "Deal",
        _ => "",
    };
    format!("{kind} #{id}").trim_start().to_owned()
}

/// How an API export is written.
pub fn spec(format: Format) -> ExportSpec<'static> {
    ExportSpec { format, locale: Locale::En, label: &label, number, progress: &log_progress, tempdir: None }
}

/// Where the file is written: the system deletes it as soon as it is closed.
pub fn spool() -> Result<File, ApiError> {
    tempfile::tempfile().map_err(|error| {
        tracing::error!(%error, "no temporary file for an API export");
        ApiError::internal()
    })
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

/// Declares the two download operations of one list, `$xlsx` and `$csv`, each a
/// `GET` with the list's query parameters that calls `$run(state, caller, query, format)`.
macro_rules! downloads {
    (
        $run:ident, tag = $tag:tt, params = $params:ty,
        $xlsx:ident = $xlsx_path:tt, $xlsx_summary:tt,
        $csv:ident = $csv_path:tt, $csv_summary:tt $(,)?
    ) => {
        #[utoipa::path(get, path = $xlsx_path, tag = $tag, summary = $xlsx_summary, params($params),
            responses((status = 200, description = "An XLSX workbook of one sheet: a header row, then a row per record",
                content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                body = crate::exports::FileBody,
                headers(("Content-Disposition" = String, description = "attachment; filename=\"….xlsx\"")))))]
        async fn $xlsx(
            state: axum::extract::State<crate::ApiState>,
            caller: crate::auth::Caller,
            query: crate::extract::Params<$params>,
        ) -> Result<axum::response::Response, crate::problem::ApiError> {
            $run(state, caller, query, orbita_app::exports::Format::Xlsx).await
        }

        #[utoipa::path(get, path = $csv_path, tag = $tag, summary = $csv_summary, params($params),
            responses((status = 200, description = "CSV (UTF-8 with a byte-order mark, comma-separated, CRLF): a header row, then a row per record",
                content_type = "text/csv",
                body = crate::exports::FileBody,
                headers(("Content-Disposition" = String, description = "attachment; filename=\"….csv\"")))))]
        async fn $csv(
            state: axum::extract::State<crate::ApiState>,
            caller: crate::auth::Caller,
            query: crate::extract::Params<$params>,
        ) -> Result<axum::response::Response, crate::problem::ApiError> {
            $run(state, caller, query, orbita_app::exports::Format::Csv).await
        }
    };
}
pub(crate) use downloads;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_the_apis_words() {
        for (key, word) in [
            ("field-name", "name"),
            ("field-expected-close-date", "expected_close_date"),
            ("report-won-amount", "won_amount"),
            ("report-total", "total"),
            ("nav-companies", "companies"),
            ("deal-status-won", "won"),
            ("task-priority-high", "high"),
            ("task-status-done", "done"),
            ("task-overdue", "overdue"),
            ("activity-kind-call", "call"),
            ("activity-direction-incoming", "incoming"),
            ("activity-status-planned", "planned"),
        ] {
            assert_eq!(label(key), word, "{key}");
        }
    }
}
