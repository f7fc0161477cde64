//! The deals list takes `filter=`, a condition as JSON (the records kernel's filters as data),
//! on SQLite and PostgreSQL: the same rows in the list and its download, within the caller's
//! scope, and a mistake is a 422 that names its place in the tree, never a 500.

mod support;

use axum::http::StatusCode;
use orbita_testkit::on_both;
use serde_json::{Value, json};
use support::{Client, org};

fn encoded(filter: &Value) -> String {
    serde_urlencoded::to_string([("filter", filter.to_string())]).expect("encoded")
}

async fn titles(client: &Client, filter: &Value) -> Vec<String> {
    let page =
        client.get(&format!("/api/v1/deals?sort=title&{}", encoded(filter))).await.expect(StatusCode::OK);
    page.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| d["title"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn a_filter_tree_narrows_the_deals_list_and_its_download() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (m1, m2, admin) = (org.manager1(), org.manager2(), org.admin());
        let pipelines = m1.get("/api/v1/pipelines").await.expect(StatusCode::OK);
        let stages: Vec<i64> = pipelines.body["items"][0]["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .filter_map(|s| s["id"].as_i64())
            .collect();
        for (client, title, amount, stage) in [
            (&m1, "Балкон", "300000", stages[1]),
            (&m1, "Веранда", "700000", stages[2]),
            (&m1, "Окна", "900000", stages[4]),
            (&m2, "Двери", "800000", stages[2]),
        ] {
            client
                .post("/api/v1/deals", json!({"title": title, "amount": amount, "stage_id": stage}))
                .await
                .expect(StatusCode::CREATED);
        }
        // (stage 2 or 3, and amount > 500 000) or owner is manager 2.
        let view = json!({"or": [
            {"and": [{"field": "stage_id", "op": "in", "value": [stages[1], stages[2]]},
                     {"field": "amount", "op": "gt", "value": "500000"}]},
            {"field": "owner_id", "op": "eq", "value": org.manager2.0}
        ]});
        assert_eq!(titles(&admin, &view).await, ["Веранда", "Двери"], "{}", t.name);
        // The scope applies beside the tree: manager 1 does not see manager 2's deal.
        assert_eq!(titles(&m1, &view).await, ["Веранда"], "{}", t.name);
        let recent = json!({"field": "created_at", "op": "this_month"});
        assert_eq!(titles(&m1, &recent).await, ["Балкон", "Веранда", "Окна"], "{}", t.name);

        // The download holds the same rows.
        let file = admin.download(&format!("/api/v1/deals.csv?sort=title&{}", encoded(&view))).await;
        assert_eq!(file.status, StatusCode::OK, "{}", t.name);
        let text = String::from_utf8_lossy(&file.bytes).into_owned();
        assert_eq!(text.lines().count(), 3, "{}: a header and two deals: {text}", t.name);
        assert!(text.contains("Веранда") && text.contains("Двери") && !text.contains("Окна"), "{}", t.name);

        // Mistakes are 422s naming their place.
        let refused = |filter: Value| {
            let admin = admin.clone();
            async move {
                let answer = admin.get(&format!("/api/v1/deals?{}", encoded(&filter))).await;
                let answer = answer.expect(StatusCode::UNPROCESSABLE_ENTITY);
                (answer.error_fields(), answer.error_codes())
            }
        };
        let unknown = refused(json!({"and": [{"field": "colour", "op": "eq", "value": "red"}]})).await;
        assert_eq!(
            unknown,
            (vec!["filter.and[0].field".to_owned()], vec!["filter-field-unknown".to_owned()])
        );
        let wrong_type = refused(json!({"field": "amount", "op": "gt", "value": "a lot"})).await;
        assert_eq!(wrong_type.0, ["filter.value"], "{}", t.name);
        let not_json =
            admin.get("/api/v1/deals?filter=%7Bnope").await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(not_json.error_codes(), ["filter-json"], "{}", t.name);
        t
    })
    .await;
}

async fn count(client: &Client, list: &str, filter: &Value) -> usize {
    let page = client.get(&format!("/api/v1/{list}?{}", encoded(filter))).await.expect(StatusCode::OK);
    page.body["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn every_list_takes_a_filter_tree() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let m1 = org.manager1();
        let company = m1
            .post("/api/v1/companies", json!({"name": "Ромашка", "region": "Москва", "source": "Сайт"}))
            .await
            .expect(StatusCode::CREATED)
            .id();
        m1.post("/api/v1/companies", json!({"name": "Лютик", "region": "Казань"})).await.expect(StatusCode::CREATED);
        m1.post("/api/v1/contacts", json!({"last_name": "Иванов", "company_id": company}))
            .await
            .expect(StatusCode::CREATED);
        m1.post("/api/v1/contacts", json!({"last_name": "Петров"})).await.expect(StatusCode::CREATED);
        m1.post("/api/v1/tasks", json!({"title": "Позвонить", "priority": "high", "company_id": company}))
            .await
            .expect(StatusCode::CREATED);
        m1.post("/api/v1/tasks", json!({"title": "Написать"})).await.expect(StatusCode::CREATED);
        m1.post("/api/v1/activities", json!({"kind": "note", "subject": "Заметка", "company_id": company}))
            .await
            .expect(StatusCode::CREATED);
        let name = &t.name;
        let moscow = json!({"and": [{"field": "region", "op": "eq", "value": "Москва"}, {"field": "source", "op": "not_empty"}]});
        assert_eq!(count(&m1, "companies", &moscow).await, 1, "{name}");
        assert_eq!(count(&m1, "companies", &json!({"not": moscow})).await, 1, "{name}");
        let linked = json!({"field": "company_id", "op": "eq", "value": company});
        assert_eq!(count(&m1, "contacts", &linked).await, 1, "{name}");
        assert_eq!(count(&m1, "contacts", &json!({"field": "company_id", "op": "empty"})).await, 1, "{name}");
        assert_eq!(count(&m1, "tasks", &json!({"field": "priority", "op": "eq", "value": "high"})).await, 1, "{name}");
        assert_eq!(count(&m1, "tasks", &linked).await, 1, "{name}");
        assert_eq!(count(&m1, "activities", &json!({"field": "kind", "op": "in", "value": ["note", "call"]})).await, 1, "{name}");
        let wrong = m1.get(&format!("/api/v1/tasks?{}", encoded(&json!({"field": "priority", "op": "eq", "value": "urgent"})))).await;
        assert_eq!(wrong.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["filter.value"], "{name}");
        t
    })
    .await;
}
