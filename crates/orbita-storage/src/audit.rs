//! The audit log: append-only. This module can add and read events, never change them.

use orbita_domain::audit::{AuditAction, AuditEntity, AuditEvent, FieldChange, NewAuditEvent};
use orbita_domain::{AuditEventId, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, Query};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::list::{Cursor, Keyset, Page, SortValue, finish_page};
use crate::values::{corrupt, id_opt};

pub use orbita_domain::list::AuditFilter;

/// Records an event in the transaction of the change it describes.
pub async fn insert(tx: &mut Tx, event: &NewAuditEvent, now: Timestamp) -> Result<AuditEventId> {
    // An entity outside the list could be written but never filtered by on the audit page;
    // every test that writes an event checks it.
    debug_assert!(
        AuditEntity::parse(event.entity).is_some(),
        "audit entity {:?} is not in orbita_domain::audit::AuditEntity",
        event.entity
    );
    let changes = serde_json::to_string(&event.changes).map_err(corrupt)?;
    let stmt = Query::insert()
        .into_table("audit_events")
        .columns(["occurred_at", "actor_id", "ip", "via", "entity", "entity_id", "action", "changes"])
        .values_panic([
            now.into(),
            id_opt(event.actor_id).into(),
            event.ip.clone().into(),
            event.via.clone().into(),
            event.entity.into(),
            event.entity_id.into(),
            event.action.as_str().into(),
            changes.into(),
        ])
        .to_owned();
    tx.insert(stmt).await.map(AuditEventId)
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    occurred_at: Timestamp,
    actor_id: Option<i64>,
    ip: Option<String>,
    via: Option<String>,
    entity: String,
    entity_id: Option<i64>,
    action: String,
    changes: String,
}

/// Newest first.
pub async fn list(
    db: &Db,
    filter: &AuditFilter,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<AuditEvent>> {
    let mut stmt = Query::select();
    stmt.columns(["id", "occurred_at", "actor_id", "ip", "via", "entity", "entity_id", "action", "changes"])
        .from("audit_events");
    if let Some(actor) = filter.actor_id {
        stmt.and_where(Expr::col("actor_id").eq(actor.0));
    }
    if let Some(actors) = &filter.actors {
        stmt.and_where(Expr::col("actor_id").is_in(actors.iter().map(|a| a.0)));
    }
    if let Some(entity) = &filter.entity {
        stmt.and_where(Expr::col("entity").eq(entity.as_str()));
    }
    if let Some(id) = filter.entity_id {
        stmt.and_where(Expr::col("entity_id").eq(id));
    }
    if let Some(action) = filter.action {
        stmt.and_where(Expr::col("action").eq(action.as_str()));
    }
    if let Some(from) = filter.from {
        stmt.and_where(Expr::col("occurred_at").gte(from));
    }
    if let Some(to) = filter.to {
        stmt.and_where(Expr::col("occurred_at").lt(to));
    }
    Keyset { sort: Expr::col("occurred_at"), id: Expr::col("id"), descending: true }
        .apply(&mut stmt, after, limit);
    let events = db
        .fetch_all::<AuditRow>(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            Ok(AuditEvent {
                id: AuditEventId(row.id),
                occurred_at: row.occurred_at,
                actor_id: row.actor_id.map(UserId),
                ip: row.ip,
                via: row.via,
                entity: row.entity,
                entity_id: row.entity_id,
                action: AuditAction::parse(&row.action)
                    .ok_or_else(|| corrupt(format!("audit action {:?}", row.action)))?,
                changes: serde_json::from_str::<Vec<FieldChange>>(&row.changes).map_err(corrupt)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(finish_page(events, limit, |e| Cursor { value: SortValue::Time(e.occurred_at), id: e.id.0 }))
}
