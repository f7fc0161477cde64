//! What each kind's list selects and how it may be ordered. Every filter carries the reader's
//! scope (`visible`) beside the user's own conditions, so no list can be asked without it.

use crate::activity::{ActivityKind, ActivityStatus};
use crate::audit::AuditAction;
use crate::custom::{CustomField, CustomSort};
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
    /// Only deals whose web form's page carried this `utm_campaign` (the sources report's lines).
    pub utm_campaign: Option<String>,
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
    /// By a custom field instead of the list's own order (due time, the undated last).
    pub order: Option<CustomOrder>,
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
    /// By a custom field instead of the list's own order (newest first).
    pub order: Option<CustomOrder>,
}

/// A list with one order of its own (tasks, activities) ordered by a custom field instead:
/// `sort=custom.place`, or `-custom.place` descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomOrder {
    pub by: CustomSort,
    pub descending: bool,
}

impl CustomOrder {
    /// The order `sort` asks for among `fields`: `None` for any other sort, or a field that is
    /// not there or cannot order a list.
    pub fn parse(sort: &str, fields: &[CustomField]) -> Option<CustomOrder> {
        let sort = sort.trim();
        let (key, descending) = sort.strip_prefix('-').map_or((sort, false), |key| (key, true));
        let key = key.strip_prefix("custom.")?;
        let field = fields.iter().find(|f| f.key == key && f.is_active())?;
        Some(CustomOrder { by: CustomSort::of(field)?, descending })
    }

    /// How a URL writes it.
    pub fn text(&self) -> String {
        format!("{}custom.{}", if self.descending { "-" } else { "" }, self.by.key())
    }
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
