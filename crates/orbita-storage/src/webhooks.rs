//! Outgoing webhooks and their delivery log.

use orbita_domain::Timestamp;
use orbita_domain::webhook::{Delivery, Webhook, WebhookEvent, WebhookFields};
use sea_query::{Expr, ExprTrait, Order, Query, SimpleExpr};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::values::{corrupt, table_row};

const TABLE: &str = "webhooks";

table_row! {
    struct Row {
        id: i64,
        url: String,
        events: String,
        description: Option<String>,
        active: bool,
        failures: i64,
        disabled_at: Option<Timestamp>,
        created_at: Timestamp,
        updated_at: Timestamp,
    }
}

impl TryFrom<Row> for Webhook {
    type Error = crate::StorageError;

    fn try_from(r: Row) -> Result<Webhook> {
        let events = r
            .events
            .split(',')
            .filter(|e| !e.is_empty())
            .map(|e| WebhookEvent::parse(e).ok_or_else(|| corrupt(format!("webhook event {e:?}"))))
            .collect::<Result<Vec<_>>>()?;
        Ok(Webhook {
            id: r.id,
            fields: WebhookFields { url: r.url, events, description: r.description, active: r.active },
            failures: r.failures,
            disabled_at: r.disabled_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn field_columns(f: &WebhookFields) -> Vec<(&'static str, SimpleExpr)> {
    let events = f.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(",");
    vec![
        ("url", f.url.clone().into()),
        ("events", events.into()),
        ("description", f.description.clone().into()),
        ("active", f.active.into()),
    ]
}

pub async fn insert(tx: &mut Tx, fields: &WebhookFields, secret_nonce: &str, now: Timestamp) -> Result<i64> {
    let (mut names, mut values): (Vec<_>, Vec<_>) = field_columns(fields).into_iter().unzip();
    names.extend(["secret_nonce", "created_at", "updated_at"]);
    values.extend([secret_nonce.into(), now.into(), now.into()]);
    tx.insert(Query::insert().into_table(TABLE).columns(names).values_panic(values).to_owned()).await
}

/// Saves the fields; switching a webhook on again also clears its failures. `false`: no such
/// webhook.
pub async fn update(tx: &mut Tx, id: i64, fields: &WebhookFields, now: Timestamp) -> Result<bool> {
    let mut stmt = Query::update();
    stmt.table(TABLE)
        .values(field_columns(fields))
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(id));
    if fields.active {
        stmt.value("failures", 0).value("disabled_at", None::<Timestamp>);
    }
    Ok(tx.execute(&stmt).await? == 1)
}

pub async fn delete(tx: &mut Tx, id: i64) -> Result<bool> {
    // The log goes first: SQLite enforces the cascade only with foreign keys switched on.
    tx.execute(
        &Query::delete()
            .from_table("webhook_deliveries")
            .and_where(Expr::col("webhook_id").eq(id))
            .to_owned(),
    )
    .await?;
    Ok(tx.execute(&Query::delete().from_table(TABLE).and_where(Expr::col("id").eq(id)).to_owned()).await?
        == 1)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Webhook>> {
    let stmt = Query::select().columns(COLUMNS).from(TABLE).and_where(Expr::col("id").eq(id)).to_owned();
    db.fetch_optional::<Row>(&stmt).await?.map(Webhook::try_from).transpose()
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<Webhook>> {
    let stmt = Query::select().columns(COLUMNS).from(TABLE).and_where(Expr::col("id").eq(id)).to_owned();
    tx.fetch_optional::<Row>(&stmt).await?.map(Webhook::try_from).transpose()
}

/// The nonce the webhook's secret is derived from.
pub async fn secret_nonce(db: &Db, id: i64) -> Result<Option<String>> {
    let stmt =
        Query::select().column("secret_nonce").from(TABLE).and_where(Expr::col("id").eq(id)).to_owned();
    Ok(db.fetch_optional::<(String,)>(&stmt).await?.map(|(n,)| n))
}

pub async fn list(db: &Db) -> Result<Vec<Webhook>> {
    let stmt = Query::select().columns(COLUMNS).from(TABLE).order_by("id", Order::Asc).to_owned();
    db.fetch_all::<Row>(&stmt).await?.into_iter().map(Webhook::try_from).collect()
}

/// The webhooks that send, read inside the write whose event they may be told of.
pub async fn sending_in(tx: &mut Tx) -> Result<Vec<Webhook>> {
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(TABLE)
        .and_where(Expr::col("active").eq(true))
        .and_where(Expr::col("disabled_at").is_null())
        .to_owned();
    tx.fetch_all::<Row>(&stmt).await?.into_iter().map(Webhook::try_from).collect()
}

/// A delivery attempt to log.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    pub webhook_id: i64,
    pub event: &'a str,
    pub status: Option<i64>,
    pub error: Option<&'a str>,
    pub duration_ms: i64,
}

/// Logs an attempt and counts the failures in a row (a success resets them); returns the
/// count after this attempt.
pub async fn record_delivery(
    tx: &mut Tx,
    d: &NewDelivery<'_>,
    succeeded: bool,
    now: Timestamp,
) -> Result<i64> {
    let stmt = Query::insert()
        .into_table("webhook_deliveries")
        .columns(["webhook_id", "event", "status", "error", "duration_ms", "delivered_at"])
        .values_panic([
            d.webhook_id.into(),
            d.event.into(),
            d.status.into(),
            d.error.map(str::to_owned).into(),
            d.duration_ms.into(),
            now.into(),
        ])
        .to_owned();
    tx.execute(&stmt).await?;
    let failures: SimpleExpr = if succeeded { Expr::val(0) } else { Expr::col("failures").add(1) };
    let stmt = Query::update()
        .table(TABLE)
        .value("failures", failures)
        .and_where(Expr::col("id").eq(d.webhook_id))
        .to_owned();
    tx.execute(&stmt).await?;
    let stmt =
        Query::select().column("failures").from(TABLE).and_where(Expr::col("id").eq(d.webhook_id)).to_owned();
    Ok(tx.fetch_optional::<(i64,)>(&stmt).await?.map_or(0, |(n,)| n))
}

/// Switches a webhook off after too many failures; `false` when it already was.
pub async fn disable(tx: &mut Tx, id: i64, now: Timestamp) -> Result<bool> {
    let stmt = Query::update()
        .table(TABLE)
        .value("disabled_at", now)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("disabled_at").is_null())
        .to_owned();
    Ok(tx.execute(&stmt).await? == 1)
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    webhook_id: i64,
    event: String,
    status: Option<i64>,
    error: Option<String>,
    duration_ms: i64,
    delivered_at: Timestamp,
}

/// A webhook's latest deliveries, newest first, before the id `before`.
pub async fn deliveries(db: &Db, webhook: i64, before: Option<i64>, limit: u64) -> Result<Vec<Delivery>> {
    let mut stmt = Query::select();
    stmt.columns(["id", "webhook_id", "event", "status", "error", "duration_ms", "delivered_at"])
        .from("webhook_deliveries")
        .and_where(Expr::col("webhook_id").eq(webhook))
        .order_by("id", Order::Desc)
        .limit(limit);
    if let Some(before) = before {
        stmt.and_where(Expr::col("id").lt(before));
    }
    let rows: Vec<DeliveryRow> = db.fetch_all(&stmt).await?;
    Ok(rows
        .into_iter()
        .map(|r| Delivery {
            id: r.id,
            webhook_id: r.webhook_id,
            event: r.event,
            status: r.status,
            error: r.error,
            duration_ms: r.duration_ms,
            delivered_at: r.delivered_at,
        })
        .collect())
}
