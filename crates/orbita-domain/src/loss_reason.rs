//! Loss reasons: the administrator's list of why deals are lost ("Дорого", "Выбрали
//! конкурента"), for every pipeline or for one. A manager closing a deal as lost picks one or
//! says another in their own words ("other"); the deal keeps the words, so a reason renamed
//! or retired later leaves the deals lost for it as they were, and reports group by them.

use crate::error::{FieldError, ValidationErrors};
use crate::{PipelineId, Timestamp};

/// A reason's name, at most this many characters.
pub const NAME_MAX: usize = 100;
/// The choice that means "none of these: my own words".
pub const OTHER: &str = "other";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossReason {
    pub id: i64,
    /// None: offered in every pipeline.
    pub pipeline_id: Option<PipelineId>,
    pub name: String,
    pub position: i32,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl LossReason {
    /// Whether a deal of `pipeline` is offered this reason.
    pub fn offered_in(&self, pipeline: PipelineId) -> bool {
        self.active && self.pipeline_id.is_none_or(|p| p == pipeline)
    }
}

/// A reason as a form or the API sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct LossReasonInput {
    pub name: String,
    pub pipeline_id: Option<PipelineId>,
    pub active: Option<bool>,
}

/// A checked reason: its name trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossReasonFields {
    pub name: String,
    pub pipeline_id: Option<PipelineId>,
    pub active: bool,
}

impl LossReasonInput {
    pub fn validate(&self) -> Result<LossReasonFields, ValidationErrors> {
        let name = self.name.trim();
        let mut errors = ValidationErrors::default();
        if name.is_empty() {
            errors.push(FieldError::new("name", "required", "Enter the reason"));
        } else if name.chars().count() > NAME_MAX {
            errors.push(FieldError::new("name", "too-long", "At most 100 characters"));
        }
        errors.into_result()?;
        Ok(LossReasonFields {
            name: name.to_owned(),
            pipeline_id: self.pipeline_id,
            active: self.active.unwrap_or(true),
        })
    }
}

/// The words a lost deal keeps: the chosen reason's name, or the typed text for "other" (or
/// when nothing was chosen: a form without a list, the API, a script).
pub fn chosen_words(choice: &str, typed: &str, reasons: &[LossReason]) -> String {
    let picked = choice.trim().parse::<i64>().ok().and_then(|id| reasons.iter().find(|r| r.id == id));
    match picked {
        Some(reason) => reason.name.clone(),
        None => typed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(id: i64, pipeline: Option<i64>, name: &str, active: bool) -> LossReason {
        LossReason {
            id,
            pipeline_id: pipeline.map(PipelineId),
            name: name.into(),
            position: 0,
            active,
            created_at: crate::now(),
            updated_at: crate::now(),
        }
    }

    #[test]
    fn a_choice_gives_its_words_and_other_the_typed_ones() {
        let list = [reason(1, None, "Дорого", true), reason(2, Some(5), "Не прошли тендер", true)];
        assert_eq!(chosen_words("1", "", &list), "Дорого");
        assert_eq!(chosen_words(OTHER, "Уехали за границу", &list), "Уехали за границу");
        assert_eq!(chosen_words("", "  Свой текст ", &list), "  Свой текст ");
        assert_eq!(chosen_words("99", "typed", &list), "typed", "an unknown id is not a reason");
    }

    #[test]
    fn a_reason_is_offered_in_its_pipeline_or_in_all_while_active() {
        assert!(reason(1, None, "x", true).offered_in(PipelineId(3)));
        assert!(reason(1, Some(3), "x", true).offered_in(PipelineId(3)));
        assert!(!reason(1, Some(4), "x", true).offered_in(PipelineId(3)));
        assert!(!reason(1, None, "x", false).offered_in(PipelineId(3)));
    }

    #[test]
    fn a_name_is_required_and_short() {
        assert!(LossReasonInput { name: "  ".into(), ..Default::default() }.validate().is_err());
        assert!(LossReasonInput { name: "я".repeat(101), ..Default::default() }.validate().is_err());
        let ok = LossReasonInput { name: " Дорого ".into(), ..Default::default() }.validate().expect("ok");
        assert_eq!((ok.name.as_str(), ok.active), ("Дорого", true));
    }
}
