//! Custom fields through the API, on SQLite and PostgreSQL: an administrator adds a list and a
//! money field to deals; deals carry their values under `custom`, checked by type (a 422 names
//! `custom.<key>`); lists filter and sort by them, files hold them, the audit log shows them,
//! and a refused change saves none of them.

mod support;

use std::io::Cursor as IoCursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use orbita_domain::audit::AuditAction;
use orbita_storage::audit::AuditFilter;
use orbita_testkit::on_both;
use serde_json::{Value, json};
use support::{Client, File, org};

fn encoded(name: &str, value: &str) -> String {
    serde_urlencoded::to_string([(name, value)]).expect("encoded")
}

async fn titles(client: &Client, query: &str) -> Vec<String> {
    let page = client.get(&format!("/api/v1/deals?{query}")).await.expect(StatusCode::OK);
    page.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| d["title"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn read_xlsx(file: &File) -> Vec<Vec<String>> {
    assert_eq!(file.status, StatusCode::OK, "{}", String::from_utf8_lossy(&file.bytes));
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(IoCursor::new(file.bytes.clone())).expect("xlsx");
    let names = workbook.sheet_names();
    let range = workbook.worksheet_range(&names[0]).expect("sheet");
    let text = |cell: &Data| match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    };
    range.rows().map(|r| r.iter().map(text).collect()).collect()
}

#[tokio::test]
async fn custom_fields_are_defined_filled_filtered_sorted_exported_and_audited() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (admin, m1) = (org.admin(), org.manager1());
        let window = json!({"key": "window_type", "type": "list", "label_ru": "Тип окна",
            "label_en": "Window type", "options": ["ПВХ", "Дерево"], "indexed": true});
        // Only administrators define fields; a mistake is named.
        m1.post("/api/v1/fields/deals", window.clone()).await.expect(StatusCode::FORBIDDEN);
        let bad = admin.post("/api/v1/fields/deals", json!({"key": "Bad Key", "type": "list", "label_ru": "x", "label_en": "x"})).await;
        assert_eq!(bad.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["key", "options"], "{}", t.name);
        admin.post("/api/v1/fields/deals", window.clone()).await.expect(StatusCode::CREATED);
        admin.post("/api/v1/fields/deals", window).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let budget = json!({"key": "budget", "type": "money", "label_ru": "Бюджет монтажа", "label_en": "Fitting budget"});
        admin.post("/api/v1/fields/deals", budget).await.expect(StatusCode::CREATED);
        admin.get("/api/v1/fields/boats").await.expect(StatusCode::NOT_FOUND);

        let fields = m1.get("/api/v1/fields/deals").await.expect(StatusCode::OK);
        let keys: Vec<&str> = fields.body["items"].as_array().expect("items").iter().filter_map(|f| f["key"].as_str()).collect();
        assert!(keys.contains(&"amount") && keys.ends_with(&["custom.window_type", "custom.budget"]), "{keys:?}");
        let owner = fields.body["items"].as_array().expect("items").iter().find(|f| f["key"] == "owner_id").cloned();
        assert_eq!(owner.map(|f| f["label_ru"].clone()), Some(json!("Ответственный")), "built-in fields are named too");

        // Values by type; a wrong one is a 422 naming the field, and nothing is created.
        let refused = m1
            .post("/api/v1/deals", json!({"title": "Не та", "custom": {"window_type": "Стекло", "nope": 1}}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.error_fields(), ["custom.nope", "custom.window_type"], "{}", t.name);
        for (title, window, budget) in
            [("Балкон", "ПВХ", "150000"), ("Веранда", "Дерево", "900000,50"), ("Дача", "ПВХ", "700000")]
        {
            let made = m1
                .post("/api/v1/deals", json!({"title": title, "custom": {"window_type": window, "budget": budget}}))
                .await
                .expect(StatusCode::CREATED);
            assert_eq!(made.body["custom"]["window_type"], json!(window));
        }
        m1.post("/api/v1/deals", json!({"title": "Без полей"})).await.expect(StatusCode::CREATED);
        let veranda = titles(&m1, "q=%D0%92%D0%B5%D1%80%D0%B0%D0%BD%D0%B4%D0%B0").await;
        assert_eq!(veranda, ["Веранда"]);
        let listed = m1.get("/api/v1/deals?sort=title").await.expect(StatusCode::OK);
        let first = &listed.body["items"][0];
        assert_eq!(first["custom"], json!({"window_type": "ПВХ", "budget": "150000.00"}), "{}", t.name);

        // Filter and sort by them.
        let pvc = json!({"and": [{"field": "custom.window_type", "op": "eq", "value": "ПВХ"},
                                {"field": "custom.budget", "op": "gt", "value": "200000"}]});
        assert_eq!(titles(&m1, &encoded("filter", &pvc.to_string())).await, ["Дача"], "{}", t.name);
        let empty = json!({"field": "custom.window_type", "op": "empty"});
        assert_eq!(titles(&m1, &encoded("filter", &empty.to_string())).await, ["Без полей"]);
        assert_eq!(titles(&m1, "sort=-custom.budget").await, ["Веранда", "Дача", "Балкон", "Без полей"], "{}", t.name);
        assert_eq!(titles(&m1, "sort=custom.window_type").await[..1], ["Без полей"]);
        // Keyset paging along a custom sort.
        let page = m1.get("/api/v1/deals?sort=custom.budget&limit=2").await.expect(StatusCode::OK);
        let cursor = page.body["next_cursor"].as_str().expect("a next page").to_owned();
        let rest = titles(&m1, &format!("sort=custom.budget&limit=2&{}", encoded("cursor", &cursor))).await;
        assert_eq!(rest, ["Дача", "Веранда"], "{}", t.name);
        m1.get("/api/v1/deals?sort=custom.nope").await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let wrong = json!({"field": "custom.budget", "op": "gt", "value": "много"});
        let refused = m1.get(&format!("/api/v1/deals?{}", encoded("filter", &wrong.to_string()))).await;
        assert_eq!(refused.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["filter.value"]);

        // The file holds them after the chosen columns.
        let file = admin.download(&format!("/api/v1/deals.xlsx?sort=title&cols=title,custom.window_type,custom.budget&{}", encoded("filter", &pvc.to_string()))).await;
        let sheet = read_xlsx(&file);
        assert_eq!(sheet[0], ["Название", "Тип окна", "Бюджет монтажа"], "{}", t.name);
        assert_eq!(sheet[1][..2], ["Дача", "ПВХ"]);
        assert_eq!(sheet.len(), 2);
        admin.get("/api/v1/deals.xlsx?cols=title,custom.nope").await.expect(StatusCode::UNPROCESSABLE_ENTITY);

        // A PATCH changes one value, clears another; the audit log shows both.
        let id = m1.get("/api/v1/deals?sort=title&limit=1").await.expect(StatusCode::OK).body["items"][0]["id"]
            .as_i64()
            .expect("id");
        let path = format!("/api/v1/deals/{id}");
        let changed = m1
            .patch(&path, json!({"custom": {"window_type": "Дерево", "budget": null}}))
            .await
            .expect(StatusCode::OK);
        assert_eq!(changed.body["custom"], json!({"window_type": "Дерево"}), "{}", t.name);
        let filter = AuditFilter {
            entity: Some("deal".into()),
            entity_id: Some(id),
            action: Some(AuditAction::Update),
            ..AuditFilter::default()
        };
        let events = orbita_storage::audit::list(&t.db, &filter, None, 10).await.expect("audit").items;
        let change = |field: &str| {
            events[0].changes.iter().find(|c| c.field == field).map(|c| (c.before.clone(), c.after.clone()))
        };
        assert_eq!(change("custom.window_type"), Some((Some("ПВХ".into()), Some("Дерево".into()))), "{}", t.name);
        assert_eq!(change("custom.budget"), Some((Some("150000.00".into()), None)));

        // A field edit with a refused owner change saves nothing: not the title, not a value.
        let version = changed.body["version"].clone();
        let refused = m1
            .patch(&path, json!({"title": "Другое", "owner_id": org.manager2.0, "custom": {"window_type": "ПВХ"}}))
            .await;
        assert_eq!(refused.expect(StatusCode::UNPROCESSABLE_ENTITY).error_codes(), ["owner-out-of-scope"]);
        let after = m1.get(&path).await.expect(StatusCode::OK);
        assert_eq!(
            (after.body["title"].clone(), after.body["custom"]["window_type"].clone(), after.body["version"].clone()),
            (json!("Балкон"), json!("Дерево"), version),
            "{}",
            t.name
        );
        let bad_value = m1.patch(&path, json!({"custom": {"budget": "-5"}})).await;
        assert_eq!(bad_value.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["custom.budget"]);

        // A removed field leaves the API and the filters, its values stay until purged.
        admin.delete("/api/v1/fields/deals/window_type").await.expect(StatusCode::NO_CONTENT);
        assert_eq!(m1.get(&path).await.body["custom"], json!({}), "{}", t.name);
        let by_window = json!({"field": "custom.window_type", "op": "empty"});
        m1.get(&format!("/api/v1/deals?{}", encoded("filter", &by_window.to_string())))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        admin.delete("/api/v1/fields/deals/window_type?purge=true").await.expect(StatusCode::NO_CONTENT);
        admin.post("/api/v1/fields/deals", json!({"key": "window_type", "type": "text", "label_ru": "Окно", "label_en": "Window"}))
            .await
            .expect(StatusCode::CREATED);
        assert_eq!(m1.get(&path).await.body["custom"], json!({}), "purged values do not come back: {}", t.name);
        let patched = admin.patch("/api/v1/fields/deals/budget", json!({"label_ru": "Бюджет", "required": true})).await;
        assert_eq!(patched.expect(StatusCode::OK).body["label_ru"], json!("Бюджет"));
        admin.patch("/api/v1/fields/deals/budget", json!({"type": "text"})).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        // Now required: a new deal without it is refused.
        let missing = m1.post("/api/v1/deals", json!({"title": "Без бюджета"})).await;
        assert_eq!(missing.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["custom.budget"]);
        let _: Value = Value::Null;
        t
    })
    .await;
}

#[tokio::test]
async fn companies_and_contacts_carry_custom_fields_too() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (admin, m1) = (org.admin(), org.manager1());
        for (kind, body) in [
            ("companies", json!({"key": "contract_no", "type": "text", "label_ru": "Договор", "label_en": "Contract", "indexed": true})),
            ("companies", json!({"key": "since", "type": "date", "label_ru": "Клиент с", "label_en": "Client since"})),
            ("contacts", json!({"key": "birthday", "type": "date", "label_ru": "День рождения", "label_en": "Birthday"})),
            ("contacts", json!({"key": "channels", "type": "multi_list", "label_ru": "Каналы", "label_en": "Channels", "options": ["Телефон", "Почта", "Telegram"]})),
            ("contacts", json!({"key": "company_link", "type": "link", "link_kind": "companies", "label_ru": "Ещё компания", "label_en": "Other company"})),
        ] {
            admin.post(&format!("/api/v1/fields/{kind}"), body).await.expect(StatusCode::CREATED);
        }
        let mut ids = Vec::new();
        for (name, contract, since) in [("Альфа", "Д-1", "2020-05-01"), ("Бета", "Д-2", "2024-01-15")] {
            let made = m1
                .post("/api/v1/companies", json!({"name": name, "custom": {"contract_no": contract, "since": since}}))
                .await
                .expect(StatusCode::CREATED);
            assert_eq!(made.body["custom"]["since"], json!(since), "{}", t.name);
            ids.push(made.id());
        }
        let theirs = org.manager2().post("/api/v1/companies", json!({"name": "Чужая"})).await.expect(StatusCode::CREATED).id();
        let recent = json!({"field": "custom.since", "op": "gte", "value": "2023-01-01"});
        let found = m1.get(&format!("/api/v1/companies?{}", encoded("filter", &recent.to_string()))).await.expect(StatusCode::OK);
        let names: Vec<&str> = found.body["items"].as_array().expect("items").iter().filter_map(|c| c["name"].as_str()).collect();
        assert_eq!(names, ["Бета"], "{}", t.name);
        let sorted = m1.get("/api/v1/companies?sort=-custom.contract_no").await.expect(StatusCode::OK);
        assert_eq!(sorted.body["items"][0]["name"], json!("Бета"), "{}", t.name);

        let contact = m1
            .post("/api/v1/contacts", json!({"last_name": "Иванов", "custom": {"birthday": "1990-03-08", "channels": ["Telegram", "Телефон"], "company_link": ids[0]}}))
            .await
            .expect(StatusCode::CREATED);
        assert_eq!(contact.body["custom"]["channels"], json!(["Телефон", "Telegram"]), "options' order: {}", t.name);
        // A link to a record the writer may not see is refused like a mistyped one.
        let hidden = m1.post("/api/v1/contacts", json!({"last_name": "Петров", "custom": {"company_link": theirs}})).await;
        assert_eq!(hidden.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["custom.company_link"], "{}", t.name);
        let telegram = json!({"field": "custom.channels", "op": "eq", "value": "Telegram"});
        let found = m1.get(&format!("/api/v1/contacts?{}", encoded("filter", &telegram.to_string()))).await.expect(StatusCode::OK);
        assert_eq!(found.body["items"].as_array().map(Vec::len), Some(1), "{}", t.name);
        let mail = json!({"field": "custom.channels", "op": "eq", "value": "Почта"});
        let found = m1.get(&format!("/api/v1/contacts?{}", encoded("filter", &mail.to_string()))).await.expect(StatusCode::OK);
        assert_eq!(found.body["items"].as_array().map(Vec::len), Some(0), "{}", t.name);
        let file = admin.download("/api/v1/contacts.xlsx?cols=name,custom.birthday,custom.channels").await;
        let sheet = read_xlsx(&file);
        assert_eq!(sheet[0], ["ФИО", "День рождения", "Каналы"], "{}", t.name);
        assert_eq!(sheet[1][2], "Телефон, Telegram");
        let path = format!("/api/v1/contacts/{}", contact.id());
        let changed = m1.patch(&path, json!({"custom": {"channels": null}})).await.expect(StatusCode::OK);
        assert_eq!(changed.body["custom"].get("channels"), None, "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn tasks_and_activities_carry_custom_fields_too() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (admin, m1) = (org.admin(), org.manager1());
        admin
            .post("/api/v1/fields/tasks", json!({"key": "effort", "type": "number", "label_ru": "Трудозатраты", "label_en": "Effort"}))
            .await
            .expect(StatusCode::CREATED);
        admin
            .post("/api/v1/fields/activities", json!({"key": "outcome", "type": "list", "label_ru": "Итог", "label_en": "Outcome", "options": ["Договорились", "Перезвонить"]}))
            .await
            .expect(StatusCode::CREATED);
        let task = m1.post("/api/v1/tasks", json!({"title": "Замер", "custom": {"effort": "2,5"}})).await.expect(StatusCode::CREATED);
        assert_eq!(task.body["custom"]["effort"], json!(2.5), "{}", t.name);
        let path = format!("/api/v1/tasks/{}", task.id());
        let done = m1.patch(&path, json!({"done": true, "custom": {"effort": 3}})).await.expect(StatusCode::OK);
        assert_eq!((done.body["done_at"].is_null(), done.body["custom"]["effort"].clone()), (false, json!(3)), "{}", t.name);
        let heavy = json!({"field": "custom.effort", "op": "gte", "value": "3"});
        let found = m1.get(&format!("/api/v1/tasks?status=done&{}", encoded("filter", &heavy.to_string()))).await;
        assert_eq!(found.expect(StatusCode::OK).body["items"].as_array().map(Vec::len), Some(1), "{}", t.name);
        // The tasks' file has fixed columns; `cols` adds custom fields after them.
        let sheet = read_xlsx(&m1.download("/api/v1/tasks.xlsx?status=done&cols=custom.effort").await);
        assert_eq!(sheet[0].last().map(String::as_str), Some("Трудозатраты"), "{}: {sheet:?}", t.name);
        assert_eq!(sheet[1][0], "Замер", "{}", t.name);
        assert_eq!(sheet[1].last().map(String::as_str), Some("3"), "{}: {sheet:?}", t.name);
        let builtin = m1.download("/api/v1/tasks.xlsx?cols=title").await;
        assert_eq!(builtin.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: only custom columns", t.name);
        let unknown = m1.download("/api/v1/tasks.csv?cols=custom.nothing").await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: an unknown field", t.name);

        let company = m1.post("/api/v1/companies", json!({"name": "Окна"})).await.expect(StatusCode::CREATED).id();
        let call = m1
            .post("/api/v1/activities", json!({"kind": "call", "subject": "Созвон", "company_id": company, "custom": {"outcome": "Перезвонить"}}))
            .await
            .expect(StatusCode::CREATED);
        assert_eq!(call.body["custom"]["outcome"], json!("Перезвонить"), "{}", t.name);
        let path = format!("/api/v1/activities/{}", call.id());
        let changed = m1.patch(&path, json!({"custom": {"outcome": "Договорились"}})).await.expect(StatusCode::OK);
        assert_eq!(changed.body["custom"]["outcome"], json!("Договорились"), "{}", t.name);
        let wrong = m1.patch(&path, json!({"custom": {"outcome": "Молчание"}})).await;
        assert_eq!(wrong.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["custom.outcome"], "{}", t.name);
        let sheet = read_xlsx(&m1.download("/api/v1/activities.xlsx?cols=custom.outcome").await);
        assert_eq!(sheet[0].last().map(String::as_str), Some("Итог"), "{}: {sheet:?}", t.name);
        assert_eq!(sheet[1].last().map(String::as_str), Some("Договорились"), "{}: {sheet:?}", t.name);
        t
    })
    .await;
}

/// The `field` of each item of a list page.
async fn texts(client: &Client, path: &str, field: &str) -> (Vec<String>, Option<String>) {
    let page = client.get(path).await.expect(StatusCode::OK);
    let items = page.body["items"].as_array().expect("items");
    let texts = items.iter().map(|i| i[field].as_str().unwrap_or("").to_owned()).collect();
    (texts, page.body["next_cursor"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn tasks_and_activities_sort_by_a_custom_field() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (admin, m1) = (org.admin(), org.manager1());
        admin
            .post("/api/v1/fields/tasks", json!({"key": "effort", "type": "number", "label_ru": "Трудозатраты", "label_en": "Effort"}))
            .await
            .expect(StatusCode::CREATED);
        admin
            .post("/api/v1/fields/activities", json!({"key": "outcome", "type": "list", "label_ru": "Итог", "label_en": "Outcome", "options": ["Договорились", "Перезвонить"]}))
            .await
            .expect(StatusCode::CREATED);
        for (title, effort) in [("Пять", json!(5)), ("Один", json!(1)), ("Три", json!(3)), ("Без оценки", Value::Null)] {
            let custom = if effort.is_null() { json!({}) } else { json!({"effort": effort}) };
            m1.post("/api/v1/tasks", json!({"title": title, "custom": custom})).await.expect(StatusCode::CREATED);
        }
        // Keyset pages in the field's order, the empty value first, and back.
        let (first, cursor) = texts(&m1, "/api/v1/tasks?sort=custom.effort&limit=2", "title").await;
        let cursor = cursor.expect("a next page");
        let rest = format!("/api/v1/tasks?sort=custom.effort&limit=2&{}", encoded("cursor", &cursor));
        let (second, _) = texts(&m1, &rest, "title").await;
        assert_eq!([first, second].concat(), ["Без оценки", "Один", "Три", "Пять"], "{}", t.name);
        let (down, _) = texts(&m1, "/api/v1/tasks?sort=-custom.effort", "title").await;
        assert_eq!(down, ["Пять", "Три", "Один", "Без оценки"], "{}", t.name);
        // The file holds the same rows in the same order.
        let sheet = read_xlsx(&m1.download("/api/v1/tasks.xlsx?sort=-custom.effort").await);
        let titles: Vec<&str> = sheet[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(titles, ["Пять", "Три", "Один", "Без оценки"], "{}", t.name);
        m1.get("/api/v1/tasks?sort=custom.nope").await.expect(StatusCode::UNPROCESSABLE_ENTITY);

        let company = m1.post("/api/v1/companies", json!({"name": "Окна"})).await.expect(StatusCode::CREATED).id();
        for (subject, outcome) in [("Первый", "Перезвонить"), ("Второй", "Договорились")] {
            m1.post("/api/v1/activities", json!({"kind": "call", "subject": subject, "company_id": company, "custom": {"outcome": outcome}}))
                .await
                .expect(StatusCode::CREATED);
        }
        let (by_outcome, _) = texts(&m1, "/api/v1/activities?sort=custom.outcome", "subject").await;
        assert_eq!(by_outcome, ["Второй", "Первый"], "{}", t.name);
        let (newest, _) = texts(&m1, "/api/v1/activities", "subject").await;
        assert_eq!(newest, ["Второй", "Первый"], "{}: newest first by default", t.name);
        let (reverse, _) = texts(&m1, "/api/v1/activities?sort=-custom.outcome", "subject").await;
        assert_eq!(reverse, ["Первый", "Второй"], "{}", t.name);
        t
    })
    .await;
}

/// A job that cannot be done ends dead; administrators list it with its error and retry it;
/// nobody else sees the queue.
#[tokio::test]
async fn administrators_see_dead_jobs_and_retry_them() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (admin, m1) = (org.admin(), org.manager1());
        let mut tx = t.db.begin().await.expect("begin");
        let job = orbita_storage::jobs::NewJob {
            kind: "send_rockets",
            payload: "{}",
            run_at: orbita_domain::now(),
            max_attempts: 1,
            unique_key: None,
        };
        let id = orbita_storage::jobs::enqueue(&mut tx, &job, orbita_domain::now())
            .await
            .expect("job")
            .expect("id");
        tx.commit().await.expect("commit");
        orbita_app::jobs::run_due(&t.db, "worker-1").await.expect("run");
        let dead = admin.get("/api/v1/jobs").await.expect(StatusCode::OK);
        let item = &dead.body["items"][0];
        assert_eq!((item["id"].as_i64(), item["state"].as_str()), (Some(id), Some("dead")), "{}", t.name);
        assert!(item["last_error"].as_str().unwrap_or("").contains("send_rockets"), "{}: {item}", t.name);
        m1.get("/api/v1/jobs").await.expect(StatusCode::FORBIDDEN);
        m1.post(&format!("/api/v1/jobs/{id}/retry"), json!({})).await.expect(StatusCode::FORBIDDEN);
        let retried = admin.post(&format!("/api/v1/jobs/{id}/retry"), json!({})).await.expect(StatusCode::OK);
        assert_eq!(
            (retried.body["state"].as_str(), retried.body["attempts"].as_i64()),
            (Some("queued"), Some(0)),
            "{}",
            t.name
        );
        admin
            .post(&format!("/api/v1/jobs/{id}/retry"), json!({}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        let queued = admin.get("/api/v1/jobs?state=queued").await.expect(StatusCode::OK);
        assert_eq!(queued.body["items"].as_array().map(Vec::len), Some(1), "{}", t.name);
        t
    })
    .await;
}
