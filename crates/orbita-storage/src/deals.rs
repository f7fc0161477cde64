//! Deals: their fields, their stage moves (kept as history for the funnel) and their lists.

use chrono::NaiveDate;
use orbita_domain::deal::{Deal, DealFields, DealStatus, StageMove};
use orbita_domain::validation::{Currency, Money};
use orbita_domain::web_form::DealOrigin;
use orbita_domain::{CompanyId, ContactId, DealId, PipelineId, StageId, Timestamp, UserId};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement, Value};

use crate::bulk::BulkRow;
use crate::custom_fields;
use crate::db::{Db, Tx};
use crate::error::Result;
use crate::list::{
    Cursor, Keyset, OWNER_BY_OWNER_MAX, Page, SearchFrom, SortValue, Visibility, finish_page, merge_parts,
    scoped_owners, text_search, unique_ids, visible_to,
};
use crate::reports::companies_where;
use crate::values::{corrupt, field_columns, finish_update, id_opt, table_row};

pub use orbita_domain::list::{DealFilter, DealSort};

const TABLE: &str = "deals";

table_row! {
    owned struct DealRow {
        id: i64,
        title: String,
        company_id: Option<i64>,
        contact_id: Option<i64>,
        pipeline_id: i64,
        stage_id: i64,
        amount_minor: i64,
        currency: String,
        probability: i32,
        expected_close_date: Option<NaiveDate>,
        source: Option<String>,
        notes: Option<String>,
        status: String,
        lost_reason: Option<String>,
        closed_at: Option<Timestamp>,
        web_form_id: Option<i64>,
        utm_source: Option<String>,
        utm_medium: Option<String>,
        utm_campaign: Option<String>,
        utm_content: Option<String>,
        utm_term: Option<String>,
        referrer: Option<String>,
        landing_page: Option<String>,
        stage_entered_at: Option<Timestamp>,
    }
}

impl TryFrom<DealRow> for Deal {
    type Error = crate::StorageError;

    fn try_from(row: DealRow) -> Result<Self> {
        Ok(Deal {
            id: DealId(row.id),
            fields: DealFields {
                title: row.title,
                company_id: row.company_id.map(CompanyId),
                contact_id: row.contact_id.map(ContactId),
                amount: Money::from_minor(row.amount_minor, Currency::parse(&row.currency).map_err(corrupt)?),
                expected_close_date: row.expected_close_date,
                source: row.source,
                notes: row.notes,
            },
            pipeline_id: PipelineId(row.pipeline_id),
            stage_id: StageId(row.stage_id),
            status: DealStatus::parse(&row.status)
                .ok_or_else(|| corrupt(format!("deal status {:?}", row.status)))?,
            probability: u8::try_from(row.probability).map_err(corrupt)?,
            lost_reason: row.lost_reason,
            closed_at: row.closed_at,
            owner_id: UserId(row.owner_id),
            created_by: row.created_by.map(UserId),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
            custom: orbita_domain::custom::values_from_json(&row.custom),
            stage_entered_at: row.stage_entered_at,
            origin: DealOrigin {
                web_form_id: row.web_form_id,
                utm_source: row.utm_source,
                utm_medium: row.utm_medium,
                utm_campaign: row.utm_campaign,
                utm_content: row.utm_content,
                utm_term: row.utm_term,
                referrer: row.referrer,
                landing_page: row.landing_page,
            },
        })
    }
}

fn stage_values(m: &StageMove) -> [(&'static str, Value); 5] {
    [
        ("stage_id", m.stage_id.0.into()),
        ("status", m.status.as_str().into()),
        ("probability", i32::from(m.probability).into()),
        ("lost_reason", m.lost_reason.clone().into()),
        ("closed_at", m.closed_at.into()),
    ]
}

/// Creates a deal at a stage and records its entry into that stage.
fn new_row(
    fields: &DealFields,
    pipeline_id: PipelineId,
    stage: &StageMove,
    owner_id: UserId,
    created_by: Option<UserId>,
    now: Timestamp,
) -> BulkRow {
    let mut columns = field_columns(fields);
    columns.extend(stage_values(stage));
    columns.extend([
        ("pipeline_id", pipeline_id.0.into()),
        ("owner_id", owner_id.0.into()),
        ("created_by", id_opt(created_by)),
        ("created_at", now.into()),
        ("updated_at", now.into()),
        ("stage_entered_at", now.into()),
    ]);
    columns
}

/// Notes where a new deal came from (a web form's post), in the deal's own transaction.
pub async fn set_origin(tx: &mut Tx, id: DealId, origin: &DealOrigin) -> Result<()> {
    let values: [(&str, Value); 8] = [
        ("web_form_id", origin.web_form_id.into()),
        ("utm_source", origin.utm_source.clone().into()),
        ("utm_medium", origin.utm_medium.clone().into()),
        ("utm_campaign", origin.utm_campaign.clone().into()),
        ("utm_content", origin.utm_content.clone().into()),
        ("utm_term", origin.utm_term.clone().into()),
        ("referrer", origin.referrer.clone().into()),
        ("landing_page", origin.landing_page.clone().into()),
    ];
    let stmt = Query::update()
        .table(TABLE)
        .values(values.into_iter().map(|(c, v)| (c, Expr::val(v))))
        .and_where(Expr::col("id").eq(id.0))
        .to_owned();
    tx.execute(&stmt).await?;
    Ok(())
}

/// What a loaded deal's stage history (`bulk_stage_change_row`) comes to, written on the deal
/// as every other write keeps it.
#[derive(Debug, Clone, Copy)]
pub struct LoadedPath {
    /// The highest position of the open or won stages in the history (the trigger on the
    /// history keeps it for every other write; given here, it finds nothing to change).
    pub furthest_position: i32,
    /// When the deal entered its stage: the history's last move.
    pub entered_at: Timestamp,
}

/// A row for `bulk::insert_rows` into `deals`, with the id chosen by the loader.
pub fn bulk_row(
    id: DealId,
    fields: &DealFields,
    pipeline_id: PipelineId,
    stage: &StageMove,
    owner_id: UserId,
    created_at: Timestamp,
    path: LoadedPath,
) -> BulkRow {
    let mut row = vec![("id", id.0.into())];
    row.extend(new_row(fields, pipeline_id, stage, owner_id, Some(owner_id), created_at));
    for (column, value) in &mut row {
        if *column == "stage_entered_at" {
            *value = path.entered_at.into();
        }
    }
    row.push(("furthest_position", path.furthest_position.into()));
    row
}

/// A row for `bulk::insert_rows` into `deal_stage_changes`.
pub fn bulk_stage_change_row(
    deal: DealId,
    from: Option<StageId>,
    to: StageId,
    changed_by: UserId,
    at: Timestamp,
) -> BulkRow {
    vec![
        ("deal_id", deal.0.into()),
        ("from_stage_id", from.map(|s| s.0).into()),
        ("to_stage_id", to.0.into()),
        ("changed_by", changed_by.0.into()),
        ("changed_at", at.into()),
    ]
}

pub async fn insert(
    tx: &mut Tx,
    fields: &DealFields,
    pipeline_id: PipelineId,
    stage: &StageMove,
    owner_id: UserId,
    created_by: Option<UserId>,
    now: Timestamp,
) -> Result<DealId> {
    let columns = new_row(fields, pipeline_id, stage, owner_id, created_by, now);
    let (names, values): (Vec<_>, Vec<_>) = columns.into_iter().map(|(n, v)| (n, Expr::val(v))).unzip();
    let id = DealId(
        tx.insert(Query::insert().into_table(TABLE).columns(names).values_panic(values).to_owned()).await?,
    );
    record_stage_change(tx, id, None, stage.stage_id, created_by, now).await?;
    Ok(id)
}

pub async fn update(
    tx: &mut Tx,
    id: DealId,
    fields: &DealFields,
    expected_version: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    let mut stmt = Query::update();
    stmt.values(field_columns(fields).into_iter().map(|(n, v)| (n, Expr::val(v))));
    finish_update(tx, TABLE, stmt, id.0, expected_version, now).await
}

/// Moves a deal to another stage (and status) and keeps the move in the history.
pub async fn move_stage(
    tx: &mut Tx,
    deal: &Deal,
    to: &StageMove,
    changed_by: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    let mut stmt = Query::update();
    stmt.values(stage_values(to).map(|(n, v)| (n, Expr::val(v))));
    stmt.value("stage_entered_at", now);
    finish_update(tx, TABLE, stmt, deal.id.0, Some(deal.version), now).await?;
    record_stage_change(tx, deal.id, Some(deal.stage_id), to.stage_id, changed_by, now).await
}

async fn record_stage_change(
    tx: &mut Tx,
    deal: DealId,
    from: Option<StageId>,
    to: StageId,
    changed_by: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    let stmt = Query::insert()
        .into_table("deal_stage_changes")
        .columns(["deal_id", "from_stage_id", "to_stage_id", "changed_by", "changed_at"])
        .values_panic([
            deal.0.into(),
            from.map(|s| s.0).into(),
            to.0.into(),
            id_opt(changed_by).into(),
            now.into(),
        ])
        .to_owned();
    tx.execute(&stmt).await.map(drop)
}

/// When the deal entered the stage it is at: its latest stage change.
pub async fn entered_stage_at(db: &Db, id: DealId) -> Result<Option<Timestamp>> {
    let stmt = Query::select()
        .expr(Expr::col("changed_at").max())
        .from("deal_stage_changes")
        .and_where(Expr::col("deal_id").eq(id.0))
        .to_owned();
    let (at,): (Option<Timestamp>,) = db.fetch_one(&stmt).await?;
    Ok(at)
}

/// The titles of those of these deals that `visible` lets the user see (`None`: all), in one
/// query: a page of tasks or activities names its deals without a query per row, and a deal
/// the user may not see stays out of the answer.
pub async fn titles(db: &Db, ids: &[DealId], visible: Option<&Visibility>) -> Result<Vec<(DealId, String)>> {
    let ids = unique_ids(ids.iter().map(|d| d.0));
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = Query::select();
    stmt.columns([(TABLE, "id"), (TABLE, "title")])
        .from(TABLE)
        .and_where(Expr::col((TABLE, "id")).is_in(ids));
    if let Some(visible) = visible {
        stmt.and_where(visible_to(visible, TABLE, "owner_id"));
    }
    let rows: Vec<(i64, String)> = db.fetch_all(&stmt).await?;
    Ok(rows.into_iter().map(|(id, title)| (DealId(id), title)).collect())
}

pub async fn get(db: &Db, id: DealId) -> Result<Deal> {
    db.fetch_one::<DealRow>(&select_by_id(id)).await?.try_into()
}

pub async fn get_in(tx: &mut Tx, id: DealId) -> Result<Deal> {
    tx.fetch_one::<DealRow>(&select_by_id(id)).await?.try_into()
}

/// The deals a statement over `deals` selects (its conditions, order and limit), every column
/// read: for the queries of other modules (`my_day`).
pub(crate) async fn select(db: &Db, mut stmt: SelectStatement) -> Result<Vec<Deal>> {
    stmt.columns(COLUMNS.map(|c| (TABLE, c)));
    db.fetch_all::<DealRow>(&stmt).await?.into_iter().map(Deal::try_from).collect()
}

fn select_by_id(id: DealId) -> SelectStatement {
    Query::select().columns(COLUMNS).from(TABLE).and_where(Expr::col("id").eq(id.0)).to_owned()
}

/// Whether a deal meets a condition (an automation rule's): one look-up by id.
pub async fn matches(db: &Db, id: DealId, tree: &orbita_domain::filter::Filter) -> Result<bool> {
    let stmt = Query::select()
        .column((TABLE, "id"))
        .from(TABLE)
        .and_where(Expr::col((TABLE, "id")).eq(id.0))
        .cond_where(crate::filter_sql::condition(tree, TABLE, db.backend()))
        .to_owned();
    let row: Option<(i64,)> = db.fetch_optional(&stmt).await?;
    Ok(row.is_some())
}

/// The deals a filter selects, without columns or order: shared by the list, the kanban
/// totals and reports.
fn filtered(db: &Db, filter: &DealFilter) -> SelectStatement {
    let mut stmt = Query::select();
    stmt.from(TABLE);
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let from = SearchFrom::for_scope(filter.visible.as_ref());
        stmt.and_where(text_search(db.backend(), q, "deals.id", "deals_fts", "title", from));
    }
    let ids = [
        ("pipeline_id", filter.pipeline_id.map(|p| p.0)),
        ("company_id", filter.company_id.map(|c| c.0)),
        ("contact_id", filter.contact_id.map(|c| c.0)),
    ];
    for (column, value) in ids {
        if let Some(value) = value {
            stmt.and_where(Expr::col((TABLE, column)).eq(value));
        }
    }
    if let Some(stages) = &filter.stage_ids {
        stmt.and_where(Expr::col((TABLE, "stage_id")).is_in(stages.iter().map(|s| s.0)));
    }
    if let Some(status) = filter.status {
        stmt.and_where(Expr::col((TABLE, "status")).eq(status.as_str()));
    }
    if let Some(visible) = &filter.visible {
        stmt.and_where(visible_to(visible, TABLE, "owner_id"));
    }
    if let Some(tree) = &filter.tree {
        stmt.cond_where(crate::filter_sql::condition(tree, TABLE, db.backend()));
    }
    if let Some(owners) = &filter.owner_ids {
        stmt.and_where(Expr::col((TABLE, "owner_id")).is_in(owners.iter().map(|o| o.0)));
    }
    if let Some(source) = &filter.source {
        stmt.and_where(Expr::col((TABLE, "source")).eq(source.as_str()));
    }
    if let Some(campaign) = &filter.utm_campaign {
        stmt.and_where(Expr::col((TABLE, "utm_campaign")).eq(campaign.as_str()));
    }
    // Deals carry no region or industry: their company does (the funnel's slices, the same SQL).
    for (column, value) in [("region", &filter.region), ("industry", &filter.industry)] {
        if let Some(value) = value {
            stmt.and_where(Expr::col((TABLE, "company_id")).in_subquery(companies_where(column, value)));
        }
    }
    for (column, from, to) in [
        ("created_at", filter.created_from, filter.created_to),
        ("closed_at", filter.closed_from, filter.closed_to),
    ] {
        if let Some(from) = from {
            stmt.and_where(Expr::col((TABLE, column)).gte(from));
        }
        if let Some(to) = to {
            stmt.and_where(Expr::col((TABLE, column)).lt(to));
        }
    }
    stmt
}

pub async fn list(
    db: &Db,
    filter: &DealFilter,
    sort: DealSort,
    descending: bool,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Deal>> {
    let mut stmt = filtered(db, filter);
    stmt.columns(COLUMNS.map(|c| (TABLE, c)));
    let by = match sort {
        DealSort::CreatedAt => Expr::col((TABLE, "created_at")),
        DealSort::UpdatedAt => Expr::col((TABLE, "updated_at")),
        DealSort::Title => Expr::col((TABLE, "title")),
        DealSort::Amount => Expr::col((TABLE, "amount_minor")),
        DealSort::Custom(custom) => custom_fields::sort_expr(db.backend(), TABLE, custom.key(), custom.ty),
    };
    Keyset { sort: by, id: Expr::col((TABLE, "id")), descending }.apply(&mut stmt, after, limit);
    let deals =
        db.fetch_all::<DealRow>(&stmt).await?.into_iter().map(Deal::try_from).collect::<Result<Vec<_>>>()?;
    Ok(finish_page(deals, limit, |d| Cursor {
        value: match sort {
            DealSort::CreatedAt => SortValue::Time(d.created_at),
            DealSort::UpdatedAt => SortValue::Time(d.updated_at),
            DealSort::Title => SortValue::Text(d.fields.title.clone()),
            DealSort::Amount => SortValue::Int(d.fields.amount.to_minor()),
            DealSort::Custom(custom) => custom.value_of(&d.custom),
        },
        id: d.id.0,
    }))
}

/// The owners a filter limits the deals to (its scope and its owner filter together), when
/// there are few enough to read one by one; `None` when it is everyone or too many.
fn few_owners(filter: &DealFilter) -> Option<Vec<UserId>> {
    scoped_owners(filter.visible.as_ref(), filter.owner_ids.as_deref())
        .filter(|owners| owners.len() <= OWNER_BY_OWNER_MAX)
}

/// The first cards of a kanban column: the filtered deals at `stage`, most recently changed
/// first. The ids come from `deals_board` (owner, pipeline, stage, updated_at, …) alone. For a
/// scope of a few owners each owner's newest `limit` are taken from the index in order and only
/// those are sorted: a head of sales' column of ~15,000 deals (20 owners) otherwise gathered and
/// sorted every entry of the stage, 4-8 ms a column on SQLite.
pub async fn stage_cards(db: &Db, filter: &DealFilter, stage: StageId, limit: u64) -> Result<Vec<Deal>> {
    let here = DealFilter { stage_ids: Some(vec![stage]), ..filter.clone() };
    let newest_first = |stmt: &mut SelectStatement| {
        stmt.order_by((TABLE, "updated_at"), Order::Desc).order_by((TABLE, "id"), Order::Desc);
    };
    let newest_ids = |filter: &DealFilter| {
        let mut ids = filtered(db, filter);
        ids.column((TABLE, "id")).column((TABLE, "updated_at")).limit(limit);
        newest_first(&mut ids);
        ids
    };
    let ids = match few_owners(&here).as_deref() {
        Some([]) => return Ok(Vec::new()),
        Some([first, rest @ ..]) if !rest.is_empty() => {
            let part = |owner: &UserId| {
                newest_ids(&DealFilter {
                    visible: Some(Visibility { owners: vec![*owner], shared_with: None }),
                    owner_ids: None,
                    ..here.clone()
                })
            };
            let parts = std::iter::once(first).chain(rest).map(part).collect();
            merge_parts(parts, "updated_at", false, true, limit)
        }
        _ => {
            let mut ids = newest_ids(&here);
            ids.clear_selects().column((TABLE, "id"));
            ids
        }
    };
    let mut stmt = Query::select();
    stmt.columns(COLUMNS.map(|c| (TABLE, c)))
        .from(TABLE)
        .and_where(Expr::col((TABLE, "id")).in_subquery(ids));
    newest_first(&mut stmt);
    db.fetch_all::<DealRow>(&stmt).await?.into_iter().map(Deal::try_from).collect()
}

/// Count and sum of the filtered deals per stage and currency: the kanban columns' headers.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StageTotal {
    pub stage_id: i64,
    pub currency: String,
    pub count: i64,
    pub amount_minor: i64,
}

/// A board limited by pipeline and owners only reads the running totals that triggers keep in
/// `deal_stage_totals`; any other filter counts the deals it selects.
pub async fn stage_totals(db: &Db, filter: &DealFilter) -> Result<Vec<StageTotal>> {
    let mut totals = match running_totals(filter) {
        Some(stmt) => db.fetch_all(&stmt).await?,
        None => counted_stage_totals(db, filter).await?,
    };
    totals.sort_by(|a, b| (a.stage_id, &a.currency).cmp(&(b.stage_id, &b.currency)));
    Ok(totals)
}

/// The query over `deal_stage_totals`, when the filter is one it can answer.
fn running_totals(filter: &DealFilter) -> Option<SelectStatement> {
    let DealFilter {
        q,
        pipeline_id: Some(pipeline),
        stage_ids: None,
        status: None,
        visible,
        owner_ids,
        company_id: None,
        contact_id: None,
        source: None,
        utm_campaign: None,
        region: None,
        industry: None,
        created_from: None,
        created_to: None,
        closed_from: None,
        closed_to: None,
        tree: None,
    } = filter
    else {
        return None;
    };
    if q.as_deref().is_some_and(|q| !q.trim().is_empty()) {
        return None;
    }
    const TOTALS: &str = "deal_stage_totals";
    let mut stmt = Query::select();
    stmt.from(TOTALS)
        .column((TOTALS, "stage_id"))
        .column((TOTALS, "currency"))
        .expr_as(Expr::cust("CAST(SUM(deal_stage_totals.deal_count) AS BIGINT)"), "count")
        .expr_as(Expr::cust("CAST(SUM(deal_stage_totals.amount_minor) AS BIGINT)"), "amount_minor")
        .and_where(Expr::col((TOTALS, "pipeline_id")).eq(pipeline.0))
        .group_by_col((TOTALS, "stage_id"))
        .group_by_col((TOTALS, "currency"))
        // A stage every deal has left keeps its row at zero.
        .and_having(Expr::cust("SUM(deal_stage_totals.deal_count) > 0"));
    if let Some(visible) = visible {
        stmt.and_where(visible_to(visible, TOTALS, "owner_id"));
    }
    if let Some(owners) = owner_ids {
        stmt.and_where(Expr::col((TOTALS, "owner_id")).is_in(owners.iter().map(|o| o.0)));
    }
    Some(stmt)
}

/// Count and sum per stage and currency straight from the deals the filter selects.
pub async fn counted_stage_totals(db: &Db, filter: &DealFilter) -> Result<Vec<StageTotal>> {
    let mut stmt = filtered(db, filter);
    stmt.column((TABLE, "stage_id"))
        .column((TABLE, "currency"))
        .expr_as(Expr::col((TABLE, "id")).count(), "count")
        // CAST: PostgreSQL sums BIGINT into NUMERIC; both databases give back a 64-bit integer.
        .expr_as(Expr::cust("CAST(COALESCE(SUM(deals.amount_minor), 0) AS BIGINT)"), "amount_minor")
        .group_by_col((TABLE, "stage_id"))
        .group_by_col((TABLE, "currency"));
    db.fetch_all(&stmt).await
}

/// One entry into a stage, for a deal's timeline.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StageChange {
    pub from_stage_id: Option<i64>,
    pub to_stage_id: i64,
    pub changed_by: Option<i64>,
    pub changed_at: Timestamp,
}

pub async fn stage_history(db: &Db, deal: DealId) -> Result<Vec<StageChange>> {
    let stmt = Query::select()
        .columns(["from_stage_id", "to_stage_id", "changed_by", "changed_at"])
        .from("deal_stage_changes")
        .and_where(Expr::col("deal_id").eq(deal.0))
        .order_by("changed_at", sea_query::Order::Desc)
        .order_by("id", sea_query::Order::Desc)
        .to_owned();
    db.fetch_all(&stmt).await
}
