//! Each operation's floor: the queries its page runs, called in-process through the same
//! storage and service functions with the same user's rights, timed without HTTP, session
//! check or rendering. What is left between the two times is the server's own cost.

use chrono::{Days, NaiveDate};
use orbita_app::reports::{FunnelParams, SummaryParams};
use orbita_app::{AppError, admin, auth, kanban, reports, search, setup, timeline};
use orbita_domain::access::{Action, Area};
use orbita_domain::activity::{ActivityInput, ActivityKind, ActivityStatus, Direction};
use orbita_domain::deal::DealInput;
use orbita_storage::activities::ActivityFilter;
use orbita_storage::companies::{self, CompanyFilter, CompanySort};
use orbita_storage::contacts::{self, ContactFilter, ContactSort};
use orbita_storage::deals::{DealFilter, DealSort};
use orbita_storage::tasks::TaskFilter;
use orbita_storage::{Cursor, Db};

use super::{Actor, Ctx, Op, next_move, pick};

/// The list pages' page size.
const PAGE: u64 = 50;
/// The company card's limits (contacts, deals, open tasks, timeline entries).
const CARD_CONTACTS: u64 = 100;
const CARD_LIMIT: u64 = 50;
/// "My tasks" shows up to 200 tasks at once, grouped by due date.
const TASKS_PAGE: u64 = 200;
/// Results per kind in the header's suggestions.
const SUGGEST_PER_KIND: u64 = 5;

pub async fn call(ctx: &Ctx, op: Op, actor: &Actor, i: usize) -> anyhow::Result<()> {
    let (db, access, s) = (&ctx.db, &actor.access, &actor.samples);
    match op {
        Op::Session => {
            let session = auth::authenticate(db, &actor.browser.token, None).await?;
            anyhow::ensure!(session.is_some(), "the session is gone");
            setup::settings(db).await?;
        }
        Op::ListFirst => company_list(db, actor, None, None).await?,
        Op::ListDeep => company_list(db, actor, None, Some(pick(&s.deep, i)?)).await?,
        Op::ByInn => company_list(db, actor, Some(pick(&s.inns, i)?), None).await?,
        Op::ByKpp => company_list(db, actor, Some(pick(&s.kpps, i)?), None).await?,
        Op::ByName => company_list(db, actor, Some(pick(&s.name_fragments, i)?), None).await?,
        Op::ContactByPhone => contact_list(db, actor, pick(&s.phones, i)?).await?,
        Op::ContactByEmail => contact_list(db, actor, pick(&s.email_fragments, i)?).await?,
        Op::GlobalSearch => {
            let found = search::global(db, access, pick(&s.name_fragments, i)?, SUGGEST_PER_KIND).await?;
            // The page names the deals' stages.
            if !found.deals.is_empty() {
                orbita_app::deals::pipelines_and_stages(db).await?;
            }
        }
        Op::Card => card(db, actor, i).await?,
        Op::ContactCard => contact_card(db, actor, i).await?,
        Op::DealCard => deal_card(db, actor, i).await?,
        Op::DealsList => {
            let filter = DealFilter::default();
            orbita_app::deals::list(db, access, &filter, DealSort::CreatedAt, true, None, PAGE).await?;
            orbita_app::deals::pipelines_and_stages(db).await?;
            admin::users(db, access).await?;
        }
        Op::DealsFiltered => {
            let tree = orbita_app::filters::from_json(
                db,
                &super::deals_filter(ctx, actor),
                orbita_domain::kind::RecordKind::Deal,
            )
            .await?;
            let filter = DealFilter { tree: Some(tree), ..DealFilter::default() };
            orbita_app::deals::list(db, access, &filter, DealSort::CreatedAt, true, None, PAGE).await?;
            orbita_app::deals::pipelines_and_stages(db).await?;
            admin::users(db, access).await?;
        }
        Op::DealsByCustomField => {
            let tree = orbita_app::filters::from_json(
                db,
                &super::custom_field_filter(),
                orbita_domain::kind::RecordKind::Deal,
            )
            .await?;
            let filter = DealFilter { tree: Some(tree), ..DealFilter::default() };
            orbita_app::deals::list(db, access, &filter, DealSort::Title, false, None, PAGE).await?;
            orbita_app::deals::pipelines_and_stages(db).await?;
            admin::users(db, access).await?;
        }
        Op::MyTasks => {
            let filter = TaskFilter {
                assignee_ids: Some(vec![actor.user_id]),
                done: Some(false),
                ..TaskFilter::default()
            };
            orbita_app::tasks::list(db, access, &filter, None, TASKS_PAGE).await?;
            admin::users(db, access).await?;
        }
        Op::MyDay => {
            orbita_app::my_day::load(db, access, orbita_domain::now()).await?;
            admin::users(db, access).await?;
            orbita_app::deals::pipelines_and_stages(db).await?;
        }
        Op::Activities => {
            orbita_app::activities::list(db, access, &ActivityFilter::default(), None, PAGE).await?;
            admin::users(db, access).await?;
        }
        Op::Kanban => {
            orbita_app::deals::pipelines_and_stages(db).await?;
            kanban::board(db, access, ctx.pipeline.id, &DealFilter::default()).await?;
            admin::users(db, access).await?;
        }
        Op::CreateDeal => {
            let n = ctx.created.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let input = DealInput {
                title: format!("Benchmark deal {n}"),
                company_id: Some(pick(&s.companies, i)?.id),
                contact_id: None,
                amount: "150000".into(),
                currency: ctx.currency.clone(),
                expected_close_date: String::new(),
                source: String::new(),
                notes: String::new(),
            };
            let stage = ctx.pipeline.open_stages.first().copied();
            orbita_app::deals::create(db, access, &input, Some(ctx.pipeline.id), stage, Some(actor.user_id))
                .await?;
        }
        Op::WebFormPost => {
            let n = ctx.created.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let form = orbita_app::web_forms::public(db, super::WEB_FORM_KEY).await?;
            let sent = super::web_form_answers(n).into_iter().collect();
            let now = orbita_domain::now();
            orbita_app::web_forms::admit(db, &form, Some("127.0.0.1"), i64::MAX, now).await?;
            orbita_app::web_forms::submit(db, &form, &sent, Some("127.0.0.1")).await?;
        }
        Op::MoveStage => {
            let (deal, stage) = next_move(ctx, i)?;
            orbita_app::deals::move_stage(db, access, deal, stage, "", None).await?;
        }
        Op::LogCall => {
            let company = orbita_app::companies::get(db, access, pick(&s.companies, i)?.id).await?;
            let input = ActivityInput {
                kind: ActivityKind::Call,
                direction: Some(Direction::Outgoing),
                status: Some(ActivityStatus::Done),
                occurred_at: orbita_domain::now(),
                duration_minutes: Some(5),
                subject: "Benchmark call".into(),
                responsible_id: actor.user_id,
                company_id: Some(company.id),
                contact_id: None,
                deal_id: None,
            };
            orbita_app::activities::log(db, access, &input, None).await?;
        }
        Op::Summary => {
            let (from, to) = ctx.month;
            reports::summary(db, access, &SummaryParams { from, to: day_after(to), group: None }).await?;
        }
        Op::Funnel => {
            let (from, to) = ctx.year;
            let params = FunnelParams {
                pipeline_id: ctx.pipeline.id,
                from,
                to: day_after(to),
                owner: None,
                group: None,
                source: None,
                region: None,
                industry: None,
            };
            reports::funnel(db, access, &params).await?;
        }
    }
    Ok(())
}

fn day_after(day: NaiveDate) -> NaiveDate {
    day.checked_add_days(Days::new(1)).unwrap_or(day)
}

async fn company_list(
    db: &Db,
    actor: &Actor,
    q: Option<&String>,
    after: Option<&Cursor>,
) -> anyhow::Result<()> {
    let filter = CompanyFilter {
        q: q.cloned(),
        visible: actor.access.visibility(Area::Companies, Action::View)?,
        ..CompanyFilter::default()
    };
    companies::list(db, &filter, CompanySort::Name, false, after, PAGE).await?;
    Ok(())
}

async fn contact_list(db: &Db, actor: &Actor, q: &str) -> anyhow::Result<()> {
    let filter = ContactFilter {
        q: Some(q.to_owned()),
        visible: actor.access.visibility(Area::Contacts, Action::View)?,
        ..ContactFilter::default()
    };
    contacts::list(db, &filter, ContactSort::Name, false, None, PAGE).await?;
    Ok(())
}

/// The company card's reads, in the order the page makes them.
async fn card(db: &Db, actor: &Actor, i: usize) -> anyhow::Result<()> {
    let access = &actor.access;
    let id = pick(&actor.samples.companies, i)?.id;
    orbita_app::companies::get(db, access, id).await?;
    admin::users(db, access).await?;
    let contacts = ContactFilter { company_id: Some(id), ..ContactFilter::default() };
    or_none(
        orbita_app::contacts::list(db, access, &contacts, ContactSort::Name, false, None, CARD_CONTACTS)
            .await,
    )?;
    let deals = DealFilter { company_id: Some(id), ..DealFilter::default() };
    or_none(orbita_app::deals::list(db, access, &deals, DealSort::UpdatedAt, true, None, CARD_LIMIT).await)?;
    orbita_app::deals::pipelines_and_stages(db).await?;
    let tasks = TaskFilter { company_id: Some(id), done: Some(false), ..TaskFilter::default() };
    or_none(orbita_app::tasks::list(db, access, &tasks, None, CARD_LIMIT).await)?;
    timeline::for_record(db, access, id.into(), CARD_LIMIT).await?;
    Ok(())
}

/// The contact card's reads, in the order the page makes them.
async fn contact_card(db: &Db, actor: &Actor, i: usize) -> anyhow::Result<()> {
    let access = &actor.access;
    let contact = orbita_app::contacts::get(db, access, *pick(&actor.samples.contacts, i)?).await?;
    admin::users(db, access).await?;
    if let Some(company) = contact.fields.company_id {
        or_none(orbita_app::companies::get(db, access, company).await)?;
    }
    let deals = DealFilter { contact_id: Some(contact.id), ..DealFilter::default() };
    or_none(orbita_app::deals::list(db, access, &deals, DealSort::UpdatedAt, true, None, CARD_LIMIT).await)?;
    orbita_app::deals::pipelines_and_stages(db).await?;
    let tasks = TaskFilter { contact_id: Some(contact.id), done: Some(false), ..TaskFilter::default() };
    or_none(orbita_app::tasks::list(db, access, &tasks, None, CARD_LIMIT).await)?;
    timeline::for_record(db, access, contact.id.into(), CARD_LIMIT).await?;
    Ok(())
}

/// The deal card's reads, in the order the page makes them.
async fn deal_card(db: &Db, actor: &Actor, i: usize) -> anyhow::Result<()> {
    let access = &actor.access;
    let deal = orbita_app::deals::get(db, access, *pick(&actor.samples.deals, i)?).await?;
    orbita_app::deals::pipelines_and_stages(db).await?;
    admin::users(db, access).await?;
    let tasks = TaskFilter { deal_id: Some(deal.id), done: Some(false), ..TaskFilter::default() };
    or_none(orbita_app::tasks::list(db, access, &tasks, None, 20).await)?;
    timeline::for_record(db, access, deal.id.into(), CARD_LIMIT).await?;
    Ok(())
}

/// A section the user may not see is left out of the card, as the page does.
fn or_none<T>(result: Result<T, AppError>) -> anyhow::Result<()> {
    match result {
        Ok(_) | Err(AppError::Forbidden) => Ok(()),
        Err(other) => Err(other.into()),
    }
}

/// The export's reads: every company the user sees, a thousand rows a query, as the export
/// pages through them. Returns the number of rows.
pub async fn export_rows(db: &Db, actor: &Actor) -> anyhow::Result<u64> {
    let filter = CompanyFilter {
        visible: actor.access.visibility(Area::Companies, Action::View)?,
        ..CompanyFilter::default()
    };
    let mut rows = 0;
    let mut after: Option<Cursor> = None;
    loop {
        let page = companies::list(
            db,
            &filter,
            CompanySort::Name,
            false,
            after.as_ref(),
            orbita_app::exports::PAGE_ROWS,
        )
        .await?;
        rows += page.items.len() as u64;
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(rows),
        }
    }
}
