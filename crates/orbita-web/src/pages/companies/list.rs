//! `GET /companies`: the client base as a table. Search, filters, sort, columns and the page
//! all come from the URL (see `list_query`); the service applies the user's rights.
//! `GET /companies/suggest`: the company picker's choices as the user types.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use orbita_app::exports::{CompanyColumn, ListColumn};
use orbita_app::{Access, AppError, Db, companies, filters, views};
use orbita_domain::access::{Action, Area};
use orbita_domain::company::Company;
use orbita_domain::custom::CustomField;
use orbita_domain::list::{CompanyFilter, CompanySort};

use super::table::{self, Cell, ColumnChoice, Empty, ListResults, Row, ViewLink};
use super::{People, owner_filter, wants_fragment};
use crate::AppState;
use crate::error::PageError;
use crate::pages::list_query::{ListQuery, Sort};
use crate::pages::picker::{self, Choice, LIMIT, Search};
use crate::pages::wall_clock::{day_end, day_start};
use crate::pages::{SignedIn, groups};
use crate::ui::{Layout, Nav, SelectOption};
use orbita_domain::kind::RecordKind;

/// The list's filter as its query string asks (search, owner or group, the "More filters"
/// panel, a condition as data): the page and its download read it alike.
pub(in crate::pages) async fn filter(
    db: &Db,
    access: &Access,
    tz: &str,
    query: &ListQuery,
) -> Result<CompanyFilter, AppError> {
    let owner_ids = owner_filter(query.get("owner"), access.user_id());
    Ok(CompanyFilter {
        q: query.opt("q"),
        owner_ids: groups::owners(db, access, Area::Companies, query.get("group"), owner_ids).await?,
        region: query.opt("region"),
        industry: query.opt("industry"),
        source: query.opt("source"),
        created_from: query.date("created_from").map(|d| day_start(d, tz)),
        created_to: query.date("created_to").map(|d| day_end(d, tz)),
        tree: filters::optional(db, query.tree(), RecordKind::Company).await?,
        ..CompanyFilter::default()
    })
}

/// The list's order, a custom field's or a built-in one's.
pub(in crate::pages) fn sort(query: &ListQuery, fields: &[CustomField]) -> Sort<CompanySort> {
    query.custom_sort(fields, CompanySort::Custom).unwrap_or_else(|| query.sort_as(SORTS, "name"))
}

const PATH: &str = "/companies";
const PAGE_SIZE: u64 = 50;

/// The filters of the "More filters" panel (the search box and the owner are always shown).
const MORE_FILTERS: &[&str] = &["region", "industry", "source", "created_from", "created_to"];
const SORTS: &[(&str, CompanySort)] =
    &[("name", CompanySort::Name), ("created", CompanySort::CreatedAt), ("updated", CompanySort::UpdatedAt)];

#[derive(Template, WebTemplate)]
#[template(path = "companies/list.html")]
struct ListPage {
    layout: Layout,
    results: ListResults,
    query: ListQuery,
    sort: String,
    owners: Vec<SelectOption>,
    /// The group filter (none: no groups to offer).
    groups: Vec<SelectOption>,
    /// How many filters of the "More filters" panel are set.
    more_filters: usize,
    /// The page without its condition as data (`filter=`).
    without_tree_href: String,
    columns: Vec<ColumnChoice>,
    views: Vec<ViewLink>,
    can_create: bool,
}

pub(in crate::pages) async fn list(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let query = ListQuery::parse(raw.as_deref());
    let access = &user.session.access;
    let tz = &user.layout.time_zone;
    let filter = filter(&state.db, access, tz, &query).await?;
    let fields = orbita_app::custom_fields::active(&state.db, RecordKind::Company).await?;
    let sort = sort(&query, &fields);
    let cursor = query.cursor();
    let page =
        companies::list(&state.db, access, &filter, sort.by, sort.descending, cursor.as_ref(), PAGE_SIZE)
            .await?;
    let people = People::load(&state.db, access).await?;

    let layout = user.page(user.t("nav-companies"), Some(Nav::Companies));
    // The default set is the export's, so a file without a choice holds these columns too.
    let mut chosen = query.columns(&table::keys::<CompanyColumn>(), &CompanyColumn::default_keys());
    if !chosen.contains(&"name") {
        chosen.insert(0, "name");
    }
    let custom = query.custom_columns(&fields);
    let export = access.can(Area::Companies, Action::Export);
    let mut results = ListResults::new(layout.clone(), "companies", PATH, &query, export);
    let (saved, share_groups) = views::list_and_groups(&state.db, access, "companies").await?;
    results.share_options = table::share_options(&layout, &share_groups);
    results.columns = table::header::<CompanyColumn>(&layout, &chosen, &query, PATH, &sort.current);
    results.columns.extend(table::custom_header(&layout, &custom, &query, PATH, &sort.current));
    results.export_columns(&query, &chosen, &custom);
    let currency = crate::pages::custom_fields::currency(&state.db, !custom.is_empty()).await?;
    let shown = crate::pages::custom_fields::People { users: &people.users, currency };
    results.rows = page
        .items
        .iter()
        .map(|c| {
            let mut row = row(&layout, &people, c, &chosen);
            row.cells.extend(table::custom_cells(&layout, &custom, &c.custom, &shown));
            row
        })
        .collect();
    results.next_href = page.next.map(|c| query.next_href(PATH, &c)).unwrap_or_default();
    let can_create = access.can(Area::Companies, Action::Create);
    let filtered =
        ["q", "owner", "group", "filter"].iter().chain(MORE_FILTERS).any(|name| !query.get(name).is_empty());
    let (title, hint) = if filtered {
        ("empty-search", "empty-search-hint")
    } else {
        ("empty-companies", "empty-companies-hint")
    };
    results.empty = Empty {
        title: layout.t(title),
        hint: layout.t(hint),
        href: if can_create { super::new_company_href(query.q()) } else { String::new() },
        label: layout.t("companies-add"),
    };
    if wants_fragment(&headers) {
        return Ok(results.into_response());
    }

    let views = table::view_links(saved, PATH, &query, access.user_id(), &share_groups);
    let owners = people.filter_options(layout.t("filter-any"), layout.t("filter-mine"), query.get("owner"));
    let groups = groups::options(&state.db, access, Area::Companies, &layout, query.get("group")).await?;
    let more_filters = MORE_FILTERS.iter().filter(|name| !query.get(name).is_empty()).count();
    let without_tree_href = query.without_tree(PATH);
    let page = ListPage {
        columns: table::choices::<CompanyColumn>(&layout, &chosen, &fields, &custom),
        sort: if query.sort().is_empty() { String::new() } else { sort.current },
        results,
        query,
        owners,
        groups,
        more_filters,
        without_tree_href,
        views,
        can_create,
        layout,
    };
    Ok(page.into_response())
}

fn row(layout: &Layout, people: &People, company: &Company, chosen: &[&str]) -> Row {
    let f = &company.fields;
    let text = |value: Option<&str>| Cell::long(value.unwrap_or_default());
    let cells = chosen
        .iter()
        .map(|key| match *key {
            "name" => Cell::link(&f.name, format!("{PATH}/{}", company.id)),
            "inn" => Cell::text(f.inn.as_ref().map(|v| v.as_str()).unwrap_or_default()).class("tnum"),
            "kpp" => Cell::text(f.kpp.as_ref().map(|v| v.as_str()).unwrap_or_default()).class("tnum"),
            "ogrn" => Cell::text(f.ogrn.as_ref().map(|v| v.as_str()).unwrap_or_default()).class("tnum"),
            "region" => text(f.region.as_deref()),
            "industry" => text(f.industry.as_deref()),
            "phone" => Cell::text(f.phones.first().map(|p| p.display()).unwrap_or_default()).class("tnum"),
            "email" => text(f.emails.first().map(|e| e.as_str())),
            "source" => text(f.source.as_deref()),
            "owner" => Cell::text(people.name(company.owner_id)),
            "created" => Cell::text(layout.date_of(company.created_at))
                .class("muted")
                .title(layout.datetime(company.created_at)),
            "updated" => Cell::text(layout.date_of(company.updated_at))
                .class("muted")
                .title(layout.datetime(company.updated_at)),
            _ => Cell::default(),
        })
        .collect();
    Row { cells }
}

/// `GET /companies/suggest?company_q=`: the company picker's choices (`pages::picker`), by
/// name or INN, through the list's own search.
pub(in crate::pages) async fn suggest(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let search = Search::parse(raw.as_deref(), picker::Kind::Company);
    let mut choices = Vec::new();
    if let Some(text) = search.text() {
        let filter = CompanyFilter { q: Some(text.to_owned()), ..CompanyFilter::default() };
        let found =
            companies::list(&state.db, &user.session.access, &filter, CompanySort::Name, false, None, LIMIT)
                .await?;
        let inn = user.layout.t("field-inn");
        choices = found
            .items
            .into_iter()
            .map(|c| {
                let f = c.fields;
                let meta = [f.inn.map(|v| format!("{inn} {}", v.as_str())), f.region];
                Choice::new(c.id, f.name, meta)
            })
            .collect();
    }
    Ok(search.answer(&state.db, &user.session.access, user.layout, choices).await?)
}
