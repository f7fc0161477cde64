//! Deals on both databases: the default pipeline, exact amounts, stage moves and their history.

use orbita_domain::deal::{DealInput, DealStatus, move_to_stage};
use orbita_domain::kind::RecordKind;
use orbita_domain::now;
use orbita_domain::pipeline::{DEFAULT_PIPELINE, DEFAULT_STAGES, StageKind};
use orbita_domain::validation::Currency;
use orbita_storage::deals::{self, DealFilter, DealSort};
use orbita_storage::{ownership, pipelines};

use orbita_testkit::on_both;

#[tokio::test]
async fn deal_moves_through_stages_to_won_and_lost_with_exact_amounts() {
    on_both(|t| async move {
        let owner = t.user("manager@example.com").await;
        let mut tx = t.db.begin().await.expect("begin");
        let pipeline = pipelines::insert(&mut tx, DEFAULT_PIPELINE, true, DEFAULT_STAGES, now())
            .await
            .expect("pipeline");
        tx.commit().await.expect("commit");
        let stages = pipelines::stages(&t.db).await.expect("stages");
        assert_eq!(stages.len(), DEFAULT_STAGES.len());
        assert_eq!(stages[0].name_en, "New request");
        let won = stages.iter().find(|s| s.kind == StageKind::Won).expect("won stage");
        let lost = stages.iter().find(|s| s.kind == StageKind::Lost).expect("lost stage");

        let mut ids = Vec::new();
        for (title, amount) in [("Окна в офис", "1 500 000,10"), ("Двери", "0.01")] {
            let fields = DealInput { title: title.into(), amount: amount.into(), ..Default::default() }
                .validate(&Currency::RUB)
                .expect("deal");
            let start = move_to_stage(&stages[0], "", now()).expect("start");
            let mut tx = t.db.begin().await.expect("begin");
            ids.push(
                deals::insert(&mut tx, &fields, pipeline, &start, owner, Some(owner), now())
                    .await
                    .expect("deal"),
            );
            tx.commit().await.expect("commit");
        }
        let first = deals::get(&t.db, ids[0]).await.expect("get");
        assert_eq!(first.fields.amount.to_minor(), 150_000_010, "{}: exact kopecks", t.name);
        assert_eq!((first.status, first.probability), (DealStatus::Open, 10));

        let mut tx = t.db.begin().await.expect("begin");
        let to_won = move_to_stage(won, "", now()).expect("won");
        deals::move_stage(&mut tx, &first, &to_won, Some(owner), now()).await.expect("move");
        let second = deals::get_in(&mut tx, ids[1]).await.expect("get");
        let to_lost = move_to_stage(lost, "Выбрали конкурента", now()).expect("lost");
        deals::move_stage(&mut tx, &second, &to_lost, Some(owner), now()).await.expect("move");
        // A move computed from an old read of the deal is refused.
        let stale = deals::move_stage(&mut tx, &first, &to_won, Some(owner), now()).await;
        assert!(matches!(stale, Err(orbita_storage::StorageError::StaleVersion)), "{}: {stale:?}", t.name);
        tx.commit().await.expect("commit");

        let first = deals::get(&t.db, ids[0]).await.expect("get");
        assert_eq!((first.status, first.stage_id, first.probability), (DealStatus::Won, won.id, 100));
        assert!(first.closed_at.is_some());
        let second = deals::get(&t.db, ids[1]).await.expect("get");
        assert_eq!(second.lost_reason.as_deref(), Some("Выбрали конкурента"));

        let won_filter = DealFilter { status: Some(DealStatus::Won), ..Default::default() };
        let page = deals::list(&t.db, &won_filter, DealSort::Amount, true, None, 10).await.expect("list");
        assert_eq!(page.items.iter().map(|d| d.id).collect::<Vec<_>>(), vec![ids[0]], "{}", t.name);
        let by_stage =
            DealFilter { stage_ids: Some(vec![lost.id]), q: Some("двер".into()), ..Default::default() };
        let page = deals::list(&t.db, &by_stage, DealSort::CreatedAt, false, None, 10).await.expect("list");
        assert_eq!(page.items.len(), 1, "{}: stage filter with search", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_kanban_column_holds_the_visible_deals_of_its_stage_most_recently_changed_first() {
    use orbita_storage::list::Visibility;

    on_both(|t| async move {
        let anna = t.user("anna@example.com").await;
        let boris = t.user("boris@example.com").await;
        let mut tx = t.db.begin().await.expect("begin");
        let pipeline = pipelines::insert(&mut tx, DEFAULT_PIPELINE, true, DEFAULT_STAGES, now())
            .await
            .expect("pipeline");
        tx.commit().await.expect("commit");
        let stages = pipelines::stages(&t.db).await.expect("stages");
        let start = move_to_stage(&stages[0], "", now()).expect("start");
        let base = now();
        let mut anna_first_stage = Vec::new();
        for (n, owner) in [anna, boris, anna, anna, boris, anna].into_iter().enumerate() {
            let fields =
                DealInput { title: format!("Сделка {n}"), amount: "100".into(), ..Default::default() }
                    .validate(&Currency::RUB)
                    .expect("deal");
            // Each deal changed a minute after the previous one.
            let at = base + chrono::Duration::minutes(n as i64);
            let mut tx = t.db.begin().await.expect("begin");
            let id = deals::insert(&mut tx, &fields, pipeline, &start, owner, Some(owner), at)
                .await
                .expect("deal");
            tx.commit().await.expect("commit");
            if owner == anna {
                anna_first_stage.push(id);
            }
        }
        let visible = Visibility { owners: vec![anna], shared_with: None };
        let filter = DealFilter { visible: Some(visible), pipeline_id: Some(pipeline), ..Default::default() };
        let cards = deals::stage_cards(&t.db, &filter, stages[0].id, 3).await.expect("cards");
        let ids: Vec<_> = cards.iter().map(|d| d.id).collect();
        let newest: Vec<_> = anna_first_stage.iter().rev().take(3).copied().collect();
        assert_eq!(ids, newest, "{}: Anna's three latest, newest first", t.name);
        let other_stage = deals::stage_cards(&t.db, &filter, stages[1].id, 3).await.expect("cards");
        assert!(other_stage.is_empty(), "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn kanban_running_totals_agree_with_counting_the_deals_after_every_kind_of_change() {
    use orbita_storage::list::Visibility;

    on_both(|t| async move {
        let owners = [
            t.user("anna@example.com").await,
            t.user("boris@example.com").await,
            t.user("vera@example.com").await,
        ];
        let mut tx = t.db.begin().await.expect("begin");
        let pipeline = pipelines::insert(&mut tx, DEFAULT_PIPELINE, true, DEFAULT_STAGES, now())
            .await
            .expect("pipeline");
        tx.commit().await.expect("commit");
        let stages = pipelines::stages(&t.db).await.expect("stages");
        let base = now();
        let mut ids = Vec::new();
        for n in 0..12usize {
            let currency = if n % 4 == 3 { Currency::USD } else { Currency::RUB };
            let fields = DealInput {
                title: format!("Сделка {n}"),
                amount: format!("{}.{n:02}", 100 * n),
                ..Default::default()
            }
            .validate(&currency)
            .expect("deal");
            let stage = move_to_stage(&stages[n % 3], "", base).expect("stage");
            let at = base + chrono::Duration::minutes(n as i64);
            let owner = owners[n % 3];
            let mut tx = t.db.begin().await.expect("begin");
            ids.push(
                deals::insert(&mut tx, &fields, pipeline, &stage, owner, Some(owner), at)
                    .await
                    .expect("deal"),
            );
            tx.commit().await.expect("commit");
        }
        // Every change the triggers must follow: a stage move, an owner change, a new amount and
        // currency, a delete.
        let mut tx = t.db.begin().await.expect("begin");
        let moved = deals::get_in(&mut tx, ids[0]).await.expect("deal");
        let won = stages.iter().find(|s| s.kind == StageKind::Won).expect("won");
        deals::move_stage(&mut tx, &moved, &move_to_stage(won, "", now()).expect("won"), None, now())
            .await
            .expect("move");
        ownership::set_owner(&mut tx, RecordKind::Deal, ids[1].0, owners[2], now()).await.expect("owner");
        let mut edited = deals::get_in(&mut tx, ids[2]).await.expect("deal").fields;
        edited.amount = orbita_domain::validation::Money::from_minor(999_999, Currency::EUR);
        deals::update(&mut tx, ids[2], &edited, None, now()).await.expect("update");
        ownership::delete(&mut tx, RecordKind::Deal, ids[3].0).await.expect("delete");
        tx.commit().await.expect("commit");

        let scopes = [
            DealFilter { pipeline_id: Some(pipeline), ..Default::default() },
            DealFilter {
                pipeline_id: Some(pipeline),
                visible: Some(Visibility { owners: vec![owners[0], owners[2]], shared_with: None }),
                ..Default::default()
            },
            DealFilter {
                pipeline_id: Some(pipeline),
                visible: Some(Visibility { owners: owners.to_vec(), shared_with: None }),
                owner_ids: Some(vec![owners[1]]),
                ..Default::default()
            },
        ];
        for filter in &scopes {
            let running = deals::stage_totals(&t.db, filter).await.expect("running totals");
            let mut counted = deals::counted_stage_totals(&t.db, filter).await.expect("counted");
            counted.sort_by(|a, b| (a.stage_id, &a.currency).cmp(&(b.stage_id, &b.currency)));
            assert!(!counted.is_empty(), "{}", t.name);
            assert_eq!(running, counted, "{}: {filter:?}", t.name);
        }

        // A column read owner by owner holds the same cards as one read in a single query.
        let two = &scopes[1];
        for stage in &stages {
            let cards = deals::stage_cards(&t.db, two, stage.id, 3).await.expect("cards");
            let mut expected = Vec::new();
            for n in (0..ids.len()).rev() {
                let deal = match deals::get(&t.db, ids[n]).await {
                    Ok(deal) => deal,
                    Err(_) => continue,
                };
                if deal.stage_id == stage.id && [owners[0], owners[2]].contains(&deal.owner_id) {
                    expected.push(deal);
                }
            }
            expected.sort_by_key(|d| std::cmp::Reverse((d.updated_at, d.id.0)));
            expected.truncate(3);
            let got: Vec<_> = cards.iter().map(|d| d.id).collect();
            let want: Vec<_> = expected.iter().map(|d| d.id).collect();
            assert_eq!(got, want, "{}: stage {}", t.name, stage.name_en);
        }
        t
    })
    .await;
}
