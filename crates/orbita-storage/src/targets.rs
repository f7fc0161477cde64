//! Monthly sales targets (план продаж): one amount per employee per calendar month.
//! The month is a key of the organisation's calendar ('YYYY-MM' text on both databases), not an
//! instant: which deals fall into it is decided by the caller, who knows the time zone.

use orbita_domain::validation::{Currency, Money};
use orbita_domain::{Timestamp, UserId};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::values::{corrupt, id_opt, table_row};

pub use orbita_domain::month::Month;

const TABLE: &str = "sales_targets";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesTarget {
    pub user_id: UserId,
    pub month: Month,
    pub amount: Money,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub updated_by: Option<UserId>,
}

table_row! {
    struct TargetRow {
        user_id: i64,
        month: String,
        amount_minor: i64,
        currency: String,
        created_at: Timestamp,
        updated_at: Timestamp,
        updated_by: Option<i64>,
    }
}

impl TryFrom<TargetRow> for SalesTarget {
    type Error = crate::StorageError;

    fn try_from(row: TargetRow) -> Result<Self> {
        Ok(SalesTarget {
            user_id: UserId(row.user_id),
            month: Month::parse(&row.month)
                .ok_or_else(|| corrupt(format!("target month {:?}", row.month)))?,
            amount: Money::from_minor(row.amount_minor, Currency::parse(&row.currency).map_err(corrupt)?),
            created_at: row.created_at,
            updated_at: row.updated_at,
            updated_by: row.updated_by.map(UserId),
        })
    }
}

fn select() -> SelectStatement {
    Query::select().columns(COLUMNS).from(TABLE).to_owned()
}

/// Sets a target, creating it or replacing the amount: one statement, so two heads of sales
/// saving the same cell at once cannot both insert.
pub async fn upsert(
    tx: &mut Tx,
    user: UserId,
    month: Month,
    amount: &Money,
    by: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    let stmt = Query::insert()
        .into_table(TABLE)
        .columns(COLUMNS)
        .values_panic([
            user.0.into(),
            month.to_string().into(),
            amount.to_minor().into(),
            amount.currency.as_str().into(),
            now.into(),
            now.into(),
            id_opt(by).into(),
        ])
        .on_conflict(
            OnConflict::columns(["user_id", "month"])
                .update_columns(["amount_minor", "currency", "updated_at", "updated_by"])
                .to_owned(),
        )
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}

/// One target, read inside the transaction that changes it (the "before" of the audit event).
pub async fn get_in(tx: &mut Tx, user: UserId, month: Month) -> Result<Option<SalesTarget>> {
    let stmt = select()
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(Expr::col("month").eq(month.to_string()))
        .to_owned();
    tx.fetch_optional::<TargetRow>(&stmt).await?.map(SalesTarget::try_from).transpose()
}

/// The targets of the months `first`..=`last`, of these users (`None`: everyone), by user and
/// month.
pub async fn list(db: &Db, first: Month, last: Month, users: Option<&[UserId]>) -> Result<Vec<SalesTarget>> {
    let mut stmt = select()
        .and_where(Expr::col("month").gte(first.to_string()))
        .and_where(Expr::col("month").lte(last.to_string()))
        .order_by("user_id", Order::Asc)
        .order_by("month", Order::Asc)
        .to_owned();
    if let Some(users) = users {
        stmt.and_where(Expr::col("user_id").is_in(users.iter().map(|u| u.0)));
    }
    db.fetch_all::<TargetRow>(&stmt).await?.into_iter().map(SalesTarget::try_from).collect()
}

/// Copies the targets of `from` into `to` for the users (`None`: everyone) who have none there
/// yet; a target already set in `to` is kept. Returns the targets created.
pub async fn copy_month(
    tx: &mut Tx,
    from: Month,
    to: Month,
    users: Option<&[UserId]>,
    by: Option<UserId>,
    now: Timestamp,
) -> Result<Vec<SalesTarget>> {
    let mut stmt = select().and_where(Expr::col("month").eq(from.to_string())).to_owned();
    if let Some(users) = users {
        stmt.and_where(Expr::col("user_id").is_in(users.iter().map(|u| u.0)));
    }
    let sources: Vec<SalesTarget> = tx
        .fetch_all::<TargetRow>(&stmt)
        .await?
        .into_iter()
        .map(SalesTarget::try_from)
        .collect::<Result<_>>()?;
    let mut created = Vec::new();
    for source in sources {
        let insert = Query::insert()
            .into_table(TABLE)
            .columns(COLUMNS)
            .values_panic([
                source.user_id.0.into(),
                to.to_string().into(),
                source.amount.to_minor().into(),
                source.amount.currency.as_str().into(),
                now.into(),
                now.into(),
                id_opt(by).into(),
            ])
            // Per row, so the caller learns exactly which users got a copy (for the audit log).
            .on_conflict(OnConflict::columns(["user_id", "month"]).do_nothing().to_owned())
            .to_owned();
        if tx.execute(&insert).await? == 1 {
            created.push(SalesTarget {
                month: to,
                created_at: now,
                updated_at: now,
                updated_by: by,
                ..source
            });
        }
    }
    Ok(created)
}
