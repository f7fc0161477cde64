//! What each kind's list selects and how it may be ordered. Every filter carries the reader's
//! scope (`visible`) beside the user's own conditions, so no list can be asked without it.

use crate::activity::{ActivityKind, ActivityStatus};
use crate::audit::AuditAction;
use crate::custom::CustomSort;
use crate::deal::DealStatus;
use crate::filter::Filter;
use crate::{CompanyId, ContactId, DealId, PipelineId, StageId, Timestamp, UserId};

use super::Visibility;

#[derive(Debug, Clone, Default)]
pub struct CompanyFilter {
    /// Name, INN, KPP, phone or e-mail fragment.
    pub q: Option<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    /// Whose companies the user may see (their scope); `None`: all.
    pub visible: Option<Visibility>,
    /// Only these owners (the list's owner filter).
    pub owner_ids: Option<Vec<UserId>>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub source: Option<String>,
    pub created_from: Option<Timestamp>,
    pub created_to: Option<Timestamp>,
    /// A condition as data (the API's `filter=`), relative periods resolved; beside the
    /// scope, never instead of it.
    pub tree: Option<Filter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompanySort {
    #[default]
    Name,
    CreatedAt,
    UpdatedAt,
    Custom(CustomSort),
}

#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Name, phone or e-mail fragment.
    pub q: Option<String>,
    pub company_id: Option<CompanyId>,
    /// Whose records the user may see (their scope); `None`: all.
    pub visible: Option<Visibility>,
    pub owner_ids: Option<Vec<UserId>>,
    pub created_from: Option<Timestamp>,
    pub created_to: Option<Timestamp>,
    /// A condition as data (the API's `filter=`), relative periods resolved; beside the
    /// scope, never instead of it.
    pub tree: Option<Filter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactSort {
    #[default]
    Name,
    CreatedAt,
    Custom(CustomSort),
}

#[derive(Debug, Clone, Default)]
pub struct DealFilter {
    pub q: Option<String>,
    pub pipeline_id: Option<PipelineId>,
    pub stage_ids: Option<Vec<StageId>>,
    pub status: Option<DealStatus>,
    /// Whose records the user may see (their scope); `None`: all.
    pub visible: Option<Visibility>,
    pub owner_ids: Option<Vec<UserId>>,
    pub company_id: Option<CompanyId>,
    pub contact_id: Option<ContactId>,
    pub source: Option<String>,
    /// Only deals of a company of this region (`companies.region`, matched exactly as the
    /// companies list matches it); a deal without a company has none.
    pub region: Option<String>,
    /// Only deals of a company of this industry, likewise.
    pub industry: Option<String>,
    pub created_from: Option<Timestamp>,
    pub created_to: Option<Timestamp>,
    pub closed_from: Option<Timestamp>,
    pub closed_to: Option<Timestamp>,
    /// A condition as data (the API's `filter=`), with relative periods resolved; beside the
    /// scope, never instead of it.
    pub tree: Option<Filter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DealSort {
    #[default]
    CreatedAt,
    UpdatedAt,
    Title,
    Amount,
    Custom(CustomSort),
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Whose tasks (by assignee) the user may see; `None`: all.
    pub visible: Option<Visibility>,
    pub assignee_ids: Option<Vec<UserId>>,
    /// `Some(false)`: open tasks only; `Some(true)`: done only.
    pub done: Option<bool>,
    /// Open tasks due before this moment.
    pub due_before: Option<Timestamp>,
    /// Tasks done in `done_from..done_to`: the list behind the summary report's "tasks done
    /// in the period".
    pub done_from: Option<Timestamp>,
    pub done_to: Option<Timestamp>,
    pub company_id: Option<CompanyId>,
    pub contact_id: Option<ContactId>,
    pub deal_id: Option<DealId>,
    /// A condition as data (the API's `filter=`), relative periods resolved; beside the
    /// scope, never instead of it.
    pub tree: Option<Filter>,
}

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub kind: Option<ActivityKind>,
    pub status: Option<ActivityStatus>,
    /// Whose activities (by responsible user) the user may see; `None`: all.
    pub visible: Option<Visibility>,
    pub responsible_ids: Option<Vec<UserId>>,
    pub company_id: Option<CompanyId>,
    pub contact_id: Option<ContactId>,
    pub deal_id: Option<DealId>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// A condition as data (the API's `filter=`), relative periods resolved; beside the
    /// scope, never instead of it.
    pub tree: Option<Filter>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<UserId>,
    /// The reader's scope: only what these users did (`None`: everyone's events).
    pub actors: Option<Vec<UserId>>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub action: Option<AuditAction>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}
