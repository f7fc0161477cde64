//! Tasks: what users must do and by when, linked to companies, contacts and deals.

use orbita_domain::task::{Task, TaskFields, TaskPriority};
use orbita_domain::{CompanyId, ContactId, DealId, TaskId, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, Query, SelectStatement, Value};

use crate::bulk::BulkRow;
use crate::custom_fields;
use crate::db::{Db, Tx};
use crate::error::Result;
use crate::list::{Cursor, Keyset, Page, SortValue, finish_page, visible_to};
use crate::values::{corrupt, field_columns, finish_update, id_opt, table_row};

pub use orbita_domain::list::TaskFilter;

const TABLE: &str = "tasks";

table_row! {
    struct TaskRow {
        id: i64,
        title: String,
        description: Option<String>,
        due_at: Option<Timestamp>,
        assignee_id: i64,
        author_id: Option<i64>,
        priority: String,
        company_id: Option<i64>,
        contact_id: Option<i64>,
        deal_id: Option<i64>,
        done_at: Option<Timestamp>,
        created_at: Timestamp,
        updated_at: Timestamp,
        version: i64,
        custom: String,
    }
}

impl TryFrom<TaskRow> for Task {
    type Error = crate::StorageError;

    fn try_from(row: TaskRow) -> Result<Self> {
        Ok(Task {
            id: TaskId(row.id),
            fields: TaskFields {
                title: row.title,
                description: row.description,
                due_at: row.due_at,
                assignee_id: UserId(row.assignee_id),
                priority: TaskPriority::parse(&row.priority)
                    .ok_or_else(|| corrupt(format!("task priority {:?}", row.priority)))?,
                company_id: row.company_id.map(CompanyId),
                contact_id: row.contact_id.map(ContactId),
                deal_id: row.deal_id.map(DealId),
            },
            author_id: row.author_id.map(UserId),
            done_at: row.done_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
            custom: orbita_domain::custom::values_from_json(&row.custom),
        })
    }
}

/// A row for `bulk::insert_rows` into `tasks` (or for `insert`).
pub fn bulk_row(
    fields: &TaskFields,
    author_id: Option<UserId>,
    done_at: Option<Timestamp>,
    now: Timestamp,
) -> BulkRow {
    let mut columns = field_columns(fields);
    columns.extend([
        ("author_id", id_opt(author_id)),
        ("done_at", done_at.into()),
        ("created_at", now.into()),
        ("updated_at", now.into()),
    ]);
    columns
}

pub async fn insert(
    tx: &mut Tx,
    fields: &TaskFields,
    author_id: Option<UserId>,
    now: Timestamp,
) -> Result<TaskId> {
    let columns = bulk_row(fields, author_id, None, now);
    let (names, values): (Vec<_>, Vec<_>) = columns.into_iter().map(|(n, v)| (n, Expr::val(v))).unzip();
    tx.insert(Query::insert().into_table(TABLE).columns(names).values_panic(values).to_owned())
        .await
        .map(TaskId)
}

pub async fn update(
    tx: &mut Tx,
    id: TaskId,
    fields: &TaskFields,
    expected_version: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    let mut stmt = Query::update();
    stmt.values(field_columns(fields).into_iter().map(|(n, v)| (n, Expr::val(v))));
    // A task given a new deadline may fall overdue again, and its assignee is then told again.
    let same_due = match fields.due_at {
        Some(due) => Expr::col("due_at").eq(due),
        None => Expr::col("due_at").is_null(),
    };
    for column in ["overdue_notified_at", "overdue_escalated_at"] {
        let kept = Expr::case(same_due.clone(), Expr::col(column)).finally(Expr::val(None::<Timestamp>));
        stmt.value(column, kept);
    }
    finish_update(tx, TABLE, stmt, id.0, expected_version, now).await
}

/// Marks a task done (`Some(time)`) or open again (`None`).
pub async fn set_done(tx: &mut Tx, id: TaskId, done_at: Option<Timestamp>, now: Timestamp) -> Result<()> {
    let mut stmt = Query::update();
    stmt.value("done_at", done_at);
    finish_update(tx, TABLE, stmt, id.0, None, now).await
}

/// A deal's open tasks and their assignees, read in the transaction that closes the deal.
pub async fn open_of_deal_in(tx: &mut Tx, deal: DealId) -> Result<Vec<(TaskId, UserId)>> {
    let stmt = Query::select()
        .columns(["id", "assignee_id"])
        .from(TABLE)
        .and_where(Expr::col("deal_id").eq(deal.0))
        .and_where(Expr::col("done_at").is_null())
        .to_owned();
    let rows: Vec<(i64, i64)> = tx.fetch_all(&stmt).await?;
    Ok(rows.into_iter().map(|(id, assignee)| (TaskId(id), UserId(assignee))).collect())
}

pub async fn get(db: &Db, id: TaskId) -> Result<Task> {
    db.fetch_one::<TaskRow>(&select_by_id(id)).await?.try_into()
}

pub async fn get_in(tx: &mut Tx, id: TaskId) -> Result<Task> {
    tx.fetch_one::<TaskRow>(&select_by_id(id)).await?.try_into()
}

fn select_by_id(id: TaskId) -> SelectStatement {
    Query::select().columns(COLUMNS).from(TABLE).and_where(Expr::col("id").eq(id.0)).to_owned()
}

/// Tasks by due time (tasks without one last), then id.
pub async fn list(db: &Db, filter: &TaskFilter, after: Option<&Cursor>, limit: u64) -> Result<Page<Task>> {
    let mut stmt = Query::select();
    stmt.columns(COLUMNS).from(TABLE);
    if let Some(from) = filter.done_from {
        stmt.and_where(Expr::col("done_at").gte(from));
    }
    if let Some(to) = filter.done_to {
        stmt.and_where(Expr::col("done_at").lt(to));
    }
    if let Some(visible) = &filter.visible {
        stmt.and_where(visible_to(visible, TABLE, "assignee_id"));
    }
    if let Some(tree) = &filter.tree {
        stmt.cond_where(crate::filter_sql::condition(tree, TABLE, db.backend()));
    }
    if let Some(assignees) = &filter.assignee_ids {
        stmt.and_where(Expr::col("assignee_id").is_in(assignees.iter().map(|a| a.0)));
    }
    match filter.done {
        Some(true) => stmt.and_where(Expr::col("done_at").is_not_null()),
        Some(false) => stmt.and_where(Expr::col("done_at").is_null()),
        None => &mut stmt,
    };
    if let Some(before) = filter.due_before {
        stmt.and_where(Expr::col("due_at").lt(before)).and_where(Expr::col("done_at").is_null());
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
    let (sort, descending) = match filter.order {
        Some(order) => {
            (custom_fields::sort_expr(db.backend(), TABLE, order.by.key(), order.by.ty), order.descending)
        }
        None => (Expr::col("due_at").if_null(Value::from(no_due_time())), false),
    };
    Keyset { sort, id: Expr::col("id"), descending }.apply(&mut stmt, after, limit);
    let tasks =
        db.fetch_all::<TaskRow>(&stmt).await?.into_iter().map(Task::try_from).collect::<Result<Vec<_>>>()?;
    Ok(finish_page(tasks, limit, |t| Cursor {
        value: match filter.order {
            Some(order) => order.by.value_of(&t.custom),
            None => SortValue::Time(t.fields.due_at.unwrap_or_else(no_due_time)),
        },
        id: t.id.0,
    }))
}

/// A far-future stand-in that sorts tasks without a due time after all others, on both
/// databases (a four-digit year, so it also sorts last as SQLite text).
fn no_due_time() -> Timestamp {
    chrono::DateTime::from_timestamp(253_402_300_799, 0).unwrap_or_default()
}

/// The earliest open task of each of these deals (the "next task" on a kanban card).
pub async fn next_open_for_deals(db: &Db, deals: &[DealId]) -> Result<Vec<Task>> {
    if deals.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(TABLE)
        .and_where(Expr::col("deal_id").is_in(deals.iter().map(|d| d.0)))
        .and_where(Expr::col("done_at").is_null())
        .order_by("deal_id", sea_query::Order::Asc)
        .order_by_expr(Expr::col("due_at").if_null(Value::from(no_due_time())), sea_query::Order::Asc)
        .to_owned();
    let mut tasks =
        db.fetch_all::<TaskRow>(&stmt).await?.into_iter().map(Task::try_from).collect::<Result<Vec<_>>>()?;
    tasks.dedup_by_key(|t| t.fields.deal_id);
    Ok(tasks)
}

/// How many open tasks each of these users has (those with none are left out): read through
/// the assignee index, for handing work to the least loaded.
pub async fn open_counts_in(tx: &mut Tx, users: &[UserId]) -> Result<Vec<(UserId, i64)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .column("assignee_id")
        .expr(Expr::col("id").count())
        .from(TABLE)
        .and_where(Expr::col("assignee_id").is_in(users.iter().map(|u| u.0)))
        .and_where(Expr::col("done_at").is_null())
        .group_by_col("assignee_id")
        .to_owned();
    let rows: Vec<(i64, i64)> = tx.fetch_all(&stmt).await?;
    Ok(rows.into_iter().map(|(user, count)| (UserId(user), count)).collect())
}
