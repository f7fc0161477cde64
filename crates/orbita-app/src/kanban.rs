//! The kanban board of a pipeline: a column per stage with its count and sum (over all the
//! deals the filter selects) and the first cards, each with its next open task.

use orbita_domain::access::{Action, Area};
use orbita_domain::deal::Deal;
use orbita_domain::pipeline::Stage;
use orbita_domain::task::Task;
use orbita_domain::{PipelineId, StageId};
use orbita_storage::deals::{self, DealFilter};
use orbita_storage::{Db, pipelines, tasks};

use crate::{Access, AppError};

#[derive(Debug, Clone)]
pub struct Column {
    pub stage: Stage,
    /// All deals at this stage that the filter selects, not only the cards shown.
    pub count: i64,
    /// Sums per currency, in minor units.
    pub sums: Vec<(String, i64)>,
    pub cards: Vec<Card>,
}

#[derive(Debug, Clone)]
pub struct Card {
    pub deal: Deal,
    pub next_task: Option<Task>,
}

/// Cards per column; a column with more shows a link to the filtered list.
pub const CARDS_PER_COLUMN: u64 = 30;

pub async fn board(
    db: &Db,
    access: &Access,
    pipeline: PipelineId,
    filter: &DealFilter,
) -> Result<Vec<Column>, AppError> {
    let visible = access.visibility(Area::Deals, Action::View)?;
    let filter = DealFilter { visible, pipeline_id: Some(pipeline), ..filter.clone() };
    let stages: Vec<Stage> =
        pipelines::stages(db).await?.into_iter().filter(|s| s.pipeline_id == pipeline).collect();
    if stages.is_empty() {
        return Err(AppError::NotFound);
    }
    let totals = deals::stage_totals(db, &filter).await?;
    let mut columns = Vec::with_capacity(stages.len());
    for stage in stages {
        let cards = deals::stage_cards(db, &filter, stage.id, CARDS_PER_COLUMN).await?;
        let stage_totals: Vec<_> = totals.iter().filter(|t| StageId(t.stage_id) == stage.id).collect();
        columns.push(Column {
            count: stage_totals.iter().map(|t| t.count).sum(),
            sums: stage_totals.iter().map(|t| (t.currency.clone(), t.amount_minor)).collect(),
            cards: cards.into_iter().map(|deal| Card { deal, next_task: None }).collect(),
            stage,
        });
    }
    // One query for the next tasks of every card on the board, not one per card.
    let ids: Vec<_> = columns.iter().flat_map(|c| c.cards.iter().map(|card| card.deal.id)).collect();
    let next = tasks::next_open_for_deals(db, &ids).await?;
    for card in columns.iter_mut().flat_map(|c| c.cards.iter_mut()) {
        card.next_task = next.iter().find(|t| t.fields.deal_id == Some(card.deal.id)).cloned();
    }
    Ok(columns)
}
