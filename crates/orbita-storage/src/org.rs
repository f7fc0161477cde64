//! The organisation's settings: one row.

use orbita_domain::Timestamp;
use orbita_domain::org::{Locale, OrgSettings};
use orbita_domain::validation::Currency;
use orbita_domain::working_time::WorkingHours;
use sea_query::{ExprTrait, OnConflict, Query};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::values::corrupt;
use crate::values::table_row;

table_row! {
    struct OrgRow {
        name: String,
        currency: String,
        time_zone: String,
        locale: String,
        overdue_escalation_minutes: i64,
        work_days: String,
        work_start_minute: i64,
        work_end_minute: i64,
    }
}

pub async fn get(db: &Db) -> Result<Option<OrgSettings>> {
    let stmt = Query::select().columns(COLUMNS).from("org_settings").to_owned();
    db.fetch_optional::<OrgRow>(&stmt).await?.map(OrgRow::into_settings).transpose()
}

impl OrgRow {
    fn into_settings(self) -> Result<OrgSettings> {
        Ok(OrgSettings {
            name: self.name,
            currency: Currency::parse(&self.currency).map_err(corrupt)?,
            time_zone: self.time_zone,
            locale: Locale::parse(&self.locale)
                .ok_or_else(|| corrupt(format!("locale {:?}", self.locale)))?,
            overdue_escalation_minutes: self.overdue_escalation_minutes,
            working_hours: WorkingHours::from_stored(
                &self.work_days,
                self.work_start_minute,
                self.work_end_minute,
            )
            .ok_or_else(|| corrupt(format!("working days {:?}", self.work_days)))?,
        })
    }
}

/// Stores the settings unless some are stored already.
pub async fn ensure(tx: &mut Tx, settings: &OrgSettings, now: Timestamp) -> Result<()> {
    let stmt = Query::insert()
        .into_table("org_settings")
        .columns(["id"].into_iter().chain(COLUMNS).chain(["created_at", "updated_at"]))
        .values_panic([
            1.into(),
            settings.name.as_str().into(),
            settings.currency.as_str().into(),
            settings.time_zone.as_str().into(),
            settings.locale.as_str().into(),
            settings.overdue_escalation_minutes.into(),
            settings.working_hours.days_text().into(),
            i64::from(settings.working_hours.start).into(),
            i64::from(settings.working_hours.end).into(),
            now.into(),
            now.into(),
        ])
        .on_conflict(OnConflict::column("id").do_nothing().to_owned())
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}

/// Replaces the settings (the row `bootstrap` stored).
pub async fn update(tx: &mut Tx, settings: &OrgSettings, now: Timestamp) -> Result<()> {
    let stmt = Query::update()
        .table("org_settings")
        .value("name", settings.name.as_str())
        .value("currency", settings.currency.as_str())
        .value("time_zone", settings.time_zone.as_str())
        .value("locale", settings.locale.as_str())
        .value("overdue_escalation_minutes", settings.overdue_escalation_minutes)
        .value("work_days", settings.working_hours.days_text())
        .value("work_start_minute", i64::from(settings.working_hours.start))
        .value("work_end_minute", i64::from(settings.working_hours.end))
        .value("updated_at", now)
        .and_where(sea_query::Expr::col("id").eq(1))
        .to_owned();
    match tx.execute(&stmt).await? {
        0 => Err(crate::StorageError::NotFound),
        _ => Ok(()),
    }
}

/// Reads inside a write transaction: the "before" of an audited change.
pub async fn get_in(tx: &mut Tx) -> Result<Option<OrgSettings>> {
    let stmt = Query::select().columns(COLUMNS).from("org_settings").to_owned();
    tx.fetch_optional::<OrgRow>(&stmt).await?.map(OrgRow::into_settings).transpose()
}
