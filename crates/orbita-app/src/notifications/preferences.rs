//! Each user's own choices: per kind of notification, the bell and e-mail; and the daily
//! digest's hour. Only the user reads and changes theirs.

use orbita_domain::notification::{Preferences, next_digest_at};
use orbita_i18n::format;
use orbita_storage::Db;
use orbita_storage::notification_preferences as store;

use crate::{Access, AppError};

/// The user's choices, every kind filled in (defaults where they never chose).
pub async fn preferences(db: &Db, access: &Access) -> Result<Preferences, AppError> {
    let user = access.user_id();
    let stored = store::list(db, user).await?;
    let digest_hour = store::digest_hour(db, user).await?;
    Ok(Preferences::from_stored(&stored, digest_hour))
}

/// Stores the user's choices; the digest, when on, is next due at its hour in the
/// organisation's time zone.
pub async fn save_preferences(
    db: &Db,
    access: &Access,
    choices: &Preferences,
) -> Result<Preferences, AppError> {
    choices.validate()?;
    let user = access.user_id();
    let zone = format::time_zone(&crate::setup::settings(db).await?.time_zone);
    let digest = choices.digest_hour.map(|hour| (hour, next_digest_at(hour, &zone, orbita_domain::now())));
    let before = store::digest_hour(db, user).await?;
    let mut tx = db.begin().await?;
    store::save(&mut tx, user, &choices.kinds).await?;
    // Saving the same hour again keeps the day's digest where it was.
    if before != choices.digest_hour {
        store::set_digest(&mut tx, user, digest).await?;
    }
    tx.commit().await?;
    preferences(db, access).await
}
