//! Whose records are whose, across the kinds a hand-over moves (`RecordKind::handed_over`): the
//! counts and ids a bulk transfer of ownership ("hand over everything of a leaving manager")
//! needs, and the writes every kind shares: a new owner, a deletion.

use orbita_domain::kind::RecordKind;
use orbita_domain::{Timestamp, UserId};
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

/// Hands a record of any kind to another owner (a task: another assignee), its other fields
/// unchanged.
pub async fn set_owner(tx: &mut Tx, kind: RecordKind, id: i64, owner: UserId, now: Timestamp) -> Result<()> {
    let mut stmt = Query::update();
    stmt.value(kind.owner_column(), owner.0);
    crate::values::finish_update(tx, kind.table(), stmt, id, None, now).await
}

/// Deletes a record of any kind (what refers to it follows the table's foreign keys).
pub async fn delete(tx: &mut Tx, kind: RecordKind, id: i64) -> Result<()> {
    crate::values::delete_by_id(tx, kind.table(), id).await
}

/// Whose a record is, read inside a transaction that is about to change it.
pub async fn owner_in(tx: &mut Tx, kind: RecordKind, id: i64) -> Result<UserId> {
    let (owner,): (i64,) = tx.fetch_one(&owner_select(kind, id)).await?;
    Ok(UserId(owner))
}

fn owner_select(kind: RecordKind, id: i64) -> SelectStatement {
    Query::select()
        .column(kind.owner_column())
        .from(kind.table())
        .and_where(Expr::col("id").eq(id))
        .to_owned()
}

/// Whose a record of any kind is; `None` when there is no such record.
pub async fn owner_of(db: &Db, kind: RecordKind, id: i64) -> Result<Option<UserId>> {
    Ok(db.fetch_optional::<(i64,)>(&owner_select(kind, id)).await?.map(|(owner,)| UserId(owner)))
}
