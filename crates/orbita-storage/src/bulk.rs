//! Bulk loading for the demo data set (millions of rows): multi-row INSERTs with ids chosen
//! by the loader, so related rows can point at each other without reading ids back.

use sea_query::{Expr, ExprTrait, Query, Value};

use crate::db::{Backend, Db, Tx};
use crate::error::{Result, StorageError};

/// Bound parameters per statement, under SQLite's limit of 32,766 (PostgreSQL allows 65,535).
const MAX_PARAMETERS: usize = 30_000;

/// The first free id of a table.
pub async fn next_id(db: &Db, table: &'static str) -> Result<i64> {
    let (max,): (Option<i64>,) =
        db.fetch_one(&Query::select().expr(Expr::col("id").max()).from(table).to_owned()).await?;
    Ok(max.unwrap_or(0) + 1)
}

/// A row to insert: (column, value) pairs, the same columns in the same order in every row
/// of one call. Each entity module makes them (`companies::bulk_row`, …).
pub type BulkRow = Vec<(&'static str, Value)>;

/// Inserts rows, as many per statement as the parameter limit allows. Rows that do not all
/// name the first row's columns are refused (`BulkShape`) before anything is written.
pub async fn insert_rows(tx: &mut Tx, table: &'static str, rows: Vec<BulkRow>) -> Result<()> {
    let Some(first) = rows.first() else { return Ok(()) };
    let columns: Vec<&'static str> = first.iter().map(|(c, _)| *c).collect();
    if rows.iter().any(|row| !row.iter().map(|(c, _)| *c).eq(columns.iter().copied())) {
        return Err(StorageError::BulkShape { table });
    }
    let per_statement = (MAX_PARAMETERS / columns.len().max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut stmt = Query::insert();
        stmt.into_table(table).columns(columns.iter().copied());
        for row in rows.by_ref().take(per_statement) {
            stmt.values(row.into_iter().map(|(_, v)| Expr::val(v)))
                .map_err(|_| StorageError::BulkShape { table })?;
        }
        tx.execute(&stmt).await?;
    }
    Ok(())
}

/// After ids were given explicitly, moves PostgreSQL's identity sequence past them so the
/// next ordinary insert does not collide. SQLite needs nothing.
pub async fn sync_id_sequence(tx: &mut Tx, table: &'static str) -> Result<()> {
    if tx.backend() == Backend::Postgres {
        let stmt = Query::select()
            .expr(Expr::cust_with_values(
                "setval(pg_get_serial_sequence($1, 'id'), (SELECT coalesce(max(id), 0) + 1 FROM ".to_owned()
                    + table
                    + "), false)",
                [table],
            ))
            .to_owned();
        let _: Option<(i64,)> = tx.fetch_optional(&stmt).await?;
    }
    Ok(())
}

/// Refreshes the planner's statistics after a bulk load, so the first queries plan well.
pub async fn analyze(db: &Db) -> Result<()> {
    if db.backend() == Backend::Sqlite {
        // The writer connection keeps the sampling limit `migrate` set for the quick check at
        // start. Sampled, every index's leading column looked like ~400 rows per value (the
        // first 400 entries share one stage, one owner), and on the million-deal set the
        // planner read a whole stage for a manager's kanban: 180 ms instead of a few. After a
        // bulk load the full statistics are worth their seconds. One writer connection, so
        // both statements run on it.
        db.execute_raw("PRAGMA analysis_limit = 0").await?;
        return db.execute_raw("ANALYZE").await;
    }
    // PostgreSQL: a freshly loaded table has no page marked all-visible, so every "index-only"
    // scan still visits the table (a head of sales' kanban totals read all 27,000 pages of the
    // million deals). VACUUM marks them; the load is the moment to pay its few seconds.
    db.execute_raw("VACUUM (ANALYZE)").await
}
