//! Every resource's operations, their success and failure paths, on SQLite and PostgreSQL.

mod support;

use axum::http::StatusCode;
use orbita_domain::audit::AuditAction;
use orbita_storage::audit::AuditFilter;
use orbita_testkit::on_both;
use serde_json::{Value, json};
use support::{Client, org};

/// Walks a list to its end with `limit`, returning every item's `field`.
async fn walk(client: &Client, path: &str, limit: u64, field: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}limit={limit}");
    loop {
        let page = client.get(&url).await.expect(StatusCode::OK);
        let items = page.body["items"].as_array().expect("items").clone();
        assert!(items.len() as u64 <= limit);
        seen.extend(items.iter().map(|i| i[field].clone()));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => url = format!("{path}{sep}limit={limit}&cursor={cursor}"),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn companies_are_created_read_changed_and_deleted() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let m1 = org.manager1();
        let created = m1
            .post(
                "/api/v1/companies",
                json!({"name": "ПАО Сбербанк", "inn": "7707083893", "kpp": "773601001",
                       "phones": ["8 (495) 500-55-50"], "emails": ["info@sberbank.ru"], "region": "Москва"}),
            )
            .await
            .expect(StatusCode::CREATED);
        let id = created.id();
        assert_eq!(created.header("location"), format!("/api/v1/companies/{id}"));
        assert_eq!(created.header("etag"), "\"1\"");
        assert_eq!(created.body["phones"], json!(["+74955005550"]));
        assert_eq!(created.body["owner_id"], json!(org.manager1.0));
        assert_eq!(created.body["version"], json!(1));
        assert!(created.body["created_at"].as_str().is_some_and(|t| t.ends_with('Z')));

        let read = m1.get(&format!("/api/v1/companies/{id}")).await.expect(StatusCode::OK);
        assert_eq!(read.header("etag"), "\"1\"");
        assert_eq!(read.body["name"], "ПАО Сбербанк");

        // Merge patch: given members replace, null clears, the rest stays.
        let changed = m1
            .patch_if(
                &format!("/api/v1/companies/{id}"),
                "\"1\"",
                json!({"region": null, "industry": "Банки"}),
            )
            .await
            .expect(StatusCode::OK);
        assert_eq!(changed.header("etag"), "\"2\"");
        assert_eq!(
            (changed.body["region"].clone(), changed.body["industry"].clone()),
            (Value::Null, json!("Банки"))
        );
        assert_eq!(changed.body["inn"], "7707083893");
        // Nothing to change: no new version.
        let same = m1.patch(&format!("/api/v1/companies/{id}"), json!({"industry": "Банки"})).await;
        assert_eq!(same.expect(StatusCode::OK).body["version"], json!(2));

        // A stale If-Match: 412 for PATCH and DELETE, nothing changed.
        m1.patch_if(&format!("/api/v1/companies/{id}"), "\"1\"", json!({"name": "x"}))
            .await
            .expect(StatusCode::PRECONDITION_FAILED);
        let admin = org.admin();
        admin
            .send(
                axum::http::Method::DELETE,
                &format!("/api/v1/companies/{id}"),
                None,
                &[("if-match", "\"1\"")],
            )
            .await
            .expect(StatusCode::PRECONDITION_FAILED);
        assert_eq!(m1.get(&format!("/api/v1/companies/{id}")).await.body["name"], "ПАО Сбербанк");

        // A manager may not delete; the administrator may.
        m1.delete(&format!("/api/v1/companies/{id}")).await.expect(StatusCode::FORBIDDEN);
        let gone = admin
            .send(
                axum::http::Method::DELETE,
                &format!("/api/v1/companies/{id}"),
                None,
                &[("if-match", "\"2\"")],
            )
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        admin.get(&format!("/api/v1/companies/{id}")).await.expect(StatusCode::NOT_FOUND);
        admin.delete(&format!("/api/v1/companies/{id}")).await.expect(StatusCode::NOT_FOUND);
        t
    })
    .await;
}

#[tokio::test]
async fn company_input_is_validated_field_by_field() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let m1 = org.manager1();
        let bad = m1
            .post("/api/v1/companies", json!({"name": " ", "inn": "7707083894", "emails": ["nope"]}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.error_fields(), ["name", "inn", "emails"]);
        assert!(bad.error_codes().contains(&"inn-check-digits".to_owned()));
        assert_eq!(bad.body["type"], "urn:orbita:problem:validation");

        let missing = m1.post("/api/v1/companies", json!({"inn": "7707083893"})).await;
        assert_eq!(missing.expect(StatusCode::UNPROCESSABLE_ENTITY).error_codes(), ["required"]);
        let wrong_type = m1.post("/api/v1/companies", json!({"name": "x", "phones": "+7 900"})).await;
        assert_eq!(wrong_type.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["phones"]);
        let unknown = m1.post("/api/v1/companies", json!({"name": "x", "nmae": "y"})).await;
        assert_eq!(unknown.expect(StatusCode::UNPROCESSABLE_ENTITY).error_codes(), ["unknown-field"]);
        let nul = m1.post("/api/v1/companies", json!({"name": "a\u{0}b"})).await;
        assert_eq!(nul.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["name"]);
        let owner = m1.post("/api/v1/companies", json!({"name": "x", "owner_id": 999_999})).await;
        assert_eq!(owner.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["owner_id"]);
        let theirs = m1.post("/api/v1/companies", json!({"name": "x", "owner_id": org.manager2.0})).await;
        assert_eq!(theirs.expect(StatusCode::UNPROCESSABLE_ENTITY).error_codes(), ["owner-out-of-scope"]);

        // The same INN and KPP twice: the unique index answers on the field.
        let sber = json!({"name": "Сбербанк", "inn": "7707083893", "kpp": "773601001"});
        m1.post("/api/v1/companies", sber.clone()).await.expect(StatusCode::CREATED);
        let twice = m1.post("/api/v1/companies", sber).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(twice.error_codes(), ["inn-kpp-taken"]);

        // Broken JSON, another content type, a body too large, an id that is no number.
        let broken = m1
            .raw(
                axum::http::Request::post("/api/v1/companies")
                    .header("authorization", format!("Bearer {}", org.manager1_token))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from("{\"name\": "))
                    .expect("request"),
            )
            .await;
        assert_eq!(broken.expect(StatusCode::BAD_REQUEST).body["type"], "urn:orbita:problem:malformed-json");
        let form = m1
            .raw(
                axum::http::Request::post("/api/v1/companies")
                    .header("authorization", format!("Bearer {}", org.manager1_token))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(axum::body::Body::from("name=x"))
                    .expect("request"),
            )
            .await;
        form.expect(StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let huge = json!({"name": "x".repeat(2 * 1024 * 1024)});
        m1.post("/api/v1/companies", huge).await.expect(StatusCode::PAYLOAD_TOO_LARGE);
        m1.get("/api/v1/companies/abc").await.expect(StatusCode::BAD_REQUEST);
        let not_object = m1.patch("/api/v1/companies/1", json!([1])).await;
        assert!(not_object.status.is_client_error());
        t
    })
    .await;
}

#[tokio::test]
async fn lists_page_with_cursors_sort_and_filter() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let m1 = org.manager1();
        for name in ["Дельта", "Альфа", "Гамма", "Бета", "Эпсилон", "Альфа", "Жёлудь"]
        {
            m1.post("/api/v1/companies", json!({"name": name})).await.expect(StatusCode::CREATED);
        }
        m1.post("/api/v1/companies", json!({"name": "Сбер", "inn": "7707083893", "kpp": "773601001"}))
            .await
            .expect(StatusCode::CREATED);
        // Another manager's companies are not in the list.
        org.manager2().post("/api/v1/companies", json!({"name": "Чужая"})).await.expect(StatusCode::CREATED);

        let names = walk(&m1, "/api/v1/companies?sort=name", 3, "name").await;
        let expected = ["Альфа", "Альфа", "Бета", "Гамма", "Дельта", "Жёлудь", "Сбер", "Эпсилон"];
        assert_eq!(names, expected.map(|n| json!(n)));
        let ids = walk(&m1, "/api/v1/companies?sort=name", 3, "id").await;
        let mut unique = ids.clone();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "no row twice");
        let backwards = walk(&m1, "/api/v1/companies?sort=-name", 2, "name").await;
        assert_eq!(backwards, expected.iter().rev().map(|n| json!(n)).collect::<Vec<_>>());
        let newest = walk(&m1, "/api/v1/companies?sort=-created_at", 5, "id").await;
        assert_eq!(newest.len(), 8);

        // The UI's search and filters.
        let found = m1.get("/api/v1/companies?q=7707083893").await.expect(StatusCode::OK);
        assert_eq!(found.body["items"][0]["name"], "Сбер");
        let by_inn = m1.get("/api/v1/companies?inn=7707083893&kpp=773601001").await.expect(StatusCode::OK);
        assert_eq!(by_inn.body["items"].as_array().map(Vec::len), Some(1));
        let searched = m1.get("/api/v1/companies?q=%D0%B0%D0%BB%D1%8C%D1%84").await.expect(StatusCode::OK);
        assert_eq!(searched.body["items"].as_array().map(Vec::len), Some(2), "{}", searched.body);
        let future =
            m1.get("/api/v1/companies?created_from=2999-01-01T00:00:00Z").await.expect(StatusCode::OK);
        assert_eq!(future.body["items"], json!([]));
        assert_eq!(future.body["next_cursor"], Value::Null);

        // Refusals: unknown sort 422, bad or foreign cursors 422, limits out of range 422.
        let sort = m1.get("/api/v1/companies?sort=inn").await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(sort.error_fields(), ["sort"]);
        let page = m1.get("/api/v1/companies?sort=name&limit=2").await.expect(StatusCode::OK);
        let cursor = page.body["next_cursor"].as_str().expect("cursor").to_owned();
        m1.get(&format!("/api/v1/companies?sort=created_at&cursor={cursor}"))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        m1.get("/api/v1/companies?cursor=garbage").await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        m1.get("/api/v1/companies?sort=created_at&cursor=d1:999999999999999999")
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        m1.get("/api/v1/companies?limit=0").await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        m1.get("/api/v1/companies?limit=501").await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        m1.get("/api/v1/companies?limit=-1").await.expect(StatusCode::BAD_REQUEST);
        m1.get("/api/v1/companies?owner_id=abc").await.expect(StatusCode::BAD_REQUEST);
        m1.get("/api/v1/companies?q=%00").await.expect(StatusCode::BAD_REQUEST);
        m1.get("/api/v1/companies?created_from=yesterday").await.expect(StatusCode::BAD_REQUEST);
        t
    })
    .await;
}

#[tokio::test]
async fn contacts_link_to_companies_the_caller_sees() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let m1 = org.manager1();
        let company = m1.post("/api/v1/companies", json!({"name": "Ромашка"})).await.id();
        let theirs = org.manager2().post("/api/v1/companies", json!({"name": "Чужая"})).await.id();
        let contact = m1
            .post(
                "/api/v1/contacts",
                json!({"last_name": "Иванов", "first_name": "Иван", "company_id": company,
                       "phones": ["8 916 123-45-67"]}),
            )
            .await
            .expect(StatusCode::CREATED);
        let id = contact.id();
        assert_eq!(contact.body["full_name"], "Иванов Иван");
        assert_eq!(contact.body["phones"], json!(["+79161234567"]));
        let hidden = m1.post("/api/v1/contacts", json!({"last_name": "Петров", "company_id": theirs})).await;
        assert_eq!(hidden.expect(StatusCode::UNPROCESSABLE_ENTITY).error_codes(), ["not-found"]);
        m1.post("/api/v1/contacts", json!({"first_name": "Без фамилии"}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);

        let changed = m1
            .patch(&format!("/api/v1/contacts/{id}"), json!({"position": "Директор", "company_id": null}))
            .await
            .expect(StatusCode::OK);
        assert_eq!(
            (changed.body["position"].clone(), changed.body["company_id"].clone()),
            (json!("Директор"), Value::Null)
        );
        // A manager may hand their contact to nobody else, and nobody to someone who is not there.
        let path = format!("/api/v1/contacts/{id}");
        let theirs = m1.patch(&path, json!({"owner_id": org.manager2.0})).await;
        assert_eq!(theirs.expect(StatusCode::UNPROCESSABLE_ENTITY).error_codes(), ["owner-out-of-scope"]);
        let nobody = m1.patch(&path, json!({"owner_id": 999_999})).await;
        assert_eq!(nobody.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["owner_id"]);
        m1.patch(&format!("/api/v1/contacts/{id}"), json!({"last_name": null}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);

        let listed = m1
            .get("/api/v1/contacts?q=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2&sort=-created_at")
            .await
            .expect(StatusCode::OK);
        assert_eq!(listed.body["items"][0]["id"], json!(id));
        org.manager2().get(&path).await.expect(StatusCode::NOT_FOUND);
        m1.delete(&path).await.expect(StatusCode::FORBIDDEN);

        // Handing over (the contact card's transfer): audited as an ownership change, and the
        // new owner sees it, the old one (a manager) no longer.
        let handed =
            org.admin().patch(&path, json!({"owner_id": org.manager2.0})).await.expect(StatusCode::OK);
        assert_eq!(handed.body["owner_id"], json!(org.manager2.0));
        assert_eq!(handed.body["position"], json!("Директор"), "the fields stay");
        let filter = AuditFilter {
            entity: Some("contact".into()),
            entity_id: Some(id),
            action: Some(AuditAction::OwnerChange),
            ..AuditFilter::default()
        };
        let events = orbita_storage::audit::list(&t.db, &filter, None, 10).await.expect("audit").items;
        assert_eq!(events.len(), 1, "{}", t.name);
        assert_eq!(events[0].actor_id, Some(org.admin));
        let (before, after) = (org.manager1.to_string(), org.manager2.to_string());
        let change = &events[0].changes[0];
        assert_eq!(
            (change.field.as_str(), change.before.as_deref(), change.after.as_deref()),
            ("owner_id", Some(before.as_str()), Some(after.as_str()))
        );
        m1.get(&path).await.expect(StatusCode::NOT_FOUND);
        org.manager2().get(&path).await.expect(StatusCode::OK);
        assert_eq!(org.admin().delete(&path).await.status, StatusCode::NO_CONTENT);
        t
    })
    .await;
}

#[tokio::test]
async fn deals_carry_money_and_move_through_stages() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let m1 = org.manager1();
        let pipelines = m1.get("/api/v1/pipelines").await.expect(StatusCode::OK);
        let stages = pipelines.body["items"][0]["stages"].as_array().expect("stages").clone();
        let stage = |kind: &str| {
            stages.iter().find(|s| s["kind"] == kind).and_then(|s| s["id"].as_i64()).expect("stage")
        };
        let (won, lost) = (stage("won"), stage("lost"));

        let deal = m1
            .post(
                "/api/v1/deals",
                json!({"title": "Окна", "amount": "1 500 000,10", "expected_close_date": "2026-12-31"}),
            )
            .await
            .expect(StatusCode::CREATED);
        let id = deal.id();
        assert_eq!(
            (deal.body["amount"].clone(), deal.body["currency"].clone()),
            (json!("1500000.10"), json!("RUB"))
        );
        assert_eq!(deal.body["status"], "open");
        assert_eq!(deal.body["stage_id"], stages[0]["id"]);
        assert_eq!(deal.body["expected_close_date"], "2026-12-31");

        let bad = m1
            .post(
                "/api/v1/deals",
                json!({"title": "x", "amount": "12.345", "expected_close_date": "31.12.2026"}),
            )
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.error_fields(), ["expected_close_date"]);
        let amount = m1.post("/api/v1/deals", json!({"title": "x", "amount": "12.345"})).await;
        assert_eq!(amount.expect(StatusCode::UNPROCESSABLE_ENTITY).error_codes(), ["amount-precision"]);
        let pipeline = m1.post("/api/v1/deals", json!({"title": "x", "pipeline_id": 999})).await;
        assert_eq!(pipeline.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["pipeline_id"]);
        let stage_elsewhere = m1.post("/api/v1/deals", json!({"title": "x", "stage_id": 999})).await;
        assert_eq!(stage_elsewhere.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["stage_id"]);

        // Lost needs a reason; with one the deal closes lost; won closes it won.
        let path = format!("/api/v1/deals/{id}");
        let no_reason = m1.patch(&path, json!({"stage_id": lost})).await;
        assert_eq!(no_reason.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["lost_reason"]);
        let lost_deal = m1
            .patch(&path, json!({"stage_id": lost, "lost_reason": "Дорого", "amount": "900"}))
            .await
            .expect(StatusCode::OK);
        assert_eq!(lost_deal.body["status"], "lost");
        assert_eq!(lost_deal.body["lost_reason"], "Дорого");
        assert_eq!(lost_deal.body["amount"], "900.00");
        assert!(lost_deal.body["closed_at"].is_string());
        let etag = lost_deal.header("etag").to_owned();
        let won_deal = m1.patch_if(&path, &etag, json!({"stage_id": won})).await.expect(StatusCode::OK);
        assert_eq!(
            (won_deal.body["status"].clone(), won_deal.body["probability"].clone()),
            (json!("won"), json!(100))
        );
        m1.patch_if(&path, &etag, json!({"stage_id": lost, "lost_reason": "x"}))
            .await
            .expect(StatusCode::PRECONDITION_FAILED);
        m1.patch(&path, json!({"pipeline_id": 2})).await.expect(StatusCode::UNPROCESSABLE_ENTITY);

        // Lists: by status, by amount with a cursor.
        for amount in ["10", "30", "20"] {
            m1.post("/api/v1/deals", json!({"title": format!("Сделка {amount}"), "amount": amount})).await;
        }
        let won_list = m1.get("/api/v1/deals?status=won").await.expect(StatusCode::OK);
        assert_eq!(won_list.body["items"].as_array().map(Vec::len), Some(1));
        let amounts = walk(&m1, "/api/v1/deals?sort=-amount", 2, "amount").await;
        assert_eq!(amounts, ["900.00", "30.00", "20.00", "10.00"].map(|a| json!(a)));
        m1.get("/api/v1/deals?status=maybe").await.expect(StatusCode::BAD_REQUEST);

        // Handing over: the new owner sees it, the old one (a manager) no longer.
        let handed =
            org.admin().patch(&path, json!({"owner_id": org.manager2.0})).await.expect(StatusCode::OK);
        assert_eq!(handed.body["owner_id"], json!(org.manager2.0));
        m1.get(&path).await.expect(StatusCode::NOT_FOUND);
        org.manager2().get(&path).await.expect(StatusCode::OK);
        org.manager2().delete(&path).await.expect(StatusCode::FORBIDDEN);
        assert_eq!(org.admin().delete(&path).await.status, StatusCode::NO_CONTENT);
        t
    })
    .await;
}

#[tokio::test]
async fn tasks_are_assigned_due_and_ticked_off() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let m1 = org.manager1();
        let company = m1.post("/api/v1/companies", json!({"name": "Ромашка"})).await.id();
        let task = m1
            .post(
                "/api/v1/tasks",
                json!({"title": "Позвонить", "due_at": "2020-01-01T09:00:00+03:00", "company_id": company,
                       "priority": "high"}),
            )
            .await
            .expect(StatusCode::CREATED);
        let id = task.id();
        assert_eq!(task.body["due_at"], "2020-01-01T06:00:00Z");
        assert_eq!(task.body["assignee_id"], json!(org.manager1.0));
        assert_eq!((task.body["overdue"].clone(), task.body["done"].clone()), (json!(true), json!(false)));
        m1.post("/api/v1/tasks", json!({"title": "Later"})).await.expect(StatusCode::CREATED);

        let errors = m1
            .post("/api/v1/tasks", json!({"title": "", "assignee_id": 999_999, "due_at": "not a time"}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(errors.error_fields(), ["due_at"]);
        let assignee = m1.post("/api/v1/tasks", json!({"title": "x", "assignee_id": 999_999})).await;
        assert_eq!(assignee.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["assignee_id"]);
        let priority = m1.post("/api/v1/tasks", json!({"title": "x", "priority": "urgent"})).await;
        assert_eq!(priority.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["priority"]);
        m1.post("/api/v1/tasks", json!({"title": "x", "done": true}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);

        let overdue = m1.get("/api/v1/tasks?due_before=2021-01-01T00:00:00Z").await.expect(StatusCode::OK);
        assert_eq!(overdue.body["items"].as_array().map(Vec::len), Some(1));
        let path = format!("/api/v1/tasks/{id}");
        let done = m1.patch(&path, json!({"done": true, "title": "Позвонил"})).await.expect(StatusCode::OK);
        assert_eq!((done.body["done"].clone(), done.body["title"].clone()), (json!(true), json!("Позвонил")));
        assert!(done.body["done_at"].is_string());
        let open = m1.get("/api/v1/tasks?done=false").await.expect(StatusCode::OK);
        assert_eq!(open.body["items"][0]["title"], "Later");
        let by_due = walk(&m1, "/api/v1/tasks?sort=due_at", 1, "title").await;
        assert_eq!(by_due, [json!("Позвонил"), json!("Later")], "tasks without a due time last");
        m1.get("/api/v1/tasks?sort=-due_at").await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        org.manager2().get(&path).await.expect(StatusCode::NOT_FOUND);
        m1.delete(&path).await.expect(StatusCode::FORBIDDEN);
        assert_eq!(org.admin().delete(&path).await.status, StatusCode::NO_CONTENT);
        t
    })
    .await;
}

#[tokio::test]
async fn activities_are_logged_and_listed_newest_first() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let m1 = org.manager1();
        let company = m1.post("/api/v1/companies", json!({"name": "Ромашка"})).await.id();
        let call = m1
            .post(
                "/api/v1/activities",
                json!({"kind": "call", "direction": "outgoing", "occurred_at": "2026-11-01T10:00:00Z",
                       "duration_minutes": 15, "subject": "Обсудили цены", "company_id": company}),
            )
            .await
            .expect(StatusCode::CREATED);
        let id = call.id();
        assert_eq!(
            (call.body["status"].clone(), call.body["responsible_id"].clone()),
            (json!("done"), json!(org.manager1.0))
        );
        m1.post("/api/v1/activities", json!({"kind": "note", "subject": "Заметка"}))
            .await
            .expect(StatusCode::CREATED);

        let unlinked = m1.post("/api/v1/activities", json!({"kind": "call"})).await;
        assert_eq!(unlinked.expect(StatusCode::UNPROCESSABLE_ENTITY).error_codes(), ["link-required"]);
        let long = m1
            .post(
                "/api/v1/activities",
                json!({"kind": "meeting", "duration_minutes": 2000, "company_id": company}),
            )
            .await;
        assert_eq!(long.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["duration_minutes"]);
        let kind = m1.post("/api/v1/activities", json!({"kind": "fax", "company_id": company})).await;
        assert_eq!(kind.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["kind"]);
        let far = m1
            .post(
                "/api/v1/activities",
                json!({"kind": "note", "subject": "x", "occurred_at": "+10000-01-01T00:00:00Z"}),
            )
            .await;
        assert!(far.status.is_client_error(), "{}", far.body);

        let listed = m1.get("/api/v1/activities").await.expect(StatusCode::OK);
        let kinds: Vec<_> =
            listed.body["items"].as_array().expect("items").iter().map(|a| a["kind"].clone()).collect();
        assert_eq!(kinds, [json!("note"), json!("call")], "newest first");
        let calls = m1
            .get(&format!("/api/v1/activities?kind=call&company_id={company}"))
            .await
            .expect(StatusCode::OK);
        assert_eq!(calls.body["items"].as_array().map(Vec::len), Some(1));
        m1.get("/api/v1/activities?sort=occurred_at").await.expect(StatusCode::UNPROCESSABLE_ENTITY);

        let path = format!("/api/v1/activities/{id}");
        let planned =
            m1.patch(&path, json!({"status": "planned", "direction": null})).await.expect(StatusCode::OK);
        assert_eq!(
            (planned.body["status"].clone(), planned.body["direction"].clone()),
            (json!("planned"), Value::Null)
        );
        org.manager2().patch(&path, json!({"subject": "x"})).await.expect(StatusCode::NOT_FOUND);
        org.reader().patch(&path, json!({"subject": "x"})).await.expect(StatusCode::FORBIDDEN);
        assert_eq!(org.admin().delete(&path).await.status, StatusCode::NO_CONTENT);
        m1.get(&path).await.expect(StatusCode::NOT_FOUND);
        t
    })
    .await;
}

#[tokio::test]
async fn users_and_pipelines_are_readable() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let users = org.manager1().get("/api/v1/users").await.expect(StatusCode::OK);
        let items = users.body["items"].as_array().expect("items");
        assert_eq!(items.len(), 4);
        let admin =
            org.manager1().get(&format!("/api/v1/users/{}", org.admin.0)).await.expect(StatusCode::OK);
        assert_eq!(
            admin.body,
            json!({"id": org.admin.0, "name": "admin@x.ru", "email": "admin@x.ru",
                                      "role": "administrator", "active": true})
        );
        org.manager1().get("/api/v1/users/999999").await.expect(StatusCode::NOT_FOUND);
        let pipelines = org.reader().get("/api/v1/pipelines").await.expect(StatusCode::OK);
        assert_eq!(pipelines.body["items"][0]["is_default"], json!(true));
        assert_eq!(pipelines.body["items"][0]["stages"].as_array().map(Vec::len), Some(6));
        assert_eq!(pipelines.body["next_cursor"], Value::Null);
        t
    })
    .await;
}
