//! Activities: the register of calls, meetings, e-mails and notes with counterparties.

use orbita_domain::activity::{Activity, ActivityFields, ActivityKind, ActivityStatus, Direction};
use orbita_domain::{ActivityId, CompanyId, ContactId, DealId, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, Query, SelectStatement};

use crate::bulk::BulkRow;
use crate::custom_fields;
use crate::db::{Db, Tx};
use crate::error::Result;
use crate::list::{Cursor, Keyset, Page, SortValue, finish_page, visible_to};
use crate::values::{corrupt, field_columns, finish_update, id_opt, table_row};

pub use orbita_domain::list::ActivityFilter;

const TABLE: &str = "activities";

table_row! {
    struct ActivityRow {
        id: i64,
        kind: String,
        direction: Option<String>,
        status: String,
        occurred_at: Timestamp,
        duration_minutes: Option<i32>,
        subject: String,
        responsible_id: i64,
        company_id: Option<i64>,
        contact_id: Option<i64>,
        deal_id: Option<i64>,
        created_by: Option<i64>,
        created_at: Timestamp,
        updated_at: Timestamp,
        version: i64,
        custom: String,
    }
}

impl TryFrom<ActivityRow> for Activity {
    type Error = crate::StorageError;

    fn try_from(row: ActivityRow) -> Result<Self> {
        let bad = |what: &str, value: &str| corrupt(format!("activity {what} {value:?}"));
        Ok(Activity {
            id: ActivityId(row.id),
            fields: ActivityFields {
                kind: ActivityKind::parse(&row.kind).ok_or_else(|| bad("kind", &row.kind))?,
                direction: match row.direction {
                    Some(d) => Some(Direction::parse(&d).ok_or_else(|| bad("direction", &d))?),
                    None => None,
                },
                status: ActivityStatus::parse(&row.status).ok_or_else(|| bad("status", &row.status))?,
                occurred_at: row.occurred_at,
                duration_minutes: row.duration_minutes.map(u32::try_from).transpose().map_err(corrupt)?,
                subject: row.subject,
                responsible_id: UserId(row.responsible_id),
                company_id: row.company_id.map(CompanyId),
                contact_id: row.contact_id.map(ContactId),
                deal_id: row.deal_id.map(DealId),
            },
            created_by: row.created_by.map(UserId),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
            custom: orbita_domain::custom::values_from_json(&row.custom),
        })
    }
}

/// A row for `bulk::insert_rows` into `activities` (or for `insert`).
pub fn bulk_row(fields: &ActivityFields, created_by: Option<UserId>, now: Timestamp) -> Result<BulkRow> {
    let mut columns = field_columns(fields);
    columns.extend([
        ("created_by", id_opt(created_by)),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]);
    Ok(columns)
}

pub async fn insert(
    tx: &mut Tx,
    fields: &ActivityFields,
    created_by: Option<UserId>,
    now: Timestamp,
) -> Result<ActivityId> {
    let columns = bulk_row(fields, created_by, now)?;
    let (names, values): (Vec<_>, Vec<_>) = columns.into_iter().map(|(n, v)| (n, Expr::val(v))).unzip();
    tx.insert(Query::insert().into_table(TABLE).columns(names).values_panic(values).to_owned())
        .await
        .map(ActivityId)
}

pub async fn update(
    tx: &mut Tx,
    id: ActivityId,
    fields: &ActivityFields,
    expected_version: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    let mut stmt = Query::update();
    stmt.values(field_columns(fields).into_iter().map(|(n, v)| (n, Expr::val(v))));
    finish_update(tx, TABLE, stmt, id.0, expected_version, now).await
}

pub async fn get(db: &Db, id: ActivityId) -> Result<Activity> {
    db.fetch_one::<ActivityRow>(&select_by_id(id)).await?.try_into()
}

pub async fn get_in(tx: &mut Tx, id: ActivityId) -> Result<Activity> {
    tx.fetch_one::<ActivityRow>(&select_by_id(id)).await?.try_into()
}

fn select_by_id(id: ActivityId) -> SelectStatement {
    Query::select().columns(COLUMNS).from(TABLE).and_where(Expr::col("id").eq(id.0)).to_owned()
}

/// Newest first: the order of a timeline.
pub async fn list(
    db: &Db,
    filter: &ActivityFilter,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Activity>> {
    let mut stmt = Query::select();
    stmt.columns(COLUMNS).from(TABLE);
    if let Some(kind) = filter.kind {
        stmt.and_where(Expr::col("kind").eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        stmt.and_where(Expr::col("status").eq(status.as_str()));
    }
    if let Some(visible) = &filter.visible {
        stmt.and_where(visible_to(visible, TABLE, "responsible_id"));
    }
    if let Some(tree) = &filter.tree {
        stmt.cond_where(crate::filter_sql::condition(tree, TABLE, db.backend()));
    }
    if let Some(ids) = &filter.responsible_ids {
        stmt.and_where(Expr::col("responsible_id").is_in(ids.iter().map(|u| u.0)));
    }
    for (column, value) in [
        ("company_id", filter.company_id.map(|c| c.0)),
        ("contact_id", filter.contact_id.map(|c| c.0)),
        ("deal_id", filter.deal_id.map(|d| d.0)),
    ] {
        if let Some(value) = value {
            stmt.and_where(Expr::col(column).eq(value));
        }
    }
    if let Some(from) = filter.from {
        stmt.and_where(Expr::col("occurred_at").gte(from));
    }
    if let Some(to) = filter.to {
        stmt.and_where(Expr::col("occurred_at").lt(to));
    }
    let (sort, descending) = match filter.order {
        Some(order) => {
            (custom_fields::sort_expr(db.backend(), TABLE, order.by.key(), order.by.ty), order.descending)
        }
        None => (Expr::col("occurred_at"), true),
    };
    Keyset { sort, id: Expr::col("id"), descending }.apply(&mut stmt, after, limit);
    let items = db
        .fetch_all::<ActivityRow>(&stmt)
        .await?
        .into_iter()
        .map(Activity::try_from)
        .collect::<Result<Vec<_>>>()?;
    Ok(finish_page(items, limit, |a| Cursor {
        value: match filter.order {
            Some(order) => order.by.value_of(&a.custom),
            None => SortValue::Time(a.fields.occurred_at),
        },
        id: a.id.0,
    }))
}
