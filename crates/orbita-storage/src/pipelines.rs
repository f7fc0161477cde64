//! Pipelines and their ordered stages.

use orbita_domain::pipeline::{Pipeline, Stage, StageKind, StageTemplate};
use orbita_domain::{PipelineId, StageId, Timestamp};
use sea_query::{Expr, ExprTrait, Order, Query};

use crate::db::{Db, Tx};
use crate::error::Result;
use crate::values::corrupt;

#[derive(sqlx::FromRow)]
struct PipelineRow {
    id: i64,
    name_ru: String,
    name_en: String,
    is_default: bool,
    position: i32,
}

#[derive(sqlx::FromRow)]
struct StageRow {
    id: i64,
    pipeline_id: i64,
    name_ru: String,
    name_en: String,
    kind: String,
    probability: i32,
    position: i32,
}

impl TryFrom<StageRow> for Stage {
    type Error = crate::StorageError;

    fn try_from(row: StageRow) -> Result<Self> {
        Ok(Stage {
            id: StageId(row.id),
            pipeline_id: PipelineId(row.pipeline_id),
            name_ru: row.name_ru,
            name_en: row.name_en,
            kind: StageKind::parse(&row.kind).ok_or_else(|| corrupt(format!("stage kind {:?}", row.kind)))?,
            probability: u8::try_from(row.probability).map_err(corrupt)?,
            position: row.position,
        })
    }
}

const STAGE_COLUMNS: [&str; 7] =
    ["id", "pipeline_id", "name_ru", "name_en", "kind", "probability", "position"];

/// Creates a pipeline with its stages in order.
pub async fn insert(
    tx: &mut Tx,
    names: (&str, &str),
    is_default: bool,
    stages: &[StageTemplate],
    now: Timestamp,
) -> Result<PipelineId> {
    let position: Option<(i32,)> = tx
        .fetch_optional(&Query::select().expr(Expr::col("position").max()).from("pipelines").to_owned())
        .await
        .ok()
        .flatten();
    let id = tx
        .insert(
            Query::insert()
                .into_table("pipelines")
                .columns(["name_ru", "name_en", "is_default", "position", "created_at", "updated_at"])
                .values_panic([
                    names.0.into(),
                    names.1.into(),
                    is_default.into(),
                    (position.map_or(0, |p| p.0) + 1).into(),
                    now.into(),
                    now.into(),
                ])
                .to_owned(),
        )
        .await?;
    for (index, stage) in stages.iter().enumerate() {
        let stmt = Query::insert()
            .into_table("stages")
            .columns([
                "pipeline_id",
                "name_ru",
                "name_en",
                "kind",
                "probability",
                "position",
                "created_at",
                "updated_at",
            ])
            .values_panic([
                id.into(),
                stage.name_ru.into(),
                stage.name_en.into(),
                stage.kind.as_str().into(),
                i32::from(stage.probability).into(),
                i32::try_from(index + 1).map_err(corrupt)?.into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        tx.insert(stmt).await?;
    }
    Ok(PipelineId(id))
}

pub async fn list(db: &Db) -> Result<Vec<Pipeline>> {
    let rows: Vec<PipelineRow> = db
        .fetch_all(
            &Query::select()
                .columns(["id", "name_ru", "name_en", "is_default", "position"])
                .from("pipelines")
                .order_by("position", Order::Asc)
                .to_owned(),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Pipeline {
            id: PipelineId(r.id),
            name_ru: r.name_ru,
            name_en: r.name_en,
            is_default: r.is_default,
            position: r.position,
        })
        .collect())
}

/// All stages of all pipelines, in pipeline and stage order: few rows, read whole.
pub async fn stages(db: &Db) -> Result<Vec<Stage>> {
    let rows: Vec<StageRow> = db
        .fetch_all(
            &Query::select()
                .columns(STAGE_COLUMNS)
                .from("stages")
                .order_by("pipeline_id", Order::Asc)
                .order_by("position", Order::Asc)
                .to_owned(),
        )
        .await?;
    rows.into_iter().map(Stage::try_from).collect()
}

pub async fn get_stage_in(tx: &mut Tx, id: StageId) -> Result<Stage> {
    tx.fetch_one::<StageRow>(
        &Query::select().columns(STAGE_COLUMNS).from("stages").and_where(Expr::col("id").eq(id.0)).to_owned(),
    )
    .await?
    .try_into()
}
