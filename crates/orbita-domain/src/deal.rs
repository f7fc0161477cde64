//! A deal (сделка): a sale being worked through a pipeline's stages to won or lost.

use chrono::NaiveDate;

use crate::fields::{FieldValue, FieldValues};
use crate::pipeline::{Stage, StageKind};
use crate::validation::{Currency, Money};
use crate::{
    CompanyId, ContactId, DealId, FieldError, PipelineId, StageId, Timestamp, UserId, ValidationErrors, text,
};

crate::text_enum!(
    DealStatus { Open => "open", Won => "won", Lost => "lost" }
);

impl From<StageKind> for DealStatus {
    fn from(kind: StageKind) -> Self {
        match kind {
            StageKind::Open => DealStatus::Open,
            StageKind::Won => DealStatus::Won,
            StageKind::Lost => DealStatus::Lost,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealFields {
    pub title: String,
    pub company_id: Option<CompanyId>,
    pub contact_id: Option<ContactId>,
    pub amount: Money,
    pub expected_close_date: Option<NaiveDate>,
    pub source: Option<String>,
    pub notes: Option<String>,
}

impl FieldValues for DealFields {
    fn values(&self) -> Vec<(&'static str, FieldValue)> {
        vec![
            ("title", FieldValue::Text(Some(self.title.clone()))),
            ("company_id", FieldValue::Integer(self.company_id.map(|c| c.0))),
            ("contact_id", FieldValue::Integer(self.contact_id.map(|c| c.0))),
            ("amount", FieldValue::Money { value: self.amount, minor_column: "amount_minor" }),
            ("currency", FieldValue::Text(Some(self.amount.currency.as_str().to_owned()))),
            ("expected_close_date", FieldValue::Date(self.expected_close_date)),
            ("source", FieldValue::Text(self.source.clone())),
            ("notes", FieldValue::Text(self.notes.clone())),
        ]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Deal {
    pub id: DealId,
    pub fields: DealFields,
    pub pipeline_id: PipelineId,
    pub stage_id: StageId,
    pub status: DealStatus,
    /// 0–100; follows the stage unless a user sets it.
    pub probability: u8,
    pub lost_reason: Option<String>,
    pub closed_at: Option<Timestamp>,
    pub owner_id: UserId,
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
    /// The values of the deal's custom fields.
    pub custom: crate::custom::CustomValues,
    /// The web form and advertising tags it came from, when it came from the site.
    pub origin: crate::web_form::DealOrigin,
    /// When it entered the stage it is at (none only for a deal saved before this was kept).
    pub stage_entered_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DealInput {
    pub title: String,
    pub company_id: Option<CompanyId>,
    pub contact_id: Option<ContactId>,
    /// As typed: "1 500 000,00" or "1500000.00".
    pub amount: String,
    /// Empty means the organisation's currency.
    pub currency: String,
    /// `YYYY-MM-DD`, or empty.
    pub expected_close_date: String,
    pub source: String,
    pub notes: String,
}

impl DealFields {
    /// These fields with the built-in field `key` set from `raw`, typed as the deal's form
    /// takes it (a rule's "set a field"): the same checks, in the deal's own currency.
    pub fn with_value(&self, key: &str, raw: &str) -> Result<DealFields, ValidationErrors> {
        let mut input = DealInput {
            title: self.title.clone(),
            company_id: self.company_id,
            contact_id: self.contact_id,
            amount: self.amount.amount.to_string(),
            currency: self.amount.currency.as_str().to_owned(),
            expected_close_date: self.expected_close_date.map(|d| d.to_string()).unwrap_or_default(),
            source: self.source.clone().unwrap_or_default(),
            notes: self.notes.clone().unwrap_or_default(),
        };
        let slot = match key {
            "title" => &mut input.title,
            "amount" => &mut input.amount,
            "expected_close_date" => &mut input.expected_close_date,
            "source" => &mut input.source,
            "notes" => &mut input.notes,
            _ => {
                let unknown = FieldError::new(key, "automation-field-unknown", "Choose a field of deals");
                return Err(ValidationErrors(vec![unknown]));
            }
        };
        raw.clone_into(slot);
        input.validate(&self.amount.currency)
    }

    /// Whether the built-in field `key` takes `raw` ([`DealFields::with_value`]'s checks on a
    /// deal whose other fields are all valid): a rule's value, checked when it is saved,
    /// before there is a deal to set it on.
    pub fn check_value(key: &str, raw: &str) -> Result<(), ValidationErrors> {
        let any = DealFields {
            title: "—".to_owned(),
            company_id: None,
            contact_id: None,
            amount: Money::from_minor(0, Currency::RUB),
            expected_close_date: None,
            source: None,
            notes: None,
        };
        any.with_value(key, raw).map(drop)
    }
}

impl DealInput {
    pub fn validate(&self, default_currency: &Currency) -> Result<DealFields, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = errors.check(text::required(&self.title, "title", 300));
        let amount = match text::optional(&self.amount) {
            Some(raw) => errors.check(Money::parse_amount(&raw, "amount")),
            None => Some(rust_decimal::Decimal::ZERO),
        };
        let currency = match text::optional(&self.currency) {
            Some(raw) => errors.check(Currency::parse(&raw)),
            None => Some(*default_currency),
        };
        let expected_close_date = errors
            .check(
                text::optional(&self.expected_close_date)
                    .map(|raw| {
                        NaiveDate::parse_from_str(&raw, "%Y-%m-%d").map_err(|_| {
                            FieldError::new(
                                "expected_close_date",
                                "date-format",
                                "Enter a date as YYYY-MM-DD",
                            )
                        })
                    })
                    .transpose(),
            )
            .flatten();
        let source = errors.check(text::optional_limited(&self.source, "source", 200)).flatten();
        let notes = errors.check(text::optional_limited(&self.notes, "notes", 10_000)).flatten();
        match (title, amount, currency) {
            (Some(title), Some(amount), Some(currency)) if errors.is_empty() => Ok(DealFields {
                title,
                company_id: self.company_id,
                contact_id: self.contact_id,
                amount: Money { amount, currency },
                expected_close_date,
                source,
                notes,
            }),
            _ => Err(errors),
        }
    }
}

/// What a deal becomes when it is moved to a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageMove {
    pub stage_id: StageId,
    pub status: DealStatus,
    pub probability: u8,
    pub lost_reason: Option<String>,
    pub closed_at: Option<Timestamp>,
}

/// The rule of the closing scenario: a won deal is closed now and counts toward its owner's
/// target; a lost deal needs a reason; moving back to an open stage reopens it.
pub fn move_to_stage(stage: &Stage, lost_reason: &str, now: Timestamp) -> Result<StageMove, FieldError> {
    let status = DealStatus::from(stage.kind);
    let lost_reason = match status {
        DealStatus::Lost => Some(text::required(lost_reason, "lost_reason", 500)?),
        _ => None,
    };
    Ok(StageMove {
        stage_id: stage.id,
        status,
        probability: stage.probability,
        lost_reason,
        closed_at: (status != DealStatus::Open).then_some(now),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(kind: StageKind, probability: u8) -> Stage {
        Stage {
            id: StageId(7),
            pipeline_id: PipelineId(1),
            name_ru: "x".into(),
            name_en: "x".into(),
            kind,
            probability,
            position: 1,
        }
    }

    #[test]
    fn amount_is_exact_and_defaults_to_org_currency() {
        let input =
            DealInput { title: "Окна".into(), amount: "1 500 000,10".into(), ..Default::default() };
        let fields = input.validate(&Currency::RUB).expect("valid");
        assert_eq!(fields.amount.to_minor(), 150_000_010);
        assert_eq!(fields.amount.currency, Currency::RUB);
    }

    #[test]
    fn bad_amount_and_date_are_named() {
        let input = DealInput {
            title: "x".into(),
            amount: "12.345".into(),
            expected_close_date: "31.12.2026".into(),
            ..Default::default()
        };
        let errors = input.validate(&Currency::RUB).expect_err("invalid");
        assert_eq!(errors.field("amount").map(|e| e.code), Some("amount-precision"));
        assert!(errors.field("expected_close_date").is_some());
    }

    #[test]
    fn lost_needs_a_reason_won_closes_open_reopens() {
        let now = crate::now();
        let err = move_to_stage(&stage(StageKind::Lost, 0), " ", now).expect_err("reason");
        assert_eq!(err.field, "lost_reason");
        let lost = move_to_stage(&stage(StageKind::Lost, 0), "Дорого", now).expect("lost");
        assert_eq!((lost.status, lost.closed_at), (DealStatus::Lost, Some(now)));
        let won = move_to_stage(&stage(StageKind::Won, 100), "", now).expect("won");
        assert_eq!((won.status, won.probability, won.lost_reason), (DealStatus::Won, 100, None));
        let open = move_to_stage(&stage(StageKind::Open, 40), "", now).expect("open");
        assert_eq!((open.status, open.closed_at, open.probability), (DealStatus::Open, None, 40));
    }
}
