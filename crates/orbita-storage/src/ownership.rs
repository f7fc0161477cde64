//! Whose records are whose, across the four owned kinds: the counts and ids a bulk transfer
//! of ownership ("hand over everything of a leaving manager") needs, and a task's reassignment.

use orbita_domain::{TaskId, UserId};
use sea_query::{Expr, ExprTrait, Query, SelectStatement};

use crate::db::{Db, Tx};
use crate::error::Result;

/// The kinds of records a bulk transfer moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OwnedKind {
    Companies,
    Contacts,
    Deals,
    Tasks,
}

impl OwnedKind {
    pub const ALL: [OwnedKind; 4] =
        [OwnedKind::Companies, OwnedKind::Contacts, OwnedKind::Deals, OwnedKind::Tasks];

    pub fn as_str(self) -> &'static str {
        match self {
            OwnedKind::Companies => "companies",
            OwnedKind::Contacts => "contacts",
            OwnedKind::Deals => "deals",
            OwnedKind::Tasks => "tasks",
        }
    }

    pub fn parse(raw: &str) -> Option<OwnedKind> {
        OwnedKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// The table and the column that says whose a record is (a task's is its assignee).
    fn table(self) -> (&'static str, &'static str) {
        match self {
            OwnedKind::Companies => ("companies", "owner_id"),
            OwnedKind::Contacts => ("contacts", "owner_id"),
            OwnedKind::Deals => ("deals", "owner_id"),
            OwnedKind::Tasks => ("tasks", "assignee_id"),
        }
    }
}

/// The records of `kind` whose owner is `owner`; with `open_only`, deals still open and tasks
/// not done (the others have no "open" state and are all included).
fn owned(kind: OwnedKind, owner: UserId, open_only: bool) -> SelectStatement {
    let (table, column) = kind.table();
    let mut stmt = Query::select();
    stmt.from(table).and_where(Expr::col(column).eq(owner.0));
    if open_only {
        match kind {
            OwnedKind::Deals => {
                stmt.and_where(Expr::col("status").eq("open"));
            }
            OwnedKind::Tasks => {
                stmt.and_where(Expr::col("done_at").is_null());
            }
            OwnedKind::Companies | OwnedKind::Contacts => {}
        }
    }
    stmt
}

pub async fn count_owned(db: &Db, kind: OwnedKind, owner: UserId, open_only: bool) -> Result<i64> {
    let stmt = owned(kind, owner, open_only).expr(Expr::col("id").count()).to_owned();
    let (n,): (i64,) = db.fetch_one(&stmt).await?;
    Ok(n)
}

/// The ids, read inside the transaction that moves them (so none is missed or moved twice).
pub async fn owned_ids(tx: &mut Tx, kind: OwnedKind, owner: UserId, open_only: bool) -> Result<Vec<i64>> {
    let stmt = owned(kind, owner, open_only).column("id").order_by("id", sea_query::Order::Asc).to_owned();
    Ok(tx.fetch_all::<(i64,)>(&stmt).await?.into_iter().map(|(id,)| id).collect())
}

/// Gives a task to another assignee (its other fields unchanged).
pub async fn set_task_assignee(
    tx: &mut Tx,
    id: TaskId,
    assignee: UserId,
    now: orbita_domain::Timestamp,
) -> Result<()> {
    let mut stmt = Query::update();
    stmt.value("assignee_id", assignee.0);
    crate::values::finish_update(tx, "tasks", stmt, id.0, None, now).await
}
