//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` and the DTOs'
//! `ToSchema`. This module adds what every operation shares: the bearer scheme, and the
//! problem responses each kind of operation can give, so that a client (or schemathesis) can
//! check every answer against the document.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::problem::{FieldProblem, PROBLEM_JSON, Problem};

const DESCRIPTION: &str = "\
The CRM's companies, contacts, deals, tasks and activities, with the rights and the audit log \
of the web UI.

**Authentication.** Every request sends a personal API token: `Authorization: Bearer orb_…`. \
Create one with `orbita token create --email you@example.com` or on the web page API tokens. \
A token acts with its user's rights: a record outside them is 404; an action the role does not \
allow is 403. A read-only token (`--read-only`) may only `GET`, `HEAD` and `OPTIONS`: any other \
method is 403 `urn:orbita:problem:token-read-only`. A token may have an expiry date \
(`--expires YYYY-MM-DD`, from 00:00 UTC of that day); an expired token is 401 \
`urn:orbita:problem:token-expired`.

**Errors** are RFC 9457 problem documents (`application/problem+json`). A 422 lists every \
rejected field in `errors` (`field`, `message`, `code`).

**Representation.** Ids are integers; times RFC 3339 in UTC; dates `YYYY-MM-DD`; money a \
decimal string with a currency (`\"amount\": \"1500.00\", \"currency\": \"RUB\"`). Every record \
has a `version`, also sent as its `ETag`.

**Lists** return `{\"items\": [...], \"next_cursor\": ...}`; pass `next_cursor` as `cursor` for the \
next page (`null`: last page). `sort` takes the keys listed per list, `-key` for descending; \
`limit` is 1–500 (default 50). The companies, contacts, deals, tasks and activities lists (and \
their files) take `group_id` too: the records whose owner (assignee, responsible user) is a \
member of that user group, within what you may see.

**Changes.** `PATCH` takes a JSON merge patch (RFC 7396) over the current values: given \
members replace, `null` clears, absent members stay. Send `If-Match: \"<version>\"` to save \
only over the version you read (412 if someone saved since). Without `If-Match`, the last \
write wins field by field. `DELETE` honours `If-Match` too.

**Retries.** A `POST` with an `Idempotency-Key` header can be retried safely: the same key \
with the same body returns the first response (header `Idempotent-Replayed: true`) and \
creates nothing new; the same key with another body is a 422. Keys are kept for 24 hours.

**Files.** Every list and report also downloads whole as a spreadsheet: \
`GET /api/v1/companies.xlsx` or `.csv` (and contacts, deals, tasks, activities, \
`reports/summary`, `reports/funnel`, `sales-targets`) takes the JSON's search, filters, sort \
or period and holds every row you may see, in the list's order: the same file the web gives \
you, in your language (your own, else the organisation's). The companies', contacts' and \
deals' files take `cols` too, the columns of the list page's column choice \
(`cols=name,inn,region`): written in the list's order, the name or title first; without it, the \
page's default columns. The tasks' and activities' files have fixed columns and take `cols` \
for custom fields only (`cols=custom.call_result`), added after them, as the others take \
`custom.<key>` among theirs. Headers and values are words \
of that language (`Название`, `Выиграна`); CSV is UTF-8 with a byte-order mark, separated by \
`;` with `,` as the decimal mark in Russian, by `,` with `.` in English; times are the \
organisation's local time. For stable field names read the JSON list. Text that a \
spreadsheet would run as a formula (`=1+2`) starts with `'`. A download needs the area's \
export right and is recorded in the audit log.

**Rate limit.** Each token may send a limited number of requests per minute (600 by \
default); beyond it the answer is 429 with `Retry-After` in seconds.";

#[derive(OpenApi)]
#[openapi(
    info(title = "Orbita API", version = "1.0.0"),
    security(("bearer" = [])),
    components(schemas(Problem, FieldProblem)),
    tags(
        (name = "companies", description = "Companies (counterparties)"),
        (name = "contacts", description = "Contact persons"),
        (name = "deals", description = "Deals and their stages"),
        (name = "tasks", description = "Tasks linked to companies, contacts and deals"),
        (name = "activities", description = "Calls, meetings, e-mails and notes"),
        (name = "pipelines", description = "Sales pipelines and their stages"),
        (name = "fields", description = "The fields of each kind of record, and custom fields"),
        (name = "users", description = "Colleagues (read only)"),
        (name = "ownership", description = "Handing records over to another user"),
        (name = "sales-targets", description = "Monthly sales targets per employee"),
        (name = "reports", description = "The summary report and the funnel"),
        (name = "notifications", description = "The caller's own notifications"),
        (name = "webhooks", description = "Outgoing webhooks, signed, with their delivery logs (administrators)"),
        (name = "web-forms", description = "Forms on the company's site: a post to /f/{key} makes a contact and a deal (administrators)"),
        (name = "automation", description = "Automation rules on the pipelines' stages (administrators)"),
        (name = "loss-reasons", description = "The reasons offered when a deal is lost (kept by administrators)"),
        (name = "settings", description = "The organisation's settings and working week"),
    )
)]
pub struct ApiDoc;

/// What every operation shares; applied once the routers have added their paths.
pub fn complete(mut doc: Document) -> Document {
    Conventions.modify(&mut doc);
    doc
}

struct Conventions;

/// (status, component name, description) of every problem response.
const PROBLEMS: &[(&str, &str, &str)] = &[
    ("400", "BadRequest", "Malformed JSON, an unreadable query or path, or a bad header"),
    ("401", "Unauthorized", "No token, or an unknown, revoked or expired one"),
    ("403", "Forbidden", "The role does not allow this, or a read-only token asked to change data"),
    ("404", "NotFound", "No such record, or not one you may see"),
    ("409", "Conflict", "A request with this Idempotency-Key is still running, or the record keeps changing"),
    ("412", "PreconditionFailed", "The record changed since the version in If-Match"),
    ("413", "PayloadTooLarge", "The body is larger than 1 MiB"),
    ("415", "UnsupportedMediaType", "The body is not JSON"),
    ("422", "ValidationFailed", "Rejected fields or parameters, listed in errors"),
    ("429", "TooManyRequests", "The token's requests per minute are used up"),
];

impl Modify for Conventions {
    fn modify(&self, doc: &mut Document) {
        doc.info.description = Some(DESCRIPTION.to_owned());
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("orb_ token").build(),
            ),
        );
        for (status, name, description) in PROBLEMS {
            let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
            let mut response =
                ResponseBuilder::new().description(*description).content(PROBLEM_JSON, content);
            let text = || ObjectBuilder::new().schema_type(Type::String);
            let integer = || ObjectBuilder::new().schema_type(Type::Integer);
            match *status {
                "401" => {
                    response = response
                        .header("WWW-Authenticate", HeaderBuilder::new().schema(Some(text())).build());
                }
                "429" => {
                    let retry = HeaderBuilder::new()
                        .schema(Some(integer()))
                        .description(Some("Seconds until the limit resets"))
                        .build();
                    response = response.header("Retry-After", retry);
                }
                _ => {}
            }
            components.responses.insert((*name).to_owned(), RefOr::T(response.build()));
        }
        for item in doc.paths.paths.values_mut() {
            let operations = [
                (&mut item.get, Kind::Read),
                (&mut item.post, Kind::Create),
                (&mut item.put, Kind::Replace),
                (&mut item.patch, Kind::Change),
                (&mut item.delete, Kind::Delete),
            ];
            for (operation, kind) in operations {
                let Some(operation) = operation else { continue };
                for (status, name, _) in PROBLEMS {
                    if kind.can_answer(status) {
                        operation
                            .responses
                            .responses
                            .entry((*status).to_owned())
                            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(*name)));
                    }
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Read,
    Create,
    /// A `PUT` of a whole resource (no versions: no 412).
    Replace,
    Change,
    Delete,
}

impl Kind {
    fn can_answer(self, status: &str) -> bool {
        match status {
            "400" | "401" | "403" | "404" | "422" | "429" => true,
            "409" => matches!(self, Kind::Create | Kind::Replace | Kind::Change),
            "412" => matches!(self, Kind::Change | Kind::Delete),
            "413" | "415" => matches!(self, Kind::Create | Kind::Replace | Kind::Change),
            _ => false,
        }
    }
}
