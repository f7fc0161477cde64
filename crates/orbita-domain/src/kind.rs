//! The kinds of records the CRM keeps, in one list, and a reference to any one record.
//! Every decision that differs by kind is a method here with an exhaustive match, so a new
//! kind that is not thought through somewhere does not compile (records kernel).

use crate::access::Area;
use crate::audit::AuditEntity;
use crate::fields::{self, FieldSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKind {
    Company,
    Contact,
    Deal,
    Task,
    Activity,
}

/// A record of any kind: what links, notes and the timeline point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordRef {
    pub kind: RecordKind,
    pub id: i64,
}

/// A typed id names its record.
macro_rules! record_ids {
    ($($id:ident => $kind:ident),* $(,)?) => {$(
        impl From<crate::$id> for RecordRef {
            fn from(id: crate::$id) -> Self {
                RecordRef { kind: RecordKind::$kind, id: id.0 }
            }
        }
    )*};
}

record_ids!(
    CompanyId => Company,
    ContactId => Contact,
    DealId => Deal,
    TaskId => Task,
    ActivityId => Activity,
);

impl RecordKind {
    pub const ALL: [RecordKind; 5] =
        [RecordKind::Company, RecordKind::Contact, RecordKind::Deal, RecordKind::Task, RecordKind::Activity];

    /// One record's name: the audit log's entity, the API's singular.
    pub fn key(self) -> &'static str {
        self.audit_entity().as_str()
    }

    /// The list's name: its URL, its navigation label, the hand-over form's value.
    pub fn list_key(self) -> &'static str {
        match self {
            RecordKind::Company => "companies",
            RecordKind::Contact => "contacts",
            RecordKind::Deal => "deals",
            RecordKind::Task => "tasks",
            RecordKind::Activity => "activities",
        }
    }

    pub fn parse_list_key(raw: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.list_key() == raw)
    }

    /// The rights area that governs records of this kind.
    pub fn area(self) -> Area {
        match self {
            RecordKind::Company => Area::Companies,
            RecordKind::Contact => Area::Contacts,
            RecordKind::Deal => Area::Deals,
            RecordKind::Task => Area::Tasks,
            RecordKind::Activity => Area::Activities,
        }
    }

    pub fn audit_entity(self) -> AuditEntity {
        match self {
            RecordKind::Company => AuditEntity::Company,
            RecordKind::Contact => AuditEntity::Contact,
            RecordKind::Deal => AuditEntity::Deal,
            RecordKind::Task => AuditEntity::Task,
            RecordKind::Activity => AuditEntity::Activity,
        }
    }

    /// The fields a filter may compare.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            RecordKind::Company => fields::COMPANY_FIELDS,
            RecordKind::Contact => fields::CONTACT_FIELDS,
            RecordKind::Deal => fields::DEAL_FIELDS,
            RecordKind::Task => fields::TASK_FIELDS,
            RecordKind::Activity => fields::ACTIVITY_FIELDS,
        }
    }

    pub fn table(self) -> &'static str {
        self.list_key()
    }

    /// The column a record is named by, and a list sorted "by name" orders.
    pub fn name_column(self) -> &'static str {
        match self {
            RecordKind::Company => "name",
            RecordKind::Contact => "last_name",
            RecordKind::Deal | RecordKind::Task => "title",
            RecordKind::Activity => "subject",
        }
    }

    /// The column that says whose a record is: the rights scope and the hand-over follow it.
    pub fn owner_column(self) -> &'static str {
        match self {
            RecordKind::Company | RecordKind::Contact | RecordKind::Deal => "owner_id",
            RecordKind::Task => "assignee_id",
            RecordKind::Activity => "responsible_id",
        }
    }

    /// Whether handing over a leaving manager's records moves this kind. Activities are
    /// history: a call stays with the one who made it.
    pub fn handed_over(self) -> bool {
        match self {
            RecordKind::Company | RecordKind::Contact | RecordKind::Deal | RecordKind::Task => true,
            RecordKind::Activity => false,
        }
    }

    /// The kinds a hand-over moves, in list order.
    pub fn handed_over_kinds() -> impl Iterator<Item = RecordKind> {
        RecordKind::ALL.into_iter().filter(|k| k.handed_over())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_fields_use_the_table() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::parse_list_key(kind.list_key()), Some(kind));
            assert!(
                crate::fields::find(kind.fields(), kind.owner_column()).is_some(),
                "{kind:?}: owner is a field"
            );
        }
        let moved: Vec<_> = RecordKind::handed_over_kinds().map(RecordKind::list_key).collect();
        assert_eq!(moved, ["companies", "contacts", "deals", "tasks"]);
    }
}
