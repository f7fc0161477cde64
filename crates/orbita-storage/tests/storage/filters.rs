//! Filters as data on both databases: the same tree selects the same deals on SQLite and
//! PostgreSQL, for every kind of comparison, nested and/or/not included.

use orbita_domain::deal::{DealInput, move_to_stage};
use orbita_domain::fields::DEAL_FIELDS;
use orbita_domain::filter::{Filter, RawFilter};
use orbita_domain::pipeline::{DEFAULT_PIPELINE, DEFAULT_STAGES};
use orbita_domain::validation::Currency;
use orbita_domain::{DealId, now};
use orbita_storage::deals::{self, DealFilter, DealSort};
use orbita_storage::pipelines;
use orbita_testkit::on_both;

fn tree(json: &str) -> Filter {
    let raw: RawFilter = serde_json::from_str(json).expect("JSON");
    let today = chrono::Utc::now().date_naive();
    let day_start = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    Filter::parse(&raw, orbita_domain::filter::Fields::builtin(DEAL_FIELDS), "filter")
        .expect("valid")
        .resolve(today, &day_start)
}

#[tokio::test]
async fn a_filter_tree_selects_the_same_deals_on_both_databases() {
    on_both(|t| async move {
        let anna = t.user("anna@example.com").await;
        let boris = t.user("boris@example.com").await;
        let mut tx = t.db.begin().await.expect("begin");
        let pipeline = pipelines::insert(&mut tx, DEFAULT_PIPELINE, true, DEFAULT_STAGES, now())
            .await
            .expect("pipeline");
        tx.commit().await.expect("commit");
        let stages = pipelines::stages(&t.db).await.expect("stages");
        let mut ids: Vec<DealId> = Vec::new();
        let deals_in = [
            ("Окна ПВХ в офис", "600000", 1, anna, "Сайт"),
            ("Двери_100%", "100000", 2, anna, ""),
            ("окна деревянные", "900000,50", 3, boris, "Выставка"),
            ("Балкон", "500000", 1, boris, "Сайт"),
        ];
        for (title, amount, stage, owner, source) in deals_in {
            let input = DealInput {
                title: title.into(),
                amount: amount.into(),
                source: source.into(),
                ..Default::default()
            };
            let fields = input.validate(&Currency::RUB).expect("deal");
            let start = move_to_stage(&stages[stage], "", now()).expect("stage");
            let mut tx = t.db.begin().await.expect("begin");
            ids.push(
                deals::insert(&mut tx, &fields, pipeline, &start, owner, Some(owner), now())
                    .await
                    .expect("deal"),
            );
            tx.commit().await.expect("commit");
        }
        let found = |json: String| {
            let db = t.db.clone();
            async move {
                let filter = DealFilter { tree: Some(tree(&json)), ..Default::default() };
                let page =
                    deals::list(&db, &filter, DealSort::CreatedAt, false, None, 50).await.expect("list");
                page.items.into_iter().map(|d| d.id).collect::<Vec<_>>()
            }
        };
        let (s1, s2, s3) = (stages[1].id.0, stages[2].id.0, stages[3].id.0);
        let name = &t.name;
        // The issue's saved view: (stage is 1 or 3, and amount > 500 000) or owner is Boris.
        let view = format!(
            r#"{{"or": [{{"and": [{{"field": "stage_id", "op": "in", "value": [{s1}, {s3}]}},
                                  {{"field": "amount", "op": "gt", "value": "500000"}}]}},
                        {{"field": "owner_id", "op": "eq", "value": {}}}]}}"#,
            boris.0
        );
        assert_eq!(found(view).await, [ids[0], ids[2], ids[3]], "{name}");
        assert_eq!(
            found(r#"{"field": "amount", "op": "between", "value": ["100000", "500000"]}"#.into()).await,
            [ids[1], ids[3]],
            "{name}"
        );
        assert_eq!(
            found(r#"{"field": "amount", "op": "gte", "value": "900000.50"}"#.into()).await,
            [ids[2]],
            "{name}: kopecks"
        );
        // Contains ignores case (ASCII on SQLite) and takes % and _ literally.
        assert_eq!(
            found(r#"{"field": "title", "op": "contains", "value": "_100%"}"#.into()).await,
            [ids[1]],
            "{name}"
        );
        assert_eq!(
            found(r#"{"field": "title", "op": "contains", "value": "ПВХ"}"#.into()).await,
            [ids[0]],
            "{name}"
        );
        assert_eq!(
            found(r#"{"field": "source", "op": "empty"}"#.into()).await,
            [ids[1]],
            "{name}: empty text"
        );
        assert_eq!(
            found(r#"{"field": "source", "op": "ne", "value": "Сайт"}"#.into()).await,
            [ids[1], ids[2]],
            "{name}: ne keeps the empty"
        );
        assert_eq!(
            found(r#"{"not": {"field": "source", "op": "not_empty"}}"#.into()).await,
            [ids[1]],
            "{name}"
        );
        assert_eq!(
            found(format!(r#"{{"field": "stage_id", "op": "eq", "value": {s2}}}"#)).await,
            [ids[1]],
            "{name}"
        );
        assert_eq!(
            found(r#"{"field": "created_at", "op": "today"}"#.into()).await.len(),
            4,
            "{name}: made today"
        );
        assert_eq!(found(r#"{"field": "created_at", "op": "last_month"}"#.into()).await, [], "{name}");
        assert_eq!(
            found(r#"{"field": "expected_close_date", "op": "overdue"}"#.into()).await,
            [],
            "{name}: no dates"
        );
        assert_eq!(
            found(r#"{"field": "status", "op": "in", "value": ["open"]}"#.into()).await.len(),
            4,
            "{name}"
        );
        t
    })
    .await;
}
