//! Handing records over: a leaving manager's companies, contacts, deals and tasks go to a
//! colleague in one transaction. Every record is checked against the actor's rights and gets
//! its own `owner_change` audit event, exactly as a single transfer does; the previous owner
//! then sees the records only if their scope covers the new owner.

use orbita_domain::access::{Action, Area, Scope};
use orbita_domain::user::User;
use orbita_domain::{FieldError, UserId, ValidationErrors};
use orbita_storage::{Db, ownership, users};

pub use orbita_domain::kind::RecordKind;

use crate::records;
use crate::{Access, AppError};

/// What to move: everything of `kinds` that `from` owns goes to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    pub from: UserId,
    pub to: UserId,
    pub kinds: Vec<RecordKind>,
    /// Only deals still open and tasks not done: won deals keep counting toward the target of
    /// the one who won them, done tasks stay with the one who did them.
    pub open_only: bool,
}

/// How many records of each kind (will) change hands, in the order asked.
pub type Counts = Vec<(RecordKind, u64)>;

/// Whether the user may hand over other people's records at all: a head of sales (their
/// group) or an administrator; a manager may only edit their own records.
pub fn may_transfer(access: &Access) -> bool {
    RecordKind::handed_over_kinds().any(|kind| {
        access.permissions.scope(kind.area(), Action::Edit).is_some_and(|s| s.covers(Scope::Group))
    })
}

/// The users a transfer may be between (for the pickers): those whose records of some kind
/// the user may edit.
pub async fn people(db: &Db, access: &Access) -> Result<Vec<User>, AppError> {
    if !may_transfer(access) {
        return Err(AppError::Forbidden);
    }
    let mut all = users::list(db).await?;
    all.retain(|u| {
        RecordKind::handed_over_kinds().any(|k| access.covers_owner(k.area(), Action::Edit, u.id))
    });
    Ok(all)
}

/// The new owner of a record must exist and be active (a single transfer's check).
pub(crate) async fn require_active(db: &Db, user: UserId) -> Result<(), AppError> {
    if !users::get(db, user).await?.is_active {
        return Err(FieldError::new("owner_id", "owner-inactive", "This user is deactivated").into());
    }
    Ok(())
}

/// A save over `expected` when the record is at `current` is stale: checked before anything
/// of a change is written, since its first write may not be the one carrying the version.
pub(crate) fn check_version(expected: Option<i64>, current: i64) -> Result<(), AppError> {
    match expected {
        Some(v) if v != current => Err(AppError::Stale),
        _ => Ok(()),
    }
}

/// The new owner an edit asks for, checked before anything is written: `None` when the owner
/// stays. The user must be allowed to edit the record as its owner's (a share lets one edit a
/// company, not give it away: `Forbidden`); the new owner must exist, be active and be within
/// the user's edit scope (a refusal on `field`, which the form shows by the picker).
pub(crate) async fn new_owner(
    db: &Db,
    access: &Access,
    area: Area,
    field: &'static str,
    current: UserId,
    asked: Option<UserId>,
) -> Result<Option<UserId>, AppError> {
    let Some(asked) = asked.filter(|o| *o != current) else { return Ok(None) };
    if !access.covers_owner(area, Action::Edit, current) {
        return Err(AppError::Forbidden);
    }
    let user = match users::get(db, asked).await {
        Ok(user) => user,
        Err(orbita_storage::StorageError::NotFound) => {
            return Err(FieldError::new(field, "user-unknown", "There is no such user").into());
        }
        Err(other) => return Err(other.into()),
    };
    if !user.is_active {
        return Err(FieldError::new(field, "owner-inactive", "This user is deactivated").into());
    }
    if !access.covers_owner(area, Action::Edit, asked) {
        return Err(
            FieldError::new(field, "owner-out-of-scope", "You cannot assign records to this user").into()
        );
    }
    Ok(Some(asked))
}

/// Field-level checks of a request, then the rights on both users for every kind.
async fn check(db: &Db, access: &Access, request: &TransferRequest) -> Result<(), AppError> {
    if !may_transfer(access) {
        return Err(AppError::Forbidden);
    }
    let mut errors = ValidationErrors::default();
    let from = users::get(db, request.from).await.ok();
    let to = users::get(db, request.to).await.ok();
    if from.is_none() {
        errors.push(FieldError::new("from_user_id", "user-unknown", "Choose whose records to hand over"));
    }
    match &to {
        None => errors.push(FieldError::new("to_user_id", "user-unknown", "Choose who receives them")),
        Some(user) if !user.is_active => {
            errors.push(FieldError::new("to_user_id", "owner-inactive", "This user is deactivated"))
        }
        Some(_) if request.from == request.to => errors.push(FieldError::new(
            "to_user_id",
            "same-user",
            "Choose another user than the one who gives the records",
        )),
        Some(_) => {}
    }
    if request.kinds.is_empty() {
        errors.push(FieldError::new("kinds", "kinds-empty", "Choose what to hand over"));
    }
    if request.kinds.iter().any(|k| !k.handed_over()) {
        errors.push(FieldError::new("kinds", "kind-not-handed-over", "These records stay with their author"));
    }
    for kind in &request.kinds {
        let area = kind.area();
        if from.is_some() && !access.covers_owner(area, Action::Edit, request.from) {
            errors.push(FieldError::new(
                "from_user_id",
                "owner-out-of-scope",
                "You cannot hand over this user's records",
            ));
            break;
        }
        if to.is_some() && !access.covers_owner(area, Action::Edit, request.to) {
            errors.push(FieldError::new(
                "to_user_id",
                "owner-out-of-scope",
                "You cannot give records to this user",
            ));
            break;
        }
    }
    Ok(errors.into_result()?)
}

fn kinds_once(kinds: &[RecordKind]) -> Vec<RecordKind> {
    let mut out: Vec<RecordKind> = Vec::new();
    for kind in kinds {
        if !out.contains(kind) {
            out.push(*kind);
        }
    }
    out
}

/// How many records a transfer would move, to show before the user confirms.
pub async fn preview(db: &Db, access: &Access, request: &TransferRequest) -> Result<Counts, AppError> {
    check(db, access, request).await?;
    let mut counts = Vec::new();
    for kind in kinds_once(&request.kinds) {
        let n = ownership::count_owned(db, kind, request.from, request.open_only).await?;
        counts.push((kind, u64::try_from(n).unwrap_or(0)));
    }
    Ok(counts)
}

/// Moves everything asked in one transaction: all of it, or (on any refusal) nothing.
pub async fn transfer(db: &Db, access: &Access, request: &TransferRequest) -> Result<Counts, AppError> {
    check(db, access, request).await?;
    let now = orbita_domain::now();
    let (from, to, open_only) = (request.from, request.to, request.open_only);
    let mut tx = db.begin().await?;
    let mut counts = Vec::new();
    for kind in kinds_once(&request.kinds) {
        let ids = ownership::owned_ids(&mut tx, kind, from, open_only).await?;
        // Activities are refused by `check`: none is ever asked to move.
        let moved = records::transfer_in(&mut tx, access, kind, &ids, to, now).await?;
        counts.push((kind, moved));
    }
    tx.commit().await?;
    Ok(counts)
}
