//! The organisation's settings: one row.

use orbita_domain::Timestamp;
use orbita_domain::org::{Locale, OrgSettings};
use orbita_domain::validation::Currency;
use sea_query::{OnConflict, Query};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::values::corrupt;

#[derive(sqlx::FromRow)]
struct OrgRow {
    name: String,
    currency: String,
    time_zone: String,
    locale: String,
}

pub async fn get(db: &Db) -> Result<Option<OrgSettings>> {
    let stmt =
        Query::select().columns(["name", "currency", "time_zone", "locale"]).from("org_settings").to_owned();
    db.fetch_optional::<OrgRow>(&stmt)
        .await?
        .map(|row| {
            Ok(OrgSettings {
                name: row.name,
                currency: Currency::parse(&row.currency).map_err(corrupt)?,
                time_zone: row.time_zone,
                locale: Locale::parse(&row.locale)
                    .ok_or_else(|| corrupt(format!("locale {:?}", row.locale)))?,
            })
        })
        .transpose()
}

/// Stores the settings unless some are stored already.
pub async fn ensure(tx: &mut Tx, settings: &OrgSettings, now: Timestamp) -> Result<()> {
    let stmt = Query::insert()
        .into_table("org_settings")
        .columns(["id", "name", "currency", "time_zone", "locale", "created_at", "updated_at"])
        .values_panic([
            1.into(),
            settings.name.as_str().into(),
            settings.currency.as_str().into(),
            settings.time_zone.as_str().into(),
            settings.locale.as_str().into(),
            now.into(),
            now.into(),
        ])
        .on_conflict(OnConflict::column("id").do_nothing().to_owned())
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}
