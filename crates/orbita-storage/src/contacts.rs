//! Contacts: people at client companies. Search by name, phone and e-mail.

use std::collections::BTreeSet;

use orbita_domain::contact::{Contact, ContactFields, full_name};
use orbita_domain::validation::{Email, Phone};
use orbita_domain::{CompanyId, ContactId, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};

use crate::bulk::BulkRow;
use crate::db::{Db, Tx};
use crate::error::Result;
use crate::list::{
    Cursor, Keyset, Page, SearchFrom, SortValue, Visibility, finish_page, text_search, unique_ids, visible_to,
};
use crate::values::{field_columns, finish_update, id_opt, parse_list, table_row};

pub use orbita_domain::list::{ContactFilter, ContactSort};

const TABLE: &str = "contacts";
const KEYS: &str = "contact_keys";
/// More people than this sharing one phone or address is not a person's key but a switchboard:
/// the search shows the first of them.
const EXACT_MATCHES: u64 = 500;
/// Must match the `contacts_search` index in the PostgreSQL migration.
const SEARCH_EXPRESSION: &str = "last_name || ' ' || coalesce(first_name, '') || ' ' || coalesce(middle_name, '') \
     || ' ' || phones || ' ' || emails";

table_row! {
    owned struct ContactRow {
        id: i64,
        last_name: String,
        first_name: Option<String>,
        middle_name: Option<String>,
        position: Option<String>,
        company_id: Option<i64>,
        phones: String,
        emails: String,
        notes: Option<String>,
    }
}

impl TryFrom<ContactRow> for Contact {
    type Error = crate::StorageError;

    fn try_from(row: ContactRow) -> Result<Self> {
        Ok(Contact {
            id: ContactId(row.id),
            fields: ContactFields {
                last_name: row.last_name,
                first_name: row.first_name,
                middle_name: row.middle_name,
                position: row.position,
                company_id: row.company_id.map(CompanyId),
                phones: parse_list(&row.phones, Phone::parse)?,
                emails: parse_list(&row.emails, Email::parse)?,
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

fn new_row(fields: &ContactFields, owner_id: UserId, created_by: Option<UserId>, now: Timestamp) -> BulkRow {
    let mut columns = field_columns(fields);
    columns.extend([
        ("owner_id", owner_id.0.into()),
        ("created_by", id_opt(created_by)),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]);
    columns
}

/// A row for `bulk::insert_rows` into `contacts`, with the id chosen by the loader.
pub fn bulk_row(id: ContactId, fields: &ContactFields, owner_id: UserId, created_at: Timestamp) -> BulkRow {
    let mut row = vec![("id", id.0.into())];
    row.extend(new_row(fields, owner_id, Some(owner_id), created_at));
    row
}

/// Rows for `bulk::insert_rows` into `contact_keys`, beside the contact's `bulk_row`.
pub fn bulk_keys(id: ContactId, fields: &ContactFields) -> Vec<BulkRow> {
    keys_of(fields).into_iter().map(|key| vec![("key", key.into()), ("contact_id", id.0.into())]).collect()
}

/// What a contact is found by exactly: each of its phones and e-mails once (both are stored
/// in one form already, E.164 and lowercased).
fn keys_of(fields: &ContactFields) -> BTreeSet<&str> {
    fields.phones.iter().map(Phone::as_str).chain(fields.emails.iter().map(Email::as_str)).collect()
}

/// Replaces a contact's keys with those of its fields, in the transaction that saves them.
async fn write_keys(tx: &mut Tx, id: ContactId, fields: &ContactFields) -> Result<()> {
    tx.execute(&Query::delete().from_table(KEYS).and_where(Expr::col("contact_id").eq(id.0)).to_owned())
        .await?;
    crate::bulk::insert_rows(tx, KEYS, bulk_keys(id, fields)).await
}

pub async fn insert(
    tx: &mut Tx,
    fields: &ContactFields,
    owner_id: UserId,
    created_by: Option<UserId>,
    now: Timestamp,
) -> Result<ContactId> {
    let columns = new_row(fields, owner_id, created_by, now);
    let (names, values): (Vec<_>, Vec<_>) = columns.into_iter().map(|(n, v)| (n, Expr::val(v))).unzip();
    let id = tx
        .insert(Query::insert().into_table(TABLE).columns(names).values_panic(values).to_owned())
        .await
        .map(ContactId)?;
    write_keys(tx, id, fields).await?;
    Ok(id)
}

pub async fn update(
    tx: &mut Tx,
    id: ContactId,
    fields: &ContactFields,
    expected_version: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    let mut stmt = Query::update();
    stmt.values(field_columns(fields).into_iter().map(|(n, v)| (n, Expr::val(v))));
    finish_update(tx, TABLE, stmt, id.0, expected_version, now).await?;
    write_keys(tx, id, fields).await
}

/// The full names of those of these contacts that `visible` lets the user see (`None`: all),
/// in one query: a page of deals, tasks or activities names its contacts without a query per
/// row, and a contact the user may not see stays out of the answer.
pub async fn names(
    db: &Db,
    ids: &[ContactId],
    visible: Option<&Visibility>,
) -> Result<Vec<(ContactId, String)>> {
    let ids = unique_ids(ids.iter().map(|c| c.0));
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = Query::select();
    stmt.columns(["id", "last_name", "first_name", "middle_name"].map(|c| (TABLE, c)))
        .from(TABLE)
        .and_where(Expr::col((TABLE, "id")).is_in(ids));
    if let Some(visible) = visible {
        stmt.and_where(visible_to(visible, TABLE, "owner_id"));
    }
    let rows: Vec<(i64, String, Option<String>, Option<String>)> = db.fetch_all(&stmt).await?;
    Ok(rows
        .into_iter()
        .map(|(id, last, first, middle)| {
            (ContactId(id), full_name(&last, first.as_deref(), middle.as_deref()))
        })
        .collect())
}

pub async fn get(db: &Db, id: ContactId) -> Result<Contact> {
    db.fetch_one::<ContactRow>(&select_by_id(id)).await?.try_into()
}

pub async fn get_in(tx: &mut Tx, id: ContactId) -> Result<Contact> {
    tx.fetch_one::<ContactRow>(&select_by_id(id)).await?.try_into()
}

fn select_by_id(id: ContactId) -> SelectStatement {
    Query::select().columns(COLUMNS).from(TABLE).and_where(Expr::col("id").eq(id.0)).to_owned()
}

/// Contacts that already have this phone or e-mail, exactly: the duplicate check before a
/// save, and a web form's request finding its person. At most ten, by name.
pub async fn find_by_phone_or_email(
    db: &Db,
    phone: Option<&Phone>,
    email: Option<&Email>,
) -> Result<Vec<Contact>> {
    let keys: Vec<&str> =
        [phone.map(Phone::as_str), email.map(Email::as_str)].into_iter().flatten().collect();
    let ids = ids_by_keys(db, &keys).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(TABLE)
        .and_where(Expr::col("id").is_in(ids))
        .order_by("last_name", Order::Asc)
        .order_by("id", Order::Asc)
        .limit(10)
        .to_owned();
    db.fetch_all::<ContactRow>(&stmt).await?.into_iter().map(Contact::try_from).collect()
}

/// The contacts with one of these keys (`contact_keys`), at most `EXACT_MATCHES` of them.
async fn ids_by_keys(db: &Db, keys: &[&str]) -> Result<Vec<i64>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .distinct()
        .column("contact_id")
        .from(KEYS)
        .and_where(Expr::col("key").is_in(keys.iter().copied()))
        .limit(EXACT_MATCHES)
        .to_owned();
    let rows: Vec<(i64,)> = db.fetch_all(&stmt).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// A search that is a whole phone number or e-mail address, in its stored form: such a
/// search is answered from `contact_keys` when someone has it.
fn exact_key(q: &str) -> Option<String> {
    Phone::parse(q)
        .map(|p| p.as_str().to_owned())
        .or_else(|_| Email::parse(q).map(|e| e.as_str().to_owned()))
        .ok()
}

pub async fn list(
    db: &Db,
    filter: &ContactFilter,
    sort: ContactSort,
    descending: bool,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Contact>> {
    let mut stmt = Query::select();
    stmt.columns(COLUMNS.map(|c| (TABLE, c))).from(TABLE);
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        // A whole phone or e-mail someone has: those people, found by the key, not the
        // fragment search (which also misses `8 916 …` typed for a stored `+7916…`). Nobody
        // has it: the fragment search, as for any text. Either way every page of one search
        // takes the same path, so its cursor stays valid.
        let exact = match exact_key(q) {
            Some(key) => ids_by_keys(db, &[&key]).await?,
            None => Vec::new(),
        };
        if exact.is_empty() {
            let from = SearchFrom::for_scope(filter.visible.as_ref());
            stmt.and_where(text_search(
                db.backend(),
                q,
                "contacts.id",
                "contacts_fts",
                SEARCH_EXPRESSION,
                from,
            ));
        } else {
            stmt.and_where(Expr::col((TABLE, "id")).is_in(exact));
        }
    }
    if let Some(company) = filter.company_id {
        stmt.and_where(Expr::col((TABLE, "company_id")).eq(company.0));
    }
    if let Some(visible) = &filter.visible {
        stmt.and_where(visible_to(visible, TABLE, "owner_id"));
    }
    if let Some(owners) = &filter.owner_ids {
        stmt.and_where(Expr::col((TABLE, "owner_id")).is_in(owners.iter().map(|o| o.0)));
    }
    if let Some(tree) = &filter.tree {
        stmt.cond_where(crate::filter_sql::condition(tree, TABLE, db.backend()));
    }
    if let Some(from) = filter.created_from {
        stmt.and_where(Expr::col((TABLE, "created_at")).gte(from));
    }
    if let Some(to) = filter.created_to {
        stmt.and_where(Expr::col((TABLE, "created_at")).lt(to));
    }
    let by = match sort {
        ContactSort::Name => Expr::col((TABLE, "last_name")),
        ContactSort::CreatedAt => Expr::col((TABLE, "created_at")),
        ContactSort::Custom(custom) => {
            crate::custom_fields::sort_expr(db.backend(), TABLE, custom.key(), custom.ty)
        }
    };
    Keyset { sort: by, id: Expr::col((TABLE, "id")), descending }.apply(&mut stmt, after, limit);
    let rows = db.fetch_all::<ContactRow>(&stmt).await?;
    let contacts = rows.into_iter().map(Contact::try_from).collect::<Result<Vec<_>>>()?;
    Ok(finish_page(contacts, limit, |c| Cursor {
        value: match sort {
            ContactSort::Name => SortValue::Text(c.fields.last_name.clone()),
            ContactSort::CreatedAt => SortValue::Time(c.created_at),
            ContactSort::Custom(custom) => custom.value_of(&c.custom),
        },
        id: c.id.0,
    }))
}
