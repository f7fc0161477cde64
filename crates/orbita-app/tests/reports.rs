//! The summary report, plan vs actual and the funnel, on both databases: won amounts per
//! manager and month to the kopeck (months of the organisation's time zone, Moscow), targets
//! and percentages, who may see and set what, and every figure reproducible as its list.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use orbita_app::reports::{self, Drill, Figure, FunnelParams, SummaryParams, SummaryReport, SummaryRow};
use orbita_app::targets::{self, parse_month};
use orbita_app::{Access, AppError, RequestContext, admin, deals, setup, users};
use orbita_domain::deal::{DealInput, move_to_stage};
use orbita_domain::pipeline::{Stage, StageKind};
use orbita_domain::validation::{Currency, Money};
use orbita_domain::{DealId, GroupId, Timestamp, UserId, now};
use orbita_storage::audit::AuditFilter;
use orbita_storage::deals::DealSort;
use orbita_storage::{Db, bulk};
use orbita_testkit::on_both;
use rust_decimal::Decimal;

struct Team {
    admin: Access,
    head: Access,
    m1: Access,
    m2: Access,
    group_a: GroupId,
}

async fn person(db: &Db, email: &str, role: &str) -> UserId {
    users::create_user(db, &RequestContext::system(), email, email, role, "a good long password")
        .await
        .expect("user")
}

/// Head and manager 1 in team A, manager 2 in team B.
async fn team(db: &Db) -> Team {
    setup::bootstrap(db).await.expect("bootstrap");
    let admin = person(db, "admin@x.ru", "administrator").await;
    let head = person(db, "head@x.ru", "head_of_sales").await;
    let m1 = person(db, "m1@x.ru", "manager").await;
    let m2 = person(db, "m2@x.ru", "manager").await;
    let mut tx = db.begin().await.expect("begin");
    let group_a = orbita_storage::users::insert_group(&mut tx, "Team A", now()).await.expect("group");
    let group_b = orbita_storage::users::insert_group(&mut tx, "Team B", now()).await.expect("group");
    for (group, user) in [(group_a, head), (group_a, m1), (group_b, m2)] {
        orbita_storage::users::add_to_group(&mut tx, group, user, now()).await.expect("member");
    }
    tx.commit().await.expect("commit");
    let load = |id| async move { Access::load(db, id, None).await.expect("access") };
    Team { admin: load(admin).await, head: load(head).await, m1: load(m1).await, m2: load(m2).await, group_a }
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("valid time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn rub(minor: i64) -> Money {
    Money::from_minor(minor, Currency::RUB)
}

fn stage(stages: &[Stage], kind: StageKind) -> &Stage {
    stages.iter().find(|s| s.kind == kind).expect("stage")
}

/// A deal closed (won or lost) at a chosen moment in the past, with its stage history: the
/// services only close deals "now".
async fn closed_deal(db: &Db, owner: UserId, amount: &str, currency: &str, to: &Stage, closed: Timestamp) {
    let (_, stages) = deals::pipelines_and_stages(db).await.expect("stages");
    let fields = DealInput {
        title: "Архив".into(),
        amount: amount.into(),
        currency: currency.into(),
        ..Default::default()
    }
    .validate(&Currency::RUB)
    .expect("deal");
    let id = DealId(bulk::next_id(db, "deals").await.expect("id"));
    let created = closed - Duration::days(10);
    let to_move = move_to_stage(to, "Дорого", closed).expect("move");
    let mut tx = db.begin().await.expect("begin");
    // 0: the trigger on the history below sets the furthest stage.
    let path = orbita_storage::deals::LoadedPath { furthest_position: 0, entered_at: closed };
    let row = orbita_storage::deals::bulk_row(id, &fields, to.pipeline_id, &to_move, owner, created, path);
    bulk::insert_rows(&mut tx, "deals", vec![row]).await.expect("deal");
    let history = vec![
        orbita_storage::deals::bulk_stage_change_row(id, None, stages[0].id, owner, created),
        orbita_storage::deals::bulk_stage_change_row(id, Some(stages[0].id), to.id, owner, closed),
    ];
    bulk::insert_rows(&mut tx, "deal_stage_changes", history).await.expect("history");
    bulk::sync_id_sequence(&mut tx, "deals").await.expect("sequence");
    bulk::sync_id_sequence(&mut tx, "deal_stage_changes").await.expect("sequence");
    tx.commit().await.expect("commit");
}

fn row<'r>(report: &'r SummaryReport, who: &Access) -> &'r SummaryRow {
    report.rows.iter().find(|r| r.user_id == Some(who.user_id())).expect("the employee's row")
}

fn pct(value: i64) -> Option<Decimal> {
    Some(Decimal::new(value, 4))
}

/// January and February 2025 for both managers. m2's big deal closed at 00:30 on 1 February in
/// Moscow, which is still 31 January in UTC: it belongs to February.
async fn history(db: &Db, team: &Team) {
    let (_, stages) = deals::pipelines_and_stages(db).await.expect("stages");
    let (won, lost) = (stage(&stages, StageKind::Won), stage(&stages, StageKind::Lost));
    let (m1, m2) = (team.m1.user_id(), team.m2.user_id());
    closed_deal(db, m1, "1000,10", "", won, utc(2025, 1, 10, 9, 0)).await;
    closed_deal(db, m1, "2000,20", "", won, utc(2025, 1, 31, 20, 59)).await;
    closed_deal(db, m1, "70", "", lost, utc(2025, 1, 12, 9, 0)).await;
    closed_deal(db, m1, "500", "", won, utc(2025, 2, 3, 9, 0)).await;
    closed_deal(db, m2, "0,01", "", won, utc(2025, 1, 2, 9, 0)).await;
    closed_deal(db, m2, "100", "USD", won, utc(2025, 1, 3, 9, 0)).await;
    closed_deal(db, m2, "999 999,99", "", won, utc(2025, 1, 31, 21, 30)).await;
    for (who, month, amount) in
        [(m1, "2025-01", "3 000,30"), (m1, "2025-02", "1000"), (m2, "2025-01", "0,03")]
    {
        targets::set(db, &team.admin, who, month, amount).await.expect("target");
    }
}

#[tokio::test]
async fn won_amounts_targets_and_percentages_are_exact_per_manager_and_month() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        history(&t.db, &team).await;
        let january = SummaryParams { from: date(2025, 1, 1), to: date(2025, 2, 1), group: None };
        let report = reports::summary(&t.db, &team.admin, &january).await.expect("report");
        let (m1, m2) = (row(&report, &team.m1), row(&report, &team.m2));
        assert_eq!((m1.won_count, m1.won_amount, m1.lost_count), (2, rub(300_030), 1), "{}", t.name);
        assert_eq!((m1.target, m1.target_percent), (Some(rub(300_030)), pct(10_000)), "{}", t.name);
        assert_eq!((m1.conversion, m1.average_won), (pct(6_667), Some(rub(150_015))), "{}", t.name);
        assert_eq!(m1.lost_reasons, [("Дорого".to_owned(), 1)]);
        // USD counts as a won deal but is never added to roubles.
        assert_eq!(
            (m2.won_count, m2.won_amount),
            (2, rub(1)),
            "{}: 1 February in Moscow is February",
            t.name
        );
        assert_eq!(m2.won_other, [Money::from_minor(10_000, Currency::USD)]);
        assert_eq!((m2.target, m2.target_percent, m2.average_won), (Some(rub(3)), pct(3_333), Some(rub(1))));
        let total = &report.total;
        assert_eq!((total.won_count, total.won_amount, total.target), (4, rub(300_031), Some(rub(300_033))));
        assert_eq!(total.target_percent, pct(10_000), "{}: 300 031 / 300 033 rounds to 100 %", t.name);

        let quarter = SummaryParams { from: date(2025, 1, 1), to: date(2025, 4, 1), group: None };
        let report = reports::summary(&t.db, &team.admin, &quarter).await.expect("report");
        assert_eq!(report.target_months.len(), 3);
        let m1 = row(&report, &team.m1);
        assert_eq!(
            (m1.won_amount, m1.target, m1.target_percent),
            (rub(350_030), Some(rub(400_030)), pct(8_750))
        );
        assert_eq!(row(&report, &team.m2).won_amount, rub(100_000_000), "{}", t.name);

        let grid = targets::grid(
            &t.db,
            &team.admin,
            parse_month("2025-01").expect("m"),
            parse_month("2025-02").expect("m"),
        )
        .await
        .expect("grid");
        let cells = |who: &Access| {
            let row = grid.rows.iter().find(|r| r.user_id == who.user_id()).expect("grid row");
            row.cells.iter().map(|c| (c.target, c.actual, c.percent)).collect::<Vec<_>>()
        };
        assert_eq!(
            cells(&team.m1),
            [(Some(rub(300_030)), rub(300_030), pct(10_000)), (Some(rub(100_000)), rub(50_000), pct(5_000))]
        );
        assert_eq!(
            cells(&team.m2),
            [(Some(rub(3)), rub(1), pct(3_333)), (None, rub(99_999_999), None)],
            "{}",
            t.name
        );
        // The total compares the month's targets with what the same people won: m2, without a
        // target in February, does not lift it to 100,050 %.
        let totals: Vec<_> = grid.totals.iter().map(|c| (c.target, c.actual, c.percent)).collect();
        assert_eq!(
            totals,
            [(Some(rub(300_033)), rub(300_031), pct(10_000)), (Some(rub(100_000)), rub(50_000), pct(5_000))],
            "{}",
            t.name
        );
        t
    })
    .await;
}

#[tokio::test]
async fn open_pipeline_forecast_is_rounded_once_to_the_kopeck() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let (_, stages) = deals::pipelines_and_stages(&t.db).await.expect("stages");
        for (amount, stage_index) in [("333,33", 2), ("0,05", 0), ("0,05", 0)] {
            let input =
                DealInput { title: "Открытая".into(), amount: amount.into(), ..Default::default() };
            let deal = deals::create(&t.db, &team.m1, &input, None, None, None).await.expect("deal");
            if stage_index > 0 {
                deals::move_stage(&t.db, &team.m1, deal.id, stages[stage_index].id, "", None)
                    .await
                    .expect("move");
            }
        }
        let today = Utc::now().date_naive();
        let params =
            SummaryParams { from: today - Duration::days(1), to: today + Duration::days(2), group: None };
        let report = reports::summary(&t.db, &team.m1, &params).await.expect("report");
        let m1 = row(&report, &team.m1);
        // 333,33 × 40 % + 2 × (0,05 × 10 %) = 133,332 + 0,01 = 133,342 → 133,34; rounding each
        // deal first would say 133,33 + 0,01 + 0,01 = 133,35.
        assert_eq!((m1.open_count, m1.open_amount, m1.forecast), (3, rub(33_343), rub(13_334)), "{}", t.name);
        assert_eq!(m1.deals_created, 3);
        t
    })
    .await;
}

fn deal_filter(drill: Drill) -> orbita_storage::deals::DealFilter {
    match drill {
        Drill::Deals(filter) => filter,
        other => panic!("a deals list, not {other:?}"),
    }
}

#[tokio::test]
async fn every_figure_opens_the_list_it_counts_and_scopes_decide_whose_rows() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        history(&t.db, &team).await;
        let january = SummaryParams { from: date(2025, 1, 1), to: date(2025, 2, 1), group: None };
        for (who, expected) in [(&team.admin, 4), (&team.head, 2), (&team.m1, 1)] {
            let report = reports::summary(&t.db, who, &january).await.expect("report");
            assert_eq!(report.rows.len(), expected, "{}: rows the scope allows", t.name);
            for (user, won, lost) in report
                .rows
                .iter()
                .map(|r| (r.user_id, r.won_count, r.lost_count))
                .chain([(None, report.total.won_count, report.total.lost_count)])
            {
                for (figure, count) in [(Figure::Won, won), (Figure::Lost, lost)] {
                    let filter = deal_filter(report.drill(user, figure));
                    let page = deals::list(&t.db, who, &filter, DealSort::CreatedAt, false, None, 100)
                        .await
                        .expect("list");
                    assert_eq!(page.items.len() as i64, count, "{}: {figure:?} of {user:?}", t.name);
                }
            }
        }
        let head_team = SummaryParams { group: Some(team.group_a), ..january.clone() };
        let report = reports::summary(&t.db, &team.admin, &head_team).await.expect("report");
        assert_eq!(report.total.won_amount, rub(300_030), "{}: team A only", t.name);
        assert!(matches!(
            reports::summary(&t.db, &team.m1, &SummaryParams { to: date(2025, 1, 1), ..january }).await,
            Err(AppError::Invalid(_))
        ));
        t
    })
    .await;
}

#[tokio::test]
async fn only_heads_and_administrators_set_targets_within_their_scope() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let (m1, m2) = (team.m1.user_id(), team.m2.user_id());
        let refused = targets::set(&t.db, &team.m1, m1, "2025-01", "100").await;
        assert!(
            matches!(refused, Err(AppError::Forbidden)),
            "{}: a manager sets no targets: {refused:?}",
            t.name
        );
        targets::set(&t.db, &team.head, m1, "2025-01", "1 500 000,50").await.expect("own team");
        let other_team = targets::set(&t.db, &team.head, m2, "2025-01", "100").await;
        assert!(matches!(other_team, Err(AppError::Forbidden)), "{}: {other_team:?}", t.name);
        targets::set(&t.db, &team.admin, m2, "2025-01", "100").await.expect("admin: anyone");
        match targets::set(&t.db, &team.head, m1, "2025-1", "12,345").await {
            Err(AppError::Invalid(errors)) => {
                assert!(errors.field("month").is_some() && errors.field("amount").is_some(), "{}", t.name)
            }
            other => panic!("{}: {other:?}", t.name),
        }
        let changed = targets::set(&t.db, &team.head, m1, "2025-01", "2000").await.expect("change");
        assert_eq!(changed.amount, rub(200_000));
        targets::set(&t.db, &team.head, team.head.user_id(), "2025-01", "10").await.expect("self");

        let copied = targets::copy_previous_month(&t.db, &team.head, parse_month("2025-02").expect("m"))
            .await
            .expect("copy");
        let mut copied: Vec<_> = copied.iter().map(|c| (c.user_id, c.amount)).collect();
        copied.sort_by_key(|(u, _)| *u);
        assert_eq!(copied, [(team.head.user_id(), rub(1_000)), (m1, rub(200_000))], "{}: not team B", t.name);
        let again = targets::copy_previous_month(&t.db, &team.head, parse_month("2025-02").expect("m"))
            .await
            .expect("copy");
        assert!(again.is_empty(), "{}: a month with targets is kept", t.name);
        assert!(matches!(
            targets::copy_previous_month(&t.db, &team.m1, parse_month("2025-02").expect("m")).await,
            Err(AppError::Forbidden)
        ));

        let filter =
            AuditFilter { entity: Some("sales_target".into()), entity_id: Some(m1.0), ..Default::default() };
        let events = admin::audit_log(&t.db, &team.admin, &filter, None, 10).await.expect("audit").items;
        let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["create", "update", "create"],
            "{}: copy, change, first set (newest first)",
            t.name
        );
        let update = &events[1].changes;
        assert_eq!(update[0].field, "month");
        assert_eq!(
            (update[1].before.as_deref(), update[1].after.as_deref()),
            (Some("1500000.50"), Some("2000.00"))
        );
        t
    })
    .await;
}

#[tokio::test]
async fn the_funnel_follows_the_deals_created_in_the_period() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let (pipelines, stages) = deals::pipelines_and_stages(&t.db).await.expect("stages");
        let lost = stage(&stages, StageKind::Lost);
        let mut ids = Vec::new();
        for title in ["A", "B", "C", "D"] {
            let input = DealInput { title: title.into(), amount: "10".into(), ..Default::default() };
            ids.push(deals::create(&t.db, &team.m1, &input, None, None, None).await.expect("deal").id);
        }
        let other = DealInput { title: "Чужая".into(), ..Default::default() };
        deals::create(&t.db, &team.m2, &other, None, None, None).await.expect("deal");
        let won = stage(&stages, StageKind::Won);
        deals::move_stage(&t.db, &team.m1, ids[0], stages[2].id, "", None).await.expect("skip a stage");
        deals::move_stage(&t.db, &team.m1, ids[0], won.id, "", None).await.expect("won");
        deals::move_stage(&t.db, &team.m1, ids[1], stages[1].id, "", None).await.expect("move");
        deals::move_stage(&t.db, &team.m1, ids[1], lost.id, "Дорого", None).await.expect("lost");
        deals::move_stage(&t.db, &team.m1, ids[2], lost.id, "Нет бюджета", None).await.expect("lost");

        let today = Utc::now().date_naive();
        let params = FunnelParams {
            pipeline_id: pipelines[0].id,
            from: today - Duration::days(1),
            to: today + Duration::days(2),
            owner: None,
            group: None,
            source: None,
            region: None,
            industry: None,
        };
        let funnel = reports::funnel(&t.db, &team.m1, &params).await.expect("funnel");
        assert_eq!((funnel.deals, funnel.won, funnel.lost), (4, 1, 2), "{}: only m1's deals", t.name);
        let reached: Vec<_> = funnel.stages.iter().map(|s| s.reached).collect();
        assert_eq!(reached, [4, 2, 1, 1, 1], "{}: skipping a stage passes it", t.name);
        assert_eq!(funnel.stages[1].from_previous, pct(5_000));
        let lost_here: Vec<_> = funnel.stages.iter().map(|s| s.lost_here).collect();
        assert_eq!(lost_here, [1, 1, 0, 0, 0]);
        assert_eq!(funnel.stages[0].lost_reasons, [("Нет бюджета".to_owned(), 1)]);
        let page = deals::list(&t.db, &team.m1, &funnel.cohort, DealSort::CreatedAt, false, None, 100)
            .await
            .expect("list");
        assert_eq!(page.items.len(), 4, "{}: the cohort as a list", t.name);
        let by_admin =
            reports::funnel(&t.db, &team.admin, &FunnelParams { owner: Some(team.m2.user_id()), ..params })
                .await
                .expect("funnel");
        assert_eq!(by_admin.deals, 1, "{}: sliced by owner", t.name);
        t
    })
    .await;
}
