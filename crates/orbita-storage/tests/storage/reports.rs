//! Report aggregates on both databases: per-owner sums to the kopeck, the edges of a period,
//! the funnel's furthest stages and lost-from stages, targets' upsert and copy, name look-ups.

use chrono::{Duration, TimeZone, Utc};
use orbita_domain::activity::{ActivityFields, ActivityKind, ActivityStatus};
use orbita_domain::company::CompanyInput;
use orbita_domain::deal::{DealInput, move_to_stage};
use orbita_domain::pipeline::{DEFAULT_PIPELINE, DEFAULT_STAGES, Stage};
use orbita_domain::task::{TaskFields, TaskPriority};
use orbita_domain::validation::{Currency, Money};
use orbita_domain::{CompanyId, DealId, PipelineId, Timestamp, UserId, now};
use orbita_storage::deals::{DealFilter, DealSort};
use orbita_storage::reports::{self, FunnelFilter, Period};
use orbita_storage::targets::{self, Month};
use orbita_storage::{Db, Visibility, activities, companies, contacts, deals, pipelines, tasks};
use orbita_testkit::on_both;

fn at(y: i32, m: u32, d: u32) -> Timestamp {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single().expect("valid time")
}

fn january() -> Period {
    Period { from: at(2025, 1, 1), to: at(2025, 2, 1) }
}

async fn default_pipeline(db: &Db) -> (PipelineId, Vec<Stage>) {
    let mut tx = db.begin().await.expect("begin");
    let id =
        pipelines::insert(&mut tx, DEFAULT_PIPELINE, true, DEFAULT_STAGES, now()).await.expect("pipeline");
    tx.commit().await.expect("commit");
    (id, pipelines::stages(db).await.expect("stages"))
}

/// A deal created at `created` in the first stage, then moved through `path` (stage index,
/// time); a lost move carries the reason "Дорого".
#[allow(clippy::too_many_arguments)]
async fn deal(
    db: &Db,
    pipeline: PipelineId,
    stages: &[Stage],
    owner: UserId,
    amount: &str,
    currency: &str,
    created: Timestamp,
    path: &[(usize, Timestamp)],
) -> DealId {
    let input = DealInput {
        title: "Сделка".into(),
        amount: amount.into(),
        currency: currency.into(),
        ..Default::default()
    };
    let fields = input.validate(&Currency::RUB).expect("deal");
    let start = move_to_stage(&stages[0], "", created).expect("start");
    let mut tx = db.begin().await.expect("begin");
    let id =
        deals::insert(&mut tx, &fields, pipeline, &start, owner, Some(owner), created).await.expect("deal");
    for (stage, when) in path {
        let current = deals::get_in(&mut tx, id).await.expect("get");
        let to = move_to_stage(&stages[*stage], "Дорого", *when).expect("move");
        deals::move_stage(&mut tx, &current, &to, Some(owner), *when).await.expect("move");
    }
    tx.commit().await.expect("commit");
    id
}

fn last_moment_of_january() -> Timestamp {
    at(2025, 2, 1) - Duration::microseconds(1)
}

#[tokio::test]
async fn aggregates_sum_per_owner_to_the_kopeck_within_the_period() {
    on_both(|t| async move {
        let (a, b) = (t.user("a@example.com").await, t.user("b@example.com").await);
        let (p, stages) = default_pipeline(&t.db).await;
        let (won, lost) = (4, 5);
        deal(&t.db, p, &stages, a, "1000,10", "", at(2025, 1, 10), &[(won, last_moment_of_january())]).await;
        deal(&t.db, p, &stages, a, "500", "", at(2025, 1, 5), &[(won, at(2025, 2, 1))]).await;
        deal(&t.db, p, &stages, a, "70", "", at(2025, 1, 7), &[(lost, at(2025, 1, 20))]).await;
        deal(&t.db, p, &stages, a, "333,33", "", at(2025, 1, 8), &[(2, at(2025, 1, 9))]).await;
        deal(&t.db, p, &stages, a, "0,05", "", at(2024, 12, 31), &[(3, at(2025, 1, 9))]).await;
        deal(&t.db, p, &stages, b, "2000", "USD", at(2025, 1, 15), &[(won, at(2025, 1, 16))]).await;
        deal(&t.db, p, &stages, b, "0,01", "", at(2025, 1, 15), &[(won, at(2025, 1, 17))]).await;

        let mut created = reports::deals_created(&t.db, january(), None).await.expect("created");
        created.sort_by_key(|r| r.owner_id);
        let created: Vec<_> = created.iter().map(|r| (UserId(r.owner_id), r.count)).collect();
        assert_eq!(created, [(a, 4), (b, 2)], "{}: Dec 31 is outside January", t.name);

        let mut won_rows = reports::deals_won(&t.db, january(), None).await.expect("won");
        won_rows.sort_by(|x, y| (x.owner_id, &x.currency).cmp(&(y.owner_id, &y.currency)));
        let won_rows: Vec<_> = won_rows
            .iter()
            .map(|r| (UserId(r.owner_id), r.currency.as_str(), r.count, r.amount_minor))
            .collect();
        assert_eq!(
            won_rows,
            [(a, "RUB", 1, 100_010), (b, "RUB", 1, 1), (b, "USD", 1, 200_000)],
            "{}: closed on 1 February 00:00 belongs to February",
            t.name
        );
        let only_b = reports::deals_won(&t.db, january(), Some(&[b])).await.expect("won");
        assert!(only_b.iter().all(|r| r.owner_id == b.0) && only_b.len() == 2, "{}", t.name);

        let lost_rows = reports::deals_lost(&t.db, january(), None).await.expect("lost");
        assert_eq!(lost_rows.len(), 1);
        assert_eq!((lost_rows[0].reason.as_deref(), lost_rows[0].count), (Some("Дорого"), 1));

        let open = reports::open_pipeline(&t.db, None).await.expect("open");
        assert_eq!(open.len(), 1, "{}: only a has open deals", t.name);
        // 333,33 at 40 % and 0,05 at 60 %: 33 333 × 40 + 5 × 60 hundredths of a kopeck.
        assert_eq!((open[0].count, open[0].amount_minor, open[0].weighted_x100), (2, 33_338, 1_333_620));

        let boundaries = [at(2025, 1, 1), at(2025, 2, 1), at(2025, 3, 1)];
        let mut buckets = reports::won_by_period(&t.db, &boundaries, Some(&[a])).await.expect("buckets");
        buckets.sort_by_key(|r| r.bucket);
        let buckets: Vec<_> = buckets.iter().map(|r| (r.bucket, r.count, r.amount_minor)).collect();
        assert_eq!(buckets, [(0, 1, 100_010), (1, 1, 50_000)], "{}", t.name);
        t
    })
    .await;
}

fn activity(kind: ActivityKind, status: ActivityStatus, when: Timestamp, who: UserId) -> ActivityFields {
    ActivityFields {
        kind,
        direction: None,
        status,
        occurred_at: when,
        duration_minutes: Some(5),
        subject: "Звонок".into(),
        responsible_id: who,
        company_id: None,
        contact_id: None,
        deal_id: None,
    }
}

fn task(title: &str, due: Option<Timestamp>, who: UserId) -> TaskFields {
    TaskFields {
        title: title.into(),
        description: None,
        due_at: due,
        assignee_id: who,
        priority: TaskPriority::Normal,
        company_id: None,
        contact_id: None,
        deal_id: None,
    }
}

#[tokio::test]
async fn calls_meetings_and_tasks_are_counted_per_user() {
    on_both(|t| async move {
        let (a, b) = (t.user("a@example.com").await, t.user("b@example.com").await);
        let (done, planned) = (ActivityStatus::Done, ActivityStatus::Planned);
        let mut tx = t.db.begin().await.expect("begin");
        for fields in [
            activity(ActivityKind::Call, done, at(2025, 1, 3), a),
            activity(ActivityKind::Call, done, at(2025, 1, 4), a),
            activity(ActivityKind::Meeting, done, at(2025, 1, 5), a),
            activity(ActivityKind::Call, planned, at(2025, 1, 6), a),
            activity(ActivityKind::Call, done, at(2025, 2, 1), a),
            activity(ActivityKind::Email, done, at(2025, 1, 6), b),
        ] {
            activities::insert(&mut tx, &fields, Some(a), now()).await.expect("activity");
        }
        let the_now = at(2025, 1, 20);
        let done_in_january =
            tasks::insert(&mut tx, &task("done", None, a), Some(a), now()).await.expect("task");
        tasks::set_done(&mut tx, done_in_january, Some(at(2025, 1, 10)), now()).await.expect("done");
        let done_before = tasks::insert(&mut tx, &task("old", None, a), Some(a), now()).await.expect("task");
        tasks::set_done(&mut tx, done_before, Some(at(2024, 12, 10)), now()).await.expect("done");
        tasks::insert(&mut tx, &task("overdue", Some(at(2025, 1, 19)), a), Some(a), now())
            .await
            .expect("task");
        tasks::insert(&mut tx, &task("later", Some(at(2025, 1, 21)), a), Some(a), now()).await.expect("task");
        tasks::insert(&mut tx, &task("whenever", None, b), Some(b), now()).await.expect("task");
        tx.commit().await.expect("commit");

        let kinds = [ActivityKind::Call, ActivityKind::Meeting];
        let mut counts = reports::activities_done(&t.db, january(), None, &kinds).await.expect("activities");
        counts.sort_by(|x, y| x.kind.cmp(&y.kind));
        let counts: Vec<_> =
            counts.iter().map(|c| (UserId(c.responsible_id), c.kind.as_str(), c.count)).collect();
        assert_eq!(counts, [(a, "call", 2), (a, "meeting", 1)], "{}", t.name);

        let mut task_rows = reports::task_counts(&t.db, january(), None, the_now).await.expect("tasks");
        task_rows.sort_by_key(|r| r.assignee_id);
        let task_rows: Vec<_> =
            task_rows.iter().map(|r| (UserId(r.assignee_id), r.done, r.open, r.overdue)).collect();
        assert_eq!(task_rows, [(a, 1, 2, 1), (b, 0, 1, 0)], "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn the_funnel_counts_the_furthest_stage_and_where_deals_were_lost() {
    on_both(|t| async move {
        let a = t.user("a@example.com").await;
        let (p, stages) = default_pipeline(&t.db).await;
        let day = |d| at(2025, 1, d);
        // Skips stages 1 and 3 on its way to won: it still passed them.
        deal(&t.db, p, &stages, a, "10", "", day(2), &[(2, day(3)), (4, day(4))]).await;
        deal(&t.db, p, &stages, a, "10", "", day(2), &[(1, day(3)), (5, day(4))]).await;
        deal(&t.db, p, &stages, a, "10", "", day(2), &[]).await;
        deal(&t.db, p, &stages, a, "10", "", at(2024, 12, 2), &[(1, day(3))]).await;
        // Lost, reopened, lost again: counted where it was lost the last time.
        deal(&t.db, p, &stages, a, "10", "", day(2), &[(1, day(3)), (5, day(4)), (2, day(5)), (5, day(6))])
            .await;

        let filter = FunnelFilter {
            pipeline_id: p,
            created: january(),
            owners: None,
            source: None,
            region: None,
            industry: None,
        };
        let cohort = reports::funnel_cohort(&t.db, &filter).await.expect("cohort");
        assert_eq!((cohort.total, cohort.won, cohort.lost), (4, 1, 2), "{}", t.name);
        let mut furthest = reports::funnel_furthest(&t.db, &filter).await.expect("furthest");
        furthest.sort_by_key(|f| f.position);
        let furthest: Vec<_> = furthest.iter().map(|f| (f.position, f.count)).collect();
        let position = |i: usize| i64::from(stages[i].position);
        assert_eq!(
            furthest,
            [(position(0), 1), (position(1), 1), (position(2), 1), (position(4), 1)],
            "{}",
            t.name
        );
        let mut lost = reports::funnel_lost(&t.db, &filter).await.expect("lost");
        lost.sort_by_key(|l| l.from_stage_id);
        let lost: Vec<_> = lost.iter().map(|l| (l.from_stage_id, l.reason.as_deref(), l.count)).collect();
        assert_eq!(
            lost,
            [(Some(stages[1].id.0), Some("Дорого"), 1), (Some(stages[2].id.0), Some("Дорого"), 1)],
            "{}",
            t.name
        );
        let nobody = FunnelFilter { owners: Some(vec![UserId(a.0 + 100)]), ..filter };
        assert_eq!(reports::funnel_cohort(&t.db, &nobody).await.expect("cohort").total, 0);
        t
    })
    .await;
}

/// A company of a region and an industry.
async fn company_in(db: &Db, owner: UserId, name: &str, region: &str, industry: &str) -> CompanyId {
    let input = CompanyInput {
        name: name.into(),
        region: region.into(),
        industry: industry.into(),
        ..Default::default()
    };
    let fields = input.validate().expect("company");
    let mut tx = db.begin().await.expect("begin");
    let id = companies::insert(&mut tx, &fields, owner, Some(owner), now()).await.expect("company");
    tx.commit().await.expect("commit");
    id
}

/// A deal of `company` created on 2 January in the first stage, then moved to stage `to`.
async fn company_deal(
    db: &Db,
    (pipeline, stages): (PipelineId, &[Stage]),
    owner: UserId,
    company: Option<CompanyId>,
    to: Option<usize>,
) -> DealId {
    let input = DealInput { title: "Сделка".into(), company_id: company, ..Default::default() };
    let fields = input.validate(&Currency::RUB).expect("deal");
    let created = at(2025, 1, 2);
    let start = move_to_stage(&stages[0], "", created).expect("start");
    let mut tx = db.begin().await.expect("begin");
    let id =
        deals::insert(&mut tx, &fields, pipeline, &start, owner, Some(owner), created).await.expect("deal");
    if let Some(to) = to {
        let current = deals::get_in(&mut tx, id).await.expect("get");
        let moved = move_to_stage(&stages[to], "Дорого", at(2025, 1, 3)).expect("move");
        deals::move_stage(&mut tx, &current, &moved, Some(owner), at(2025, 1, 3)).await.expect("move");
    }
    tx.commit().await.expect("commit");
    id
}

#[tokio::test]
async fn a_funnel_sliced_by_region_or_industry_counts_only_those_companies_deals() {
    on_both(|t| async move {
        let a = t.user("a@example.com").await;
        let (p, stages) = default_pipeline(&t.db).await;
        let pipeline = (p, stages.as_slice());
        let moscow_retail = company_in(&t.db, a, "Ромашка", "Москва", "Ритейл").await;
        let kazan_retail = company_in(&t.db, a, "Лютик", "Казань", "Ритейл").await;
        let moscow_it = company_in(&t.db, a, "Василёк", "Москва", "ИТ").await;
        let (won, lost) = (Some(4), Some(5));
        company_deal(&t.db, pipeline, a, Some(moscow_retail), won).await;
        company_deal(&t.db, pipeline, a, Some(moscow_retail), lost).await;
        company_deal(&t.db, pipeline, a, Some(kazan_retail), Some(2)).await;
        company_deal(&t.db, pipeline, a, Some(moscow_it), lost).await;
        company_deal(&t.db, pipeline, a, None, won).await;

        let all = FunnelFilter {
            pipeline_id: p,
            created: january(),
            owners: None,
            source: None,
            region: None,
            industry: None,
        };
        let slice = |region: Option<&str>, industry: Option<&str>| FunnelFilter {
            region: region.map(str::to_owned),
            industry: industry.map(str::to_owned),
            ..all.clone()
        };
        let db = &t.db;
        let size = |filter: FunnelFilter| async move {
            let cohort = reports::funnel_cohort(db, &filter).await.expect("cohort");
            (cohort.total, cohort.won, cohort.lost)
        };
        assert_eq!(size(all.clone()).await, (5, 2, 2), "{}: unsliced", t.name);
        assert_eq!(size(slice(Some("Москва"), None)).await, (3, 1, 2), "{}: Moscow", t.name);
        assert_eq!(size(slice(None, Some("Ритейл"))).await, (3, 1, 1), "{}: retail", t.name);
        assert_eq!(size(slice(Some("Москва"), Some("Ритейл"))).await, (2, 1, 1), "{}: both", t.name);
        assert_eq!(size(slice(Some("Тверь"), None)).await, (0, 0, 0), "{}: nobody's region", t.name);

        let moscow = slice(Some("Москва"), None);
        let mut furthest = reports::funnel_furthest(&t.db, &moscow).await.expect("furthest");
        furthest.sort_by_key(|f| f.position);
        let furthest: Vec<_> = furthest.iter().map(|f| (f.position, f.count)).collect();
        let position = |i: usize| i64::from(stages[i].position);
        assert_eq!(furthest, [(position(0), 2), (position(4), 1)], "{}: Moscow's stages", t.name);
        let lost = reports::funnel_lost(&t.db, &slice(None, Some("Ритейл"))).await.expect("lost");
        let lost: Vec<_> = lost.iter().map(|l| (l.from_stage_id, l.count)).collect();
        assert_eq!(lost, [(Some(stages[0].id.0), 1)], "{}: retail's lost deal", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn the_deals_list_filters_by_the_company_region_and_industry_as_the_funnel_slices() {
    on_both(|t| async move {
        let (a, b) = (t.user("a@example.com").await, t.user("b@example.com").await);
        let (p, stages) = default_pipeline(&t.db).await;
        let pipeline = (p, stages.as_slice());
        let moscow_retail = company_in(&t.db, a, "Ромашка", "Москва", "Ритейл").await;
        let kazan_retail = company_in(&t.db, a, "Лютик", "Казань", "Ритейл").await;
        let moscow_it = company_in(&t.db, b, "Василёк", "Москва", "ИТ").await;
        let won = company_deal(&t.db, pipeline, a, Some(moscow_retail), Some(4)).await;
        let kazan = company_deal(&t.db, pipeline, a, Some(kazan_retail), None).await;
        let lost = company_deal(&t.db, pipeline, b, Some(moscow_it), Some(5)).await;
        let without = company_deal(&t.db, pipeline, a, None, None).await;
        // A's deal with B's company: the company's owner does not matter, its region does.
        let on_bs = company_deal(&t.db, pipeline, a, Some(moscow_it), Some(2)).await;

        let db = &t.db;
        let listed = |filter: DealFilter| async move {
            let page = deals::list(db, &filter, DealSort::CreatedAt, false, None, 100).await.expect("list");
            let mut ids: Vec<DealId> = page.items.iter().map(|d| d.id).collect();
            ids.sort();
            ids
        };
        let slice = |region: Option<&str>, industry: Option<&str>| DealFilter {
            region: region.map(str::to_owned),
            industry: industry.map(str::to_owned),
            ..DealFilter::default()
        };
        let cases = [
            (None, None, vec![won, kazan, lost, without, on_bs]),
            (Some("Москва"), None, vec![won, lost, on_bs]),
            (None, Some("Ритейл"), vec![won, kazan]),
            (Some("Москва"), Some("ИТ"), vec![lost, on_bs]),
            (Some("Москва"), Some("Ритейл"), vec![won]),
            (Some("Тверь"), None, vec![]),
            // Exact, as the companies list matches: neither a prefix nor another case.
            (Some("Моск"), None, vec![]),
            (Some("москва"), None, vec![]),
        ];
        for (region, industry, mut expected) in cases {
            expected.sort();
            let filter = slice(region, industry);
            assert_eq!(listed(filter.clone()).await, expected, "{}: {region:?} {industry:?}", t.name);
            // The funnel's slice selects the same deals: its links open exactly its cohort.
            let funnel = FunnelFilter {
                pipeline_id: p,
                created: january(),
                owners: None,
                source: None,
                region: filter.region.clone(),
                industry: filter.industry.clone(),
            };
            let cohort = reports::funnel_cohort(db, &funnel).await.expect("cohort");
            assert_eq!(cohort.total, i64::try_from(expected.len()).expect("count"), "{}", t.name);
            // The kanban's totals of the slice count them too (the running totals cannot).
            let board = DealFilter { pipeline_id: Some(p), ..filter };
            let totals = deals::stage_totals(db, &board).await.expect("totals");
            let counted: i64 = totals.iter().map(|s| s.count).sum();
            assert_eq!(counted, i64::try_from(expected.len()).expect("count"), "{}: board", t.name);
        }
        // Within the user's scope and the owner filter, as every other filter.
        let scoped = DealFilter {
            visible: Some(Visibility { owners: vec![a], shared_with: None }),
            ..slice(Some("Москва"), None)
        };
        let mut mine = vec![won, on_bs];
        mine.sort();
        assert_eq!(listed(scoped).await, mine, "{}: A's Moscow deals", t.name);
        let bs = DealFilter { owner_ids: Some(vec![b]), ..slice(Some("Москва"), None) };
        assert_eq!(listed(bs).await, vec![lost], "{}: B's Moscow deal", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn targets_are_upserted_listed_and_copied_to_the_next_month() {
    on_both(|t| async move {
        let (a, b) = (t.user("a@example.com").await, t.user("b@example.com").await);
        let month = |s| Month::parse(s).expect("month");
        let rub = |minor| Money::from_minor(minor, Currency::RUB);
        let mut tx = t.db.begin().await.expect("begin");
        targets::upsert(&mut tx, a, month("2025-01"), &rub(10_000_000), Some(a), now()).await.expect("set");
        targets::upsert(&mut tx, a, month("2025-01"), &rub(15_000_050), Some(b), now()).await.expect("reset");
        targets::upsert(&mut tx, b, month("2025-01"), &rub(9_000_000), Some(a), now()).await.expect("set");
        targets::upsert(&mut tx, b, month("2025-02"), &rub(1), Some(a), now()).await.expect("set");
        let before = targets::get_in(&mut tx, a, month("2025-01")).await.expect("get").expect("exists");
        assert_eq!((before.amount, before.updated_by), (rub(15_000_050), Some(b)), "{}", t.name);
        let copied = targets::copy_month(&mut tx, month("2025-01"), month("2025-02"), None, Some(a), now())
            .await
            .expect("copy");
        tx.commit().await.expect("commit");
        assert_eq!(copied.iter().map(|c| (c.user_id, c.amount)).collect::<Vec<_>>(), [(a, rub(15_000_050))]);

        let all = targets::list(&t.db, month("2025-01"), month("2025-12"), None).await.expect("list");
        let all: Vec<_> = all.iter().map(|x| (x.user_id, x.month.to_string(), x.amount.to_minor())).collect();
        assert_eq!(
            all,
            [
                (a, "2025-01".into(), 15_000_050),
                (a, "2025-02".into(), 15_000_050),
                (b, "2025-01".into(), 9_000_000),
                (b, "2025-02".into(), 1),
            ],
            "{}: b's February target was kept",
            t.name
        );
        let only_b_feb =
            targets::list(&t.db, month("2025-02"), month("2025-02"), Some(&[b])).await.expect("list");
        assert_eq!(only_b_feb.len(), 1);
        t
    })
    .await;
}

#[tokio::test]
async fn names_for_a_page_come_from_one_query() {
    on_both(|t| async move {
        let a = t.user("a@example.com").await;
        let (p, stages) = default_pipeline(&t.db).await;
        let fields =
            CompanyInput { name: "ООО «Ромашка»".into(), ..Default::default() }.validate().expect("company");
        let mut tx = t.db.begin().await.expect("begin");
        let company = companies::insert(&mut tx, &fields, a, Some(a), now()).await.expect("company");
        tx.commit().await.expect("commit");
        let deal_id = deal(&t.db, p, &stages, a, "1", "", now(), &[]).await;
        let names = companies::names(&t.db, &[company, company], None).await.expect("names");
        assert_eq!(names, [(company, "ООО «Ромашка»".to_owned())], "{}", t.name);
        let titles = deals::titles(&t.db, &[deal_id, deal_id], None).await.expect("titles");
        assert_eq!(titles, [(deal_id, "Сделка".to_owned())]);
        // A deal outside the user's scope stays out, as on the list.
        let b = t.user("b@example.com").await;
        let theirs = Visibility { owners: vec![b], shared_with: None };
        assert!(deals::titles(&t.db, &[deal_id], Some(&theirs)).await.expect("hidden").is_empty());
        let mine = Visibility { owners: vec![a], shared_with: None };
        assert_eq!(deals::titles(&t.db, &[deal_id], Some(&mine)).await.expect("mine").len(), 1);
        let person = orbita_domain::contact::ContactInput {
            last_name: "Иванов".into(),
            first_name: "Пётр".into(),
            ..Default::default()
        }
        .validate()
        .expect("contact");
        let mut tx = t.db.begin().await.expect("begin");
        let contact = contacts::insert(&mut tx, &person, a, Some(a), now()).await.expect("contact");
        tx.commit().await.expect("commit");
        let names = contacts::names(&t.db, &[contact, contact], Some(&mine)).await.expect("names");
        assert_eq!(names, [(contact, "Иванов Пётр".to_owned())], "{}", t.name);
        assert!(contacts::names(&t.db, &[contact], Some(&theirs)).await.expect("hidden").is_empty());
        assert!(companies::names(&t.db, &[], None).await.expect("none").is_empty());
        t
    })
    .await;
}
