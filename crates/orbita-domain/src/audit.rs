//! The audit log (журнал событий): who did what to which record, when and from where.
//! Append-only: events are written in the same transaction as the change they describe.

use crate::{AuditEventId, Timestamp, UserId};

crate::text_enum!(
    /// `access_request`: someone who cannot see a record asked its owner for it.
    AuditAction {
        Create => "create",
        Update => "update",
        Delete => "delete",
        StageChange => "stage_change",
        OwnerChange => "owner_change",
        Export => "export",
        SignIn => "sign_in",
        SignInFailed => "sign_in_failed",
        SignOut => "sign_out",
        AccessRequest => "access_request",
    }
);

crate::text_enum!(
    /// What an event is about: a kind of record, or, for an `export`, the list or report that
    /// was exported. The one list of them: the audit log page filters by these, and storage
    /// refuses (in debug builds, so every test checks it) an event about anything else.
    AuditEntity {
        Company => "company",
        Contact => "contact",
        Deal => "deal",
        Task => "task",
        Activity => "activity",
        User => "user",
        Group => "group",
        Role => "role",
        Settings => "settings",
        CustomField => "custom_field",
        SalesTarget => "sales_target",
        ApiToken => "api_token",
        Job => "job",
        AutomationRule => "automation_rule",
        Webhook => "webhook",
        WebForm => "web_form",
        LossReason => "loss_reason",
        Companies => "companies",
        Contacts => "contacts",
        Deals => "deals",
        Tasks => "tasks",
        Activities => "activities",
        AuditLog => "audit_log",
        SummaryReport => "summary_report",
        FunnelReport => "funnel_report",
        SourcesReport => "sources_report",
    }
);

/// One field's value before and after, as display text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub actor_id: Option<UserId>,
    pub ip: Option<String>,
    /// What made the change when no person did: `automation: <rule name>`.
    pub via: Option<String>,
    /// `company`, `deal`, `user`, …: one of `AuditEntity`.
    pub entity: &'static str,
    pub entity_id: Option<i64>,
    pub action: AuditAction,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: AuditEventId,
    pub occurred_at: Timestamp,
    pub actor_id: Option<UserId>,
    pub ip: Option<String>,
    /// What made the change when no person did: `automation: <rule name>`.
    pub via: Option<String>,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub action: AuditAction,
    pub changes: Vec<FieldChange>,
}

/// The field-level difference between two versions, each given as (field, display text).
pub fn diff(before: &[(&str, Option<String>)], after: &[(&str, Option<String>)]) -> Vec<FieldChange> {
    after
        .iter()
        .filter_map(|(field, new)| {
            let old = before.iter().find(|(f, _)| f == field).and_then(|(_, v)| v.clone());
            (old != *new).then(|| FieldChange { field: (*field).to_owned(), before: old, after: new.clone() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lists_only_changed_fields() {
        let before = [("name", Some("A".to_owned())), ("inn", None)];
        let after = [("name", Some("B".to_owned())), ("inn", None)];
        assert_eq!(
            diff(&before, &after),
            vec![FieldChange { field: "name".into(), before: Some("A".into()), after: Some("B".into()) }]
        );
    }
}
