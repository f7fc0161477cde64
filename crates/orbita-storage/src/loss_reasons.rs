//! The administrator's list of loss reasons.

use orbita_domain::loss_reason::{LossReason, LossReasonFields};
use orbita_domain::{PipelineId, Timestamp};
use sea_query::{Expr, ExprTrait, Order, Query};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::values::table_row;

const TABLE: &str = "loss_reasons";

table_row! {
    struct Row {
        id: i64,
        pipeline_id: Option<i64>,
        name: String,
        position: i32,
        active: bool,
        created_at: Timestamp,
        updated_at: Timestamp,
    }
}

impl From<Row> for LossReason {
    fn from(r: Row) -> LossReason {
        LossReason {
            id: r.id,
            pipeline_id: r.pipeline_id.map(PipelineId),
            name: r.name,
            position: r.position,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Every reason, retired ones too: those for all pipelines first, then by pipeline, each in
/// its order.
pub async fn list(db: &Db) -> Result<Vec<LossReason>> {
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(TABLE)
        .order_by_expr(Expr::col("pipeline_id").is_not_null(), Order::Asc)
        .order_by("pipeline_id", Order::Asc)
        .order_by("position", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    Ok(db.fetch_all::<Row>(&stmt).await?.into_iter().map(LossReason::from).collect())
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<LossReason> {
    let stmt = Query::select().columns(COLUMNS).from(TABLE).and_where(Expr::col("id").eq(id)).to_owned();
    Ok(tx.fetch_one::<Row>(&stmt).await?.into())
}

/// Adds a reason at the end of its list.
pub async fn insert(tx: &mut Tx, fields: &LossReasonFields, now: Timestamp) -> Result<i64> {
    let mut last = Query::select();
    last.expr(Expr::col("position").max()).from(TABLE);
    match fields.pipeline_id {
        Some(p) => last.and_where(Expr::col("pipeline_id").eq(p.0)),
        None => last.and_where(Expr::col("pipeline_id").is_null()),
    };
    let (max,): (Option<i32>,) = tx.fetch_one(&last).await?;
    let stmt = Query::insert()
        .into_table(TABLE)
        .columns(["pipeline_id", "name", "position", "active", "created_at", "updated_at"])
        .values_panic([
            fields.pipeline_id.map(|p| p.0).into(),
            fields.name.clone().into(),
            (max.unwrap_or(0) + 1).into(),
            fields.active.into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    tx.insert(stmt).await
}

/// Renames, moves to another pipeline (or all), retires or brings back a reason.
pub async fn update(tx: &mut Tx, id: i64, fields: &LossReasonFields, now: Timestamp) -> Result<bool> {
    let stmt = Query::update()
        .table(TABLE)
        .values([
            ("pipeline_id", fields.pipeline_id.map(|p| p.0).into()),
            ("name", fields.name.clone().into()),
            ("active", fields.active.into()),
            ("updated_at", now.into()),
        ])
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    Ok(tx.execute(&stmt).await? > 0)
}
