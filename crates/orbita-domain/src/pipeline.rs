//! Sales pipelines (воронки) and their ordered stages.

use crate::{PipelineId, StageId};

crate::text_enum!(
    /// Whether a deal at this stage is still being worked, won or lost.
    StageKind { Open => "open", Won => "won", Lost => "lost" }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub id: PipelineId,
    pub name_ru: String,
    pub name_en: String,
    pub is_default: bool,
    pub position: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub id: StageId,
    pub pipeline_id: PipelineId,
    pub name_ru: String,
    pub name_en: String,
    pub kind: StageKind,
    /// Default probability (0–100) of a deal at this stage closing as won.
    pub probability: u8,
    pub position: i32,
}

/// A stage before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTemplate {
    pub name_ru: &'static str,
    pub name_en: &'static str,
    pub kind: StageKind,
    pub probability: u8,
}

/// The pipeline every installation starts with.
pub const DEFAULT_PIPELINE: (&str, &str) = ("Продажи", "Sales");

pub const DEFAULT_STAGES: &[StageTemplate] = &[
    StageTemplate {
        name_ru: "Новая заявка", name_en: "New request", kind: StageKind::Open, probability: 10
    },
    StageTemplate {
        name_ru: "Первый звонок", name_en: "First call", kind: StageKind::Open, probability: 20
    },
    StageTemplate {
        name_ru: "Коммерческое предложение",
        name_en: "Proposal",
        kind: StageKind::Open,
        probability: 40,
    },
    StageTemplate {
        name_ru: "Переговоры", name_en: "Negotiation", kind: StageKind::Open, probability: 60
    },
    StageTemplate {
        name_ru: "Успешно реализовано", name_en: "Won", kind: StageKind::Won, probability: 100
    },
    StageTemplate {
        name_ru: "Закрыто и не реализовано",
        name_en: "Lost",
        kind: StageKind::Lost,
        probability: 0,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pipeline_has_one_won_and_one_lost_stage_at_the_end() {
        let kinds: Vec<_> = DEFAULT_STAGES.iter().map(|s| s.kind).collect();
        assert_eq!(kinds.iter().filter(|k| **k == StageKind::Won).count(), 1);
        assert_eq!(kinds.iter().filter(|k| **k == StageKind::Lost).count(), 1);
        assert!(kinds[..kinds.len() - 2].iter().all(|k| *k == StageKind::Open));
    }
}
