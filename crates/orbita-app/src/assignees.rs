//! Who gets a piece of incoming work (an automation rule's task, a web form's request): a named
//! user, or a member of a group — the next in turn (round-robin) or the one with the fewest open
//! tasks. One choice for every caller, so the two kinds of work share the same fairness.

use orbita_domain::automation::{self, Assignee};
use orbita_domain::{GroupId, UserId};
use orbita_storage::{Db, Tx, tasks, users};

use crate::AppError;

/// Why no one could be chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoOne {
    /// The named user was deactivated.
    Deactivated,
    /// The group has no active member.
    EmptyGroup,
}

/// The user `assignee` names now. `deal_owner` answers `Assignee::DealOwner`; `last` is who
/// took the previous turn of a round-robin. Read inside the write it is for, so that two
/// choices made at once (under the caller's `take_turns`) see each other.
pub async fn pick_in(
    tx: &mut Tx,
    db: &Db,
    assignee: Assignee,
    deal_owner: Option<UserId>,
    last: Option<UserId>,
) -> Result<Result<UserId, NoOne>, AppError> {
    Ok(match assignee {
        Assignee::DealOwner => deal_owner.ok_or(NoOne::Deactivated),
        Assignee::User(user) if active_users(db).await?.contains(&user) => Ok(user),
        Assignee::User(_) => Err(NoOne::Deactivated),
        Assignee::RoundRobin(group) => {
            let members = active_members(db, group).await?;
            automation::next_in_turn(&members, last).ok_or(NoOne::EmptyGroup)
        }
        Assignee::LeastLoaded(group) => {
            let members = active_members(db, group).await?;
            let counts = tasks::open_counts_in(tx, &members).await?;
            let load = |m: &UserId| counts.iter().find(|(u, _)| u == m).map_or(0, |(_, n)| *n);
            // The fewest open tasks; the lowest id among equals, so the choice is repeatable.
            members.iter().min_by_key(|m| (load(m), **m)).copied().ok_or(NoOne::EmptyGroup)
        }
    })
}

/// Read only for the assignees that need it: a rule giving the deal's owner the task reads no
/// users.
async fn active_users(db: &Db) -> Result<Vec<UserId>, AppError> {
    Ok(users::list(db).await?.into_iter().filter(|u| u.is_active).map(|u| u.id).collect())
}

async fn active_members(db: &Db, group: GroupId) -> Result<Vec<UserId>, AppError> {
    let active = active_users(db).await?;
    Ok(users::group_members(db, group).await?.into_iter().filter(|m| active.contains(m)).collect())
}
