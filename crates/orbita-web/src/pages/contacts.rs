//! Contacts (contact persons): the list (search by name, phone or e-mail; filters by owner
//! and company), the card with its timeline and quick actions, the forms with the duplicate
//! warning by phone and e-mail, and the contact picker's suggestions (`pages::picker`). The
//! list table, the timeline and the quick actions are the companies'
//! (`companies::{table, record, quick}`).

mod card;
mod form;

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use orbita_app::exports::{ContactColumn, ListColumn};
use orbita_app::{Access, AppError, Db, companies, contacts, filters, views};
use orbita_domain::CompanyId;
use orbita_domain::access::{Action, Area};
use orbita_domain::contact::Contact;
use orbita_domain::custom::CustomField;
use orbita_domain::list::{ContactFilter, ContactSort};

use super::companies::table::{self, Cell, ColumnChoice, Empty, ListResults, Row, ViewLink};
use super::companies::{People, owner_filter, wants_fragment};
use super::list_query::{ListQuery, Sort};
use super::picker::{self, Choice, LIMIT, Search};
use super::wall_clock::{day_end, day_start};
use super::{SignedIn, custom_fields, groups};
use crate::AppState;
use crate::error::PageError;
use crate::ui::{Layout, Nav, SelectOption};
use orbita_domain::kind::RecordKind;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list).post(form::create))
        .route("/contacts/new", get(form::new_form))
        .route("/contacts/duplicates", get(form::duplicates))
        .route("/contacts/suggest", get(suggest))
        .route("/contacts/{id}", get(card::card).post(form::update))
        .route("/contacts/{id}/edit", get(form::edit_form))
        .route("/contacts/{id}/delete", post(card::delete))
        .route("/contacts/{id}/activities", post(card::log_activity))
        .route("/contacts/{id}/tasks", post(card::add_task))
        .route("/contacts/{id}/owner", post(card::transfer))
        .route("/contacts/{id}/notes", post(card::add_note))
}

/// The list's filter as its query string asks (search, owner or group, company, the "More
/// filters" panel, a condition as data): the page and its download read it alike.
pub(super) async fn filter(
    db: &Db,
    access: &Access,
    tz: &str,
    query: &ListQuery,
) -> Result<ContactFilter, AppError> {
    let owner_ids = owner_filter(query.get("owner"), access.user_id());
    Ok(ContactFilter {
        q: query.opt("q"),
        company_id: query.parsed::<CompanyId>("company_id"),
        owner_ids: groups::owners(db, access, Area::Contacts, query.get("group"), owner_ids).await?,
        created_from: query.date("created_from").map(|d| day_start(d, tz)),
        created_to: query.date("created_to").map(|d| day_end(d, tz)),
        visible: None,
        tree: filters::optional(db, query.tree(), RecordKind::Contact).await?,
    })
}

/// The list's order, a custom field's or a built-in one's.
pub(super) fn sort(query: &ListQuery, fields: &[CustomField]) -> Sort<ContactSort> {
    query.custom_sort(fields, ContactSort::Custom).unwrap_or_else(|| query.sort_as(SORTS, "name"))
}

const PATH: &str = "/contacts";
const PAGE_SIZE: u64 = 50;

const SORTS: &[(&str, ContactSort)] = &[("name", ContactSort::Name), ("created", ContactSort::CreatedAt)];
const MORE_FILTERS: &[&str] = &["created_from", "created_to"];

#[derive(Template, WebTemplate)]
#[template(path = "contacts/list.html")]
struct ListPage {
    layout: Layout,
    results: ListResults,
    query: ListQuery,
    sort: String,
    owners: Vec<SelectOption>,
    /// The group filter (none: no groups to offer).
    groups: Vec<SelectOption>,
    /// The company filter's company, by name (with a link to drop the filter).
    company: Option<(String, String)>,
    more_filters: usize,
    /// The page without its condition as data (`filter=`).
    without_tree_href: String,
    columns: Vec<ColumnChoice>,
    views: Vec<ViewLink>,
    can_create: bool,
}

async fn list(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let db = &state.db;
    let query = ListQuery::parse(raw.as_deref());
    let access = &user.session.access;
    let tz = &user.layout.time_zone;
    let filter = filter(db, access, tz, &query).await?;
    let company_id = filter.company_id;
    let fields = orbita_app::custom_fields::active(db, RecordKind::Contact).await?;
    let sort = sort(&query, &fields);
    let cursor = query.cursor();
    let page =
        contacts::list(db, access, &filter, sort.by, sort.descending, cursor.as_ref(), PAGE_SIZE).await?;
    let people = People::load(db, access).await?;
    // The default set is the export's, so a file without a choice holds these columns too.
    let mut chosen = query.columns(&table::keys::<ContactColumn>(), &ContactColumn::default_keys());
    if !chosen.contains(&"name") {
        chosen.insert(0, "name");
    }
    // The companies of the page (and of the filter) by name, in one query.
    let names = if chosen.contains(&"company") || company_id.is_some() {
        let linked: Vec<CompanyId> =
            page.items.iter().filter_map(|c| c.fields.company_id).chain(company_id).collect();
        companies::names(db, access, &linked).await?
    } else {
        HashMap::new()
    };

    let layout = user.page(user.t("nav-contacts"), Some(Nav::Contacts));
    let export = access.can(Area::Contacts, Action::Export);
    let custom = query.custom_columns(&fields);
    let mut results = ListResults::new(layout.clone(), "contacts", PATH, &query, export);
    let (saved, share_groups) = views::list_and_groups(db, access, "contacts").await?;
    results.share_options = table::share_options(&layout, &share_groups);
    results.export_columns(&query, &chosen, &custom);
    results.columns = table::header::<ContactColumn>(&layout, &chosen, &query, PATH, &sort.current);
    results.columns.extend(table::custom_header(&layout, &custom, &query, PATH, &sort.current));
    let currency = custom_fields::currency(db, !custom.is_empty()).await?;
    let shown = custom_fields::People { users: &people.users, currency };
    results.rows = page
        .items
        .iter()
        .map(|c| {
            let mut row = row(&layout, &people, &names, c, &chosen);
            row.cells.extend(table::custom_cells(&layout, &custom, &c.custom, &shown));
            row
        })
        .collect();
    results.next_href = page.next.map(|c| query.next_href(PATH, &c)).unwrap_or_default();
    let can_create = access.can(Area::Contacts, Action::Create);
    let filtered = ["q", "owner", "group", "company_id", "filter"]
        .iter()
        .chain(MORE_FILTERS)
        .any(|n| !query.get(n).is_empty());
    results.empty = if filtered {
        Empty {
            title: layout.t("empty-search"),
            hint: layout.t("contacts-empty-search-hint"),
            ..Empty::default()
        }
    } else {
        Empty {
            title: layout.t("empty-contacts"),
            hint: layout.t("empty-contacts-hint"),
            href: if can_create { "/contacts/new".to_owned() } else { String::new() },
            label: layout.t("contacts-add"),
        }
    };
    if wants_fragment(&headers) {
        return Ok(results.into_response());
    }

    let views = table::view_links(saved, PATH, &query, access.user_id(), &share_groups);
    let owners = people.filter_options(layout.t("filter-any"), layout.t("filter-mine"), query.get("owner"));
    let groups = groups::options(db, access, Area::Contacts, &layout, query.get("group")).await?;
    let company = company_id.map(|id| {
        let name = names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
        (name, query.href(PATH, &["company_id"], &[]))
    });
    let page = ListPage {
        columns: table::choices::<ContactColumn>(&layout, &chosen, &fields, &custom),
        sort: if query.sort().is_empty() { String::new() } else { sort.current },
        more_filters: MORE_FILTERS.iter().filter(|n| !query.get(n).is_empty()).count(),
        without_tree_href: query.without_tree(PATH),
        results,
        query,
        owners,
        groups,
        company,
        views,
        can_create,
        layout,
    };
    Ok(page.into_response())
}

/// `GET /contacts/suggest?contact_q=`: the contact picker's choices (`pages::picker`), by name,
/// phone or e-mail through the list's own search, each with its company, phone and e-mail.
async fn suggest(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let search = Search::parse(raw.as_deref(), picker::Kind::Contact);
    let mut choices = Vec::new();
    if let Some(text) = search.text() {
        let (db, access) = (&state.db, &user.session.access);
        let filter = ContactFilter { q: Some(text.to_owned()), ..ContactFilter::default() };
        let found = contacts::list(db, access, &filter, ContactSort::Name, false, None, LIMIT).await?.items;
        let linked: Vec<CompanyId> = found.iter().filter_map(|c| c.fields.company_id).collect();
        let names = companies::names(db, access, &linked).await?;
        choices = found
            .into_iter()
            .map(|c| {
                let f = &c.fields;
                let meta = [
                    f.company_id.and_then(|id| names.get(&id).cloned()),
                    f.phones.first().map(|p| p.display()),
                    f.emails.first().map(|e| e.as_str().to_owned()),
                ];
                Choice::new(c.id, f.full_name(), meta)
            })
            .collect();
    }
    Ok(search.answer(&state.db, &user.session.access, user.layout, choices).await?)
}

fn row(
    layout: &Layout,
    people: &People,
    companies: &HashMap<CompanyId, String>,
    contact: &Contact,
    chosen: &[&str],
) -> Row {
    let f = &contact.fields;
    let cells = chosen
        .iter()
        .map(|key| match *key {
            "name" => Cell::link(f.full_name(), format!("{PATH}/{}", contact.id)),
            "position" => Cell::long(f.position.clone().unwrap_or_default()),
            "company" => match f.company_id.and_then(|id| companies.get(&id).map(|name| (id, name))) {
                Some((id, name)) => Cell::link(name, format!("/companies/{id}")),
                None => Cell::default(),
            },
            "phone" => Cell::text(f.phones.first().map(|p| p.display()).unwrap_or_default()).class("tnum"),
            "email" => Cell::long(f.emails.first().map(|e| e.as_str()).unwrap_or_default()),
            "owner" => Cell::text(people.name(contact.owner_id)),
            "created" => Cell::text(layout.date_of(contact.created_at))
                .class("muted")
                .title(layout.datetime(contact.created_at)),
            "updated" => Cell::text(layout.date_of(contact.updated_at))
                .class("muted")
                .title(layout.datetime(contact.updated_at)),
            _ => Cell::default(),
        })
        .collect();
    Row { cells }
}
