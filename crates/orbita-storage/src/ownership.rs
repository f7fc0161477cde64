//! Whose records are whose, across the kinds a hand-over moves (`RecordKind::handed_over`): the
//! counts and ids a bulk transfer of ownership ("hand over everything of a leaving manager")
//! needs, and a task's reassignment.

use orbita_domain::kind::RecordKind;
use orbita_domain::{TaskId, UserId};
use sea_query::{Expr, ExprTrait, Query, SelectStatement};

use crate::db::{Db, Tx};
use crate::error::Result;

/// The records of `kind` whose owner is `owner`; with `open_only`, deals still open and tasks
/// not done (the others have no "open" state and are all included).
fn owned(kind: RecordKind, owner: UserId, open_only: bool) -> SelectStatement {
    let mut stmt = Query::select();
    stmt.from(kind.table()).and_where(Expr::col(kind.owner_column()).eq(owner.0));
    if open_only {
        match kind {
            RecordKind::Deal => {
                stmt.and_where(Expr::col("status").eq("open"));
            }
            RecordKind::Task => {
                stmt.and_where(Expr::col("done_at").is_null());
            }
            RecordKind::Company | RecordKind::Contact | RecordKind::Activity => {}
        }
    }
    stmt
}

pub async fn count_owned(db: &Db, kind: RecordKind, owner: UserId, open_only: bool) -> Result<i64> {
    let stmt = owned(kind, owner, open_only).expr(Expr::col("id").count()).to_owned();
    let (n,): (i64,) = db.fetch_one(&stmt).await?;
    Ok(n)
}

/// The ids, read inside the transaction that moves them (so none is missed or moved twice).
pub async fn owned_ids(tx: &mut Tx, kind: RecordKind, owner: UserId, open_only: bool) -> Result<Vec<i64>> {
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

/// Whose a record of any kind is; `None` when there is no such record.
pub async fn owner_of(db: &Db, kind: RecordKind, id: i64) -> Result<Option<UserId>> {
    let stmt = Query::select()
        .column(kind.owner_column())
        .from(kind.table())
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    Ok(db.fetch_optional::<(i64,)>(&stmt).await?.map(|(owner,)| UserId(owner)))
}
