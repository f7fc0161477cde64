//! An activity: one contact with a counterparty (call, meeting, e-mail) or a note, planned or
//! done: the register the users asked for ("who, with whom, about what, how long, which way").

use crate::fields::{FieldValue, FieldValues};
use crate::{
    ActivityId, CompanyId, ContactId, DealId, FieldError, Timestamp, UserId, ValidationErrors, text,
};

crate::text_enum!(
    ActivityKind { Call => "call", Meeting => "meeting", Email => "email", Note => "note" }
);

crate::text_enum!(
    Direction { Incoming => "incoming", Outgoing => "outgoing" }
);

crate::text_enum!(
    ActivityStatus { Planned => "planned", Done => "done" }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFields {
    pub kind: ActivityKind,
    pub direction: Option<Direction>,
    pub status: ActivityStatus,
    pub occurred_at: Timestamp,
    pub duration_minutes: Option<u32>,
    /// The substance of the talk.
    pub subject: String,
    pub responsible_id: UserId,
    pub company_id: Option<CompanyId>,
    pub contact_id: Option<ContactId>,
    pub deal_id: Option<DealId>,
}

impl FieldValues for ActivityFields {
    fn values(&self) -> Vec<(&'static str, FieldValue)> {
        let word = |w: &str| FieldValue::Text(Some(w.to_owned()));
        vec![
            ("kind", word(self.kind.as_str())),
            ("direction", FieldValue::Text(self.direction.map(|d| d.as_str().to_owned()))),
            ("status", word(self.status.as_str())),
            ("occurred_at", FieldValue::Moment(Some(self.occurred_at))),
            ("duration_minutes", FieldValue::Integer(self.duration_minutes.map(i64::from))),
            ("subject", FieldValue::Text(Some(self.subject.clone()))),
            ("responsible_id", FieldValue::Integer(Some(self.responsible_id.0))),
            ("company_id", FieldValue::Integer(self.company_id.map(|c| c.0))),
            ("contact_id", FieldValue::Integer(self.contact_id.map(|c| c.0))),
            ("deal_id", FieldValue::Integer(self.deal_id.map(|d| d.0))),
        ]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub id: ActivityId,
    pub fields: ActivityFields,
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
    /// The values of its custom fields.
    pub custom: crate::custom::CustomValues,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct ActivityInput {
    pub kind: ActivityKind,
    pub direction: Option<Direction>,
    pub status: Option<ActivityStatus>,
    pub occurred_at: Timestamp,
    pub duration_minutes: Option<i64>,
    #[serde(default)]
    pub subject: String,
    pub responsible_id: UserId,
    pub company_id: Option<CompanyId>,
    pub contact_id: Option<ContactId>,
    pub deal_id: Option<DealId>,
}

impl ActivityInput {
    pub fn validate(&self) -> Result<ActivityFields, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let subject = match self.kind {
            // A note is nothing but its text; a call may be logged before its substance is known.
            ActivityKind::Note => errors.check(text::required(&self.subject, "subject", 10_000)),
            _ => errors
                .check(text::optional_limited(&self.subject, "subject", 10_000))
                .map(Option::unwrap_or_default),
        };
        let duration_minutes = match self.duration_minutes {
            Some(minutes) if !(0..=24 * 60).contains(&minutes) => {
                errors.push(FieldError::new("duration_minutes", "duration-range", "From 0 to 1440 minutes"));
                None
            }
            other => other.and_then(|m| u32::try_from(m).ok()),
        };
        if self.kind != ActivityKind::Note
            && self.company_id.is_none()
            && self.contact_id.is_none()
            && self.deal_id.is_none()
        {
            errors.push(FieldError::new(
                "company_id",
                "link-required",
                "Link it to a company, contact or deal",
            ));
        }
        errors.into_result().map(|()| ActivityFields {
            kind: self.kind,
            direction: self.direction,
            status: self.status.unwrap_or(ActivityStatus::Done),
            occurred_at: self.occurred_at,
            duration_minutes,
            subject: subject.unwrap_or_default(),
            responsible_id: self.responsible_id,
            company_id: self.company_id,
            contact_id: self.contact_id,
            deal_id: self.deal_id,
        })
    }
}
