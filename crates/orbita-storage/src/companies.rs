//! Companies: the client base. Search by name, INN, KPP, phone and e-mail.

use orbita_domain::company::{Company, CompanyFields};
use orbita_domain::validation::{Email, Inn, Kpp, Ogrn, Phone};
use orbita_domain::{CompanyId, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};

use crate::bulk::BulkRow;
use crate::db::{Db, Tx};
use crate::error::Result;
use crate::list::{
    Cursor, Keyset, OWNER_BY_OWNER_MAX, Page, SearchFrom, SortValue, Visibility, finish_page, merge_parts,
    scoped_owners, text_search, unique_ids, visible_to,
};
use crate::values::{field_columns, id_opt, parse_list, parse_opt, table_row};

pub use orbita_domain::list::{CompanyFilter, CompanySort};

const TABLE: &str = "companies";
/// Must match the `companies_search` index in the PostgreSQL migration.
const SEARCH_EXPRESSION: &str =
    "name || ' ' || coalesce(inn, '') || ' ' || coalesce(kpp, '') || ' ' || phones || ' ' || emails";

table_row! {
    owned struct CompanyRow {
        id: i64,
        name: String,
        inn: Option<String>,
        kpp: Option<String>,
        ogrn: Option<String>,
        industry: Option<String>,
        region: Option<String>,
        address: Option<String>,
        phones: String,
        emails: String,
        website: Option<String>,
        source: Option<String>,
        notes: Option<String>,
    }
}

impl TryFrom<CompanyRow> for Company {
    type Error = crate::StorageError;

    fn try_from(row: CompanyRow) -> Result<Self> {
        Ok(Company {
            id: CompanyId(row.id),
            fields: CompanyFields {
                name: row.name,
                inn: parse_opt(row.inn, Inn::parse)?,
                kpp: parse_opt(row.kpp, Kpp::parse)?,
                ogrn: parse_opt(row.ogrn, Ogrn::parse)?,
                industry: row.industry,
                region: row.region,
                address: row.address,
                phones: parse_list(&row.phones, Phone::parse)?,
                emails: parse_list(&row.emails, Email::parse)?,
                website: row.website,
                source: row.source,
                notes: row.notes,
            },
            owner_id: UserId(row.owner_id),
            created_by: row.created_by.map(UserId),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
            custom: orbita_domain::custom::values_from_json(&row.custom),
        })
    }
}

fn new_row(fields: &CompanyFields, owner_id: UserId, created_by: Option<UserId>, now: Timestamp) -> BulkRow {
    let mut columns = field_columns(fields);
    columns.extend([
        ("owner_id", owner_id.0.into()),
        ("created_by", id_opt(created_by)),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]);
    columns
}

/// A row for `bulk::insert_rows` into `companies`, with the id chosen by the loader.
pub fn bulk_row(id: CompanyId, fields: &CompanyFields, owner_id: UserId, created_at: Timestamp) -> BulkRow {
    let mut row = vec![("id", id.0.into())];
    row.extend(new_row(fields, owner_id, Some(owner_id), created_at));
    row
}

pub async fn insert(
    tx: &mut Tx,
    fields: &CompanyFields,
    owner_id: UserId,
    created_by: Option<UserId>,
    now: Timestamp,
) -> Result<CompanyId> {
    let columns = new_row(fields, owner_id, created_by, now);
    let (names, values): (Vec<_>, Vec<_>) = columns.into_iter().map(|(n, v)| (n, Expr::val(v))).unzip();
    let stmt = Query::insert().into_table(TABLE).columns(names).values_panic(values).to_owned();
    tx.insert(stmt).await.map(CompanyId)
}

/// Saves new field values. With `expected_version`, refuses (`StaleVersion`) if someone else
/// saved in between.
pub async fn update(
    tx: &mut Tx,
    id: CompanyId,
    fields: &CompanyFields,
    expected_version: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    let mut stmt = Query::update();
    stmt.values(field_columns(fields).into_iter().map(|(n, v)| (n, Expr::val(v))));
    crate::values::finish_update(tx, TABLE, stmt, id.0, expected_version, now).await
}

pub async fn get(db: &Db, id: CompanyId) -> Result<Company> {
    db.fetch_one::<CompanyRow>(&select_by_id(id)).await?.try_into()
}

/// Reads inside a write transaction: the "before" of an audited change.
pub async fn get_in(tx: &mut Tx, id: CompanyId) -> Result<Company> {
    tx.fetch_one::<CompanyRow>(&select_by_id(id)).await?.try_into()
}

fn select_by_id(id: CompanyId) -> sea_query::SelectStatement {
    Query::select().columns(COLUMNS).from(TABLE).and_where(Expr::col("id").eq(id.0)).to_owned()
}

/// Companies with this INN (and KPP, when given): the duplicate check before a save.
pub async fn find_by_inn(db: &Db, inn: &Inn, kpp: Option<&Kpp>) -> Result<Vec<Company>> {
    let mut stmt = Query::select();
    stmt.columns(COLUMNS).from(TABLE).and_where(Expr::col("inn").eq(inn.as_str())).limit(20);
    if let Some(kpp) = kpp {
        stmt.and_where(Expr::col("kpp").eq(kpp.as_str()));
    }
    rows_to(db.fetch_all::<CompanyRow>(&stmt).await?)
}

/// The names of those of these companies that `visible` lets the user see (`None`: all), in
/// one query: a page of deals, contacts or activities names its companies without a query per
/// row, and a company the user may not see stays out of the answer.
pub async fn names(
    db: &Db,
    ids: &[CompanyId],
    visible: Option<&Visibility>,
) -> Result<Vec<(CompanyId, String)>> {
    let ids = unique_ids(ids.iter().map(|c| c.0));
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = Query::select();
    stmt.columns([(TABLE, "id"), (TABLE, "name")]).from(TABLE).and_where(Expr::col((TABLE, "id")).is_in(ids));
    if let Some(visible) = visible {
        stmt.and_where(visible_condition(visible));
    }
    let rows: Vec<(i64, String)> = db.fetch_all(&stmt).await?;
    Ok(rows.into_iter().map(|(id, name)| (CompanyId(id), name)).collect())
}

/// The companies a scope lets the user see: their owners', and those shared with the user.
fn visible_condition(visible: &Visibility) -> Expr {
    let mut condition = visible_to(visible, TABLE, "owner_id");
    if let Some(user) = visible.shared_with {
        let shared = Query::select()
            .column("company_id")
            .from("company_shares")
            .and_where(Expr::col("user_id").eq(user.0))
            .to_owned();
        condition = condition.or(Expr::col((TABLE, "id")).in_subquery(shared));
    }
    condition
}

/// The search box's condition. A query shaped like a whole KPP (9 digits) or INN (10 or 12)
/// that some company has is looked up in that column's index. The substring search would find
/// the same companies, but through the trigram postings of digit strings that nearly every KPP
/// shares (`…01001`): at a million companies that costs tens of milliseconds, the index one.
/// Anything else, and an identifier nobody has (a phone, a fragment), is the substring search.
async fn search_condition(db: &Db, q: &str, from: SearchFrom) -> Result<Expr> {
    let q = q.trim();
    if let Some(column) = identifier_column(q) {
        let probe = Query::select()
            .column((TABLE, "id"))
            .from(TABLE)
            .and_where(Expr::col((TABLE, column)).eq(q))
            .limit(1)
            .to_owned();
        if db.fetch_optional::<(i64,)>(&probe).await?.is_some() {
            return Ok(Expr::col((TABLE, column)).eq(q));
        }
    }
    Ok(text_search(db.backend(), q, "companies.id", "companies_fts", SEARCH_EXPRESSION, from))
}

/// The identifier column a query of only digits names by its length.
fn identifier_column(q: &str) -> Option<&'static str> {
    if !q.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match q.len() {
        9 => Some("kpp"),
        10 | 12 => Some("inn"),
        _ => None,
    }
}

pub async fn list(
    db: &Db,
    filter: &CompanyFilter,
    sort: CompanySort,
    descending: bool,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Company>> {
    let mut stmt = Query::select();
    stmt.columns(COLUMNS.map(|c| (TABLE, c))).from(TABLE);
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        stmt.and_where(search_condition(db, q, SearchFrom::for_scope(filter.visible.as_ref())).await?);
    }
    field_conditions(&mut stmt, filter, db.backend());
    let by = match sort {
        CompanySort::Name => Expr::col((TABLE, "name")),
        CompanySort::CreatedAt => Expr::col((TABLE, "created_at")),
        CompanySort::UpdatedAt => Expr::col((TABLE, "updated_at")),
        CompanySort::Custom(custom) => {
            crate::custom_fields::sort_expr(db.backend(), TABLE, custom.key(), custom.ty)
        }
    };
    let keyset = Keyset { sort: by, id: Expr::col((TABLE, "id")), descending };
    match owner_by_owner(filter, sort) {
        Some(owners) => {
            let ids = first_by_name_owner_by_owner(&stmt, &owners, filter, &keyset, after, limit);
            stmt.and_where(Expr::col((TABLE, "id")).in_subquery(ids));
            stmt.order_by_expr(keyset.sort.clone(), order(descending))
                .order_by_expr(keyset.id.clone(), order(descending));
        }
        None => {
            scope_conditions(&mut stmt, filter);
            keyset.apply(&mut stmt, after, limit);
        }
    }
    let companies = rows_to(db.fetch_all::<CompanyRow>(&stmt).await?)?;
    Ok(finish_page(companies, limit, |c| Cursor {
        value: match sort {
            CompanySort::Name => SortValue::Text(c.fields.name.clone()),
            CompanySort::CreatedAt => SortValue::Time(c.created_at),
            CompanySort::UpdatedAt => SortValue::Time(c.updated_at),
            CompanySort::Custom(custom) => custom.value_of(&c.custom),
        },
        id: c.id.0,
    }))
}

fn order(descending: bool) -> Order {
    if descending { Order::Desc } else { Order::Asc }
}

/// The list's filters on the company's own fields.
fn field_conditions(stmt: &mut SelectStatement, filter: &CompanyFilter, backend: crate::Backend) {
    for (column, value) in [
        ("inn", &filter.inn),
        ("kpp", &filter.kpp),
        ("region", &filter.region),
        ("industry", &filter.industry),
        ("source", &filter.source),
    ] {
        if let Some(value) = value {
            stmt.and_where(Expr::col((TABLE, column)).eq(value.as_str()));
        }
    }
    if let Some(from) = filter.created_from {
        stmt.and_where(Expr::col((TABLE, "created_at")).gte(from));
    }
    if let Some(to) = filter.created_to {
        stmt.and_where(Expr::col((TABLE, "created_at")).lt(to));
    }
    if let Some(tree) = &filter.tree {
        stmt.cond_where(crate::filter_sql::condition(tree, TABLE, backend));
    }
}

/// Whose companies: the user's scope and the owner filter.
fn scope_conditions(stmt: &mut SelectStatement, filter: &CompanyFilter) {
    if let Some(visible) = &filter.visible {
        stmt.and_where(visible_condition(visible));
    }
    if let Some(owners) = &filter.owner_ids {
        stmt.and_where(Expr::col((TABLE, "owner_id")).is_in(owners.iter().map(|o| o.0)));
    }
}

/// The owners to read one by one, when that is the cheaper way: a list by name, without a
/// text search, limited to between 2 and 25 owners (a head of sales' team). Read in one query,
/// SQLite walks the name index and reads each row to test its owner (~10 rows per row kept for
/// a team of 20 among 200), or gathers and sorts every company of the team: a page 1,000 rows
/// deep, or each page of a 100,000-row export, cost 50-100 ms. Owner by owner, each owner's
/// next rows come in order from `companies_owner_name` and only those are sorted.
fn owner_by_owner(filter: &CompanyFilter, sort: CompanySort) -> Option<Vec<UserId>> {
    if sort != CompanySort::Name || filter.q.as_deref().is_some_and(|q| !q.trim().is_empty()) {
        return None;
    }
    scoped_owners(filter.visible.as_ref(), filter.owner_ids.as_deref())
        .filter(|owners| (2..=OWNER_BY_OWNER_MAX).contains(&owners.len()))
}

/// The ids of the page's rows: each owner's first rows after the cursor (and those of the
/// companies shared with the user), merged in the list's order.
fn first_by_name_owner_by_owner(
    filtered: &SelectStatement,
    owners: &[UserId],
    filter: &CompanyFilter,
    keyset: &Keyset,
    after: Option<&Cursor>,
    limit: u64,
) -> SelectStatement {
    let part = |condition: Expr| {
        let mut one = filtered.clone();
        one.clear_selects().columns([(TABLE, "id"), (TABLE, "name")]).and_where(condition);
        keyset.apply(&mut one, after, limit);
        one
    };
    let mut parts: Vec<_> = owners.iter().map(|o| part(Expr::col((TABLE, "owner_id")).eq(o.0))).collect();
    let shared_with = filter.visible.as_ref().and_then(|v| v.shared_with);
    if let (Some(user), None) = (shared_with, &filter.owner_ids) {
        let shared = Query::select()
            .column("company_id")
            .from("company_shares")
            .and_where(Expr::col("user_id").eq(user.0))
            .to_owned();
        parts.push(part(Expr::col((TABLE, "id")).in_subquery(shared)));
    }
    // Distinct: a company shared with the user may also be one of the owners'.
    merge_parts(parts, "name", true, keyset.descending, limit + 1)
}

fn rows_to(rows: Vec<CompanyRow>) -> Result<Vec<Company>> {
    rows.into_iter().map(Company::try_from).collect()
}
