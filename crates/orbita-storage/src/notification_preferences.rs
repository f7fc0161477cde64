//! Each user's choices of how to be told (per kind: the bell, e-mail) and their daily digest,
//! whose due times the workers read through an index.

use orbita_domain::notification::{NotificationKind, Preference};
use orbita_domain::{Timestamp, UserId};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};

use crate::db::{Db, Tx};
use crate::error::Result;

const TABLE: &str = "notification_preferences";
const DIGESTS: &str = "notification_digests";

#[derive(sqlx::FromRow)]
struct Row {
    kind: String,
    in_app: bool,
    email: bool,
}

/// The choices a user made (kinds they never chose are absent: the defaults apply).
pub async fn list(db: &Db, user: UserId) -> Result<Vec<Preference>> {
    let stmt = Query::select()
        .columns(["kind", "in_app", "email"])
        .from(TABLE)
        .and_where(Expr::col("user_id").eq(user.0))
        .to_owned();
    let rows: Vec<Row> = db.fetch_all(&stmt).await?;
    Ok(rows.into_iter().filter_map(preference).collect())
}

/// A user's choice for one kind, inside a write that is about to tell them.
pub async fn get_in(tx: &mut Tx, user: UserId, kind: NotificationKind) -> Result<Option<Preference>> {
    let stmt = Query::select()
        .columns(["kind", "in_app", "email"])
        .from(TABLE)
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(Expr::col("kind").eq(kind.as_str()))
        .to_owned();
    let row: Option<Row> = tx.fetch_optional(&stmt).await?;
    Ok(row.and_then(preference))
}

// A kind no longer known (a newer release's) is left out, not an error: its defaults apply.
fn preference(r: Row) -> Option<Preference> {
    Some(Preference { kind: NotificationKind::parse(&r.kind)?, in_app: r.in_app, email: r.email })
}

/// Stores the user's choice for each kind given.
pub async fn save(tx: &mut Tx, user: UserId, choices: &[Preference]) -> Result<()> {
    for choice in choices {
        let stmt = Query::insert()
            .into_table(TABLE)
            .columns(["user_id", "kind", "in_app", "email"])
            .values_panic([
                user.0.into(),
                choice.kind.as_str().into(),
                choice.in_app.into(),
                choice.email.into(),
            ])
            .on_conflict(
                OnConflict::columns(["user_id", "kind"]).update_columns(["in_app", "email"]).to_owned(),
            )
            .to_owned();
        tx.execute(&stmt).await?;
    }
    Ok(())
}

/// The local hour of the user's digest, if they asked for one.
pub async fn digest_hour(db: &Db, user: UserId) -> Result<Option<u8>> {
    let stmt =
        Query::select().column("hour").from(DIGESTS).and_where(Expr::col("user_id").eq(user.0)).to_owned();
    let row: Option<(i64,)> = db.fetch_optional(&stmt).await?;
    Ok(row.and_then(|(hour,)| u8::try_from(hour).ok()))
}

/// Turns the user's digest on at `hour`, first due at `next_at`, or off (`None`).
pub async fn set_digest(tx: &mut Tx, user: UserId, digest: Option<(u8, Timestamp)>) -> Result<()> {
    match digest {
        Some((hour, next_at)) => {
            let stmt = Query::insert()
                .into_table(DIGESTS)
                .columns(["user_id", "hour", "next_at"])
                .values_panic([user.0.into(), i64::from(hour).into(), next_at.into()])
                .on_conflict(OnConflict::column("user_id").update_columns(["hour", "next_at"]).to_owned())
                .to_owned();
            tx.execute(&stmt).await?;
        }
        None => {
            let stmt =
                Query::delete().from_table(DIGESTS).and_where(Expr::col("user_id").eq(user.0)).to_owned();
            tx.execute(&stmt).await?;
        }
    }
    Ok(())
}

/// A digest due to be sent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueDigest {
    pub user_id: i64,
    pub hour: i64,
    pub next_at: Timestamp,
}

/// Up to `limit` digests due at `at`, earliest first (a range over `notification_digests_due`).
pub async fn due_digests(db: &Db, at: Timestamp, limit: u64) -> Result<Vec<DueDigest>> {
    let stmt = Query::select()
        .columns(["user_id", "hour", "next_at"])
        .from(DIGESTS)
        .and_where(Expr::col("next_at").lte(at))
        .order_by("next_at", Order::Asc)
        .limit(limit)
        .to_owned();
    db.fetch_all(&stmt).await
}

/// Moves a digest due at `was` on to `next`; false when another instance moved it first.
pub async fn advance_digest(tx: &mut Tx, user: UserId, was: Timestamp, next: Timestamp) -> Result<bool> {
    let stmt = Query::update()
        .table(DIGESTS)
        .value("next_at", next)
        .and_where(Expr::col("user_id").eq(user.0))
        .and_where(Expr::col("next_at").eq(was))
        .to_owned();
    Ok(tx.execute(&stmt).await? == 1)
}
