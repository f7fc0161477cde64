//! The deals, companies and contacts list pages take the same `filter=` tree as the API
//! (records kernel, filters as data): the page, a saved link and its export show the same
//! records, on SQLite and PostgreSQL; a broken tree is refused with a message, never a 500.

mod support;

use axum::http::StatusCode;
use orbita_app::{Access, companies, contacts, deals};
use orbita_domain::company::CompanyInput;
use orbita_domain::contact::ContactInput;
use orbita_domain::deal::DealInput;
use orbita_testkit::on_both;
use support::{Browser, PASSWORD, with_user};

fn encoded(filter: &serde_json::Value) -> String {
    serde_urlencoded::to_string([("filter", filter.to_string())]).expect("encoded")
}

#[tokio::test]
async fn the_deals_page_shows_what_the_filter_tree_selects() {
    on_both(|t| async move {
        let admin = with_user(&t.db, "admin@x.ru", "administrator").await;
        let access = Access::load(&t.db, admin, None).await.expect("access");
        for (title, amount) in [("Балкон", "300000"), ("Веранда", "700000"), ("Окна", "900000")]
        {
            let input = DealInput { title: title.into(), amount: amount.into(), ..DealInput::default() };
            deals::create(&t.db, &access, &input, None, None, None).await.expect("deal");
        }
        let mut browser = Browser::new(&t.db);
        browser.sign_in("admin@x.ru", PASSWORD).await;
        let tree = serde_json::json!({"or": [
            {"field": "amount", "op": "lt", "value": "400000"},
            {"field": "title", "op": "contains", "value": "Окн"}
        ]});
        let page = browser.get(&format!("/deals?{}", encoded(&tree))).await;
        assert_eq!(page.status, StatusCode::OK, "{}", t.name);
        assert!(page.body.contains("Балкон") && page.body.contains("Окна"), "{}", t.name);
        assert!(!page.body.contains("Веранда"), "{}: filtered out", t.name);
        // The list's links keep the tree (sorting, paging, the export form).
        assert!(page.body.contains("filter="), "{}: the view carries its filter", t.name);

        let broken =
            browser.get(&format!("/deals?{}", encoded(&serde_json::json!({"field": "colour"})))).await;
        assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);
        let not_json = browser.get("/deals?filter=%7Bnope").await;
        assert_eq!(not_json.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_saved_view_with_a_filter_tree_can_be_shared_with_a_group() {
    on_both(|t| async move {
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let boris = support::with_user(&t.db, "boris@x.ru", "manager").await;
        let now = orbita_domain::now();
        let mut tx = t.db.begin().await.expect("tx");
        let moscow = orbita_storage::users::insert_group(&mut tx, "Москва", now).await.expect("group");
        for user in [anna, boris] {
            orbita_storage::users::add_to_group(&mut tx, moscow, user, now).await.expect("member");
        }
        tx.commit().await.expect("commit");

        let mut browser = Browser::new(&t.db);
        browser.sign_in("anna@x.ru", PASSWORD).await;
        let tree = serde_json::json!({"or": [
            {"field": "amount", "op": "gt", "value": "500000"},
            {"field": "title", "op": "contains", "value": "Окн"}
        ]});
        let page = browser.get(&format!("/deals?{}", encoded(&tree))).await;
        assert!(
            page.body.contains("Только мне") && page.body.contains(">Москва<"),
            "{}: the share choice",
            t.name
        );
        let query = support::hidden_value(&page.body, "query").expect("the view's query");
        let group = moscow.0.to_string();
        let saved = browser
            .post("/deals/views", &[("name", "Крупные и окна"), ("query", &query), ("share_group", &group)])
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", t.name);

        // Boris, of the same group, sees the view and opens it; he cannot remove it.
        let mut colleague = Browser::new(&t.db);
        colleague.sign_in("boris@x.ru", PASSWORD).await;
        let list = colleague.get("/deals").await;
        assert!(list.body.contains("Крупные и окна") && list.body.contains("· Москва"), "{}", t.name);
        let id = list.body.split("/deals/views/").nth(1).and_then(|s| s.split('/').next()).map(str::to_owned);
        assert!(id.is_none(), "{}: no remove button on a colleague's view", t.name);
        let view_href = list
            .body
            .split("href=\"")
            .find(|s| s.contains("filter=") && s.starts_with("/deals?"))
            .and_then(|s| s.split('"').next())
            .expect("the view's link")
            .replace("&amp;", "&");
        assert_eq!(colleague.get(&view_href).await.status, StatusCode::OK, "{}", t.name);

        // Sharing with a group one is not in is refused with a message.
        let refused = browser
            .post("/deals/views", &[("name", "Чужая"), ("query", &query), ("share_group", "999999")])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);
        assert!(refused.body.contains("Поделиться можно только со своей группой"), "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn the_companies_and_contacts_pages_and_files_take_a_filter_tree() {
    on_both(|t| async move {
        let admin = with_user(&t.db, "admin@x.ru", "administrator").await;
        let access = Access::load(&t.db, admin, None).await.expect("access");
        for (name, region, person) in
            [("Альфа", "Москва", "Орлов"), ("Бета", "Казань", "Соколов"), ("Гамма", "Самара", "Воронов")]
        {
            let input = CompanyInput { name: name.into(), region: region.into(), ..CompanyInput::default() };
            let company = companies::create(&t.db, &access, &input, None).await.expect("company");
            let person = ContactInput {
                last_name: person.into(),
                position: if region == "Самара" { "Директор".into() } else { String::new() },
                company_id: Some(company.id),
                ..ContactInput::default()
            };
            contacts::create(&t.db, &access, &person, None).await.expect("contact");
        }
        let mut browser = Browser::new(&t.db);
        browser.sign_in("admin@x.ru", PASSWORD).await;

        let tree = serde_json::json!({"or": [
            {"field": "region", "op": "eq", "value": "Москва"},
            {"field": "name", "op": "contains", "value": "Гам"}
        ]});
        for path in ["/companies", "/companies.csv"] {
            let page = browser.get(&format!("{path}?{}", encoded(&tree))).await;
            assert_eq!(page.status, StatusCode::OK, "{}: {path}", t.name);
            assert!(page.body.contains("Альфа") && page.body.contains("Гамма"), "{}: {path}", t.name);
            assert!(!page.body.contains("Бета"), "{}: {path} filtered out", t.name);
        }
        let page = browser.get(&format!("/companies?{}", encoded(&tree))).await;
        assert!(page.body.contains("Условие отбора"), "{}: the badge", t.name);

        let tree = serde_json::json!({"not": {"field": "position", "op": "empty"}});
        for path in ["/contacts", "/contacts.csv"] {
            let page = browser.get(&format!("{path}?{}", encoded(&tree))).await;
            assert_eq!(page.status, StatusCode::OK, "{}: {path}", t.name);
            assert!(page.body.contains("Воронов"), "{}: {path}", t.name);
            assert!(!page.body.contains("Орлов") && !page.body.contains("Соколов"), "{}: {path}", t.name);
        }

        // The builder picks a company for the contacts' "Company" by its name, as a form's
        // picker does: the search answers with buttons named after the row.
        let found = browser.get("/companies/suggest?field=0.value&q=%D0%90%D0%BB%D1%8C").await;
        assert!(found.body.contains("name=\"0.value\"") && found.body.contains("Альфа"), "{}", t.name);
        let alpha = companies::list(&t.db, &access, &Default::default(), Default::default(), false, None, 10)
            .await
            .expect("companies")
            .items
            .into_iter()
            .find(|c| c.fields.name == "Альфа")
            .expect("Альфа")
            .id;
        let picked =
            format!("/conditions?back=%2Fcontacts&join=and&0.field=company_id&0.op=eq&0.value={}", alpha.0);
        let shown = browser.get(&picked).await;
        assert!(shown.body.contains("/companies/suggest?field=0.value"), "{}: the row's picker", t.name);
        assert!(shown.body.contains(">Альфа<"), "{}: the picked company by name", t.name);
        let applied = browser.get(&format!("{picked}&apply=1")).await;
        assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", t.name);
        let page = browser.get(applied.location()).await;
        assert!(page.body.contains("Орлов") && !page.body.contains("Соколов"), "{}: Альфа's people", t.name);

        for path in ["/companies", "/contacts", "/companies.csv"] {
            let broken =
                browser.get(&format!("{path}?{}", encoded(&serde_json::json!({"field": "colour"})))).await;
            assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {path}", t.name);
        }
        t
    })
    .await;
}

#[tokio::test]
async fn the_tasks_and_activities_pages_and_files_take_a_filter_tree() {
    use orbita_domain::activity::{ActivityInput, ActivityKind};
    use orbita_domain::task::TaskInput;
    on_both(|t| async move {
        let admin = with_user(&t.db, "admin@x.ru", "administrator").await;
        let access = Access::load(&t.db, admin, None).await.expect("access");
        for title in ["Позвонить в Альфу", "Отправить счёт Бете"] {
            let task = TaskInput {
                title: title.into(),
                description: String::new(),
                due_at: None,
                assignee_id: admin,
                priority: None,
                company_id: None,
                contact_id: None,
                deal_id: None,
            };
            orbita_app::tasks::create(&t.db, &access, &task).await.expect("task");
        }
        let input = CompanyInput { name: "Альфа".into(), ..CompanyInput::default() };
        let company = companies::create(&t.db, &access, &input, None).await.expect("company");
        for (kind, subject) in
            [(ActivityKind::Call, "Звонок Альфе"), (ActivityKind::Meeting, "Встреча с Бетой")]
        {
            let activity = ActivityInput {
                kind,
                direction: None,
                status: None,
                occurred_at: orbita_domain::now(),
                duration_minutes: None,
                subject: subject.into(),
                responsible_id: admin,
                company_id: Some(company.id),
                contact_id: None,
                deal_id: None,
            };
            orbita_app::activities::log(&t.db, &access, &activity, None).await.expect("activity");
        }
        let mut browser = Browser::new(&t.db);
        browser.sign_in("admin@x.ru", PASSWORD).await;

        let tree = serde_json::json!({"field": "title", "op": "contains", "value": "Альф"});
        for path in ["/tasks", "/tasks.csv"] {
            let page = browser.get(&format!("{path}?{}", encoded(&tree))).await;
            assert_eq!(page.status, StatusCode::OK, "{}: {path}", t.name);
            assert!(page.body.contains("Позвонить в Альфу"), "{}: {path}", t.name);
            assert!(!page.body.contains("Отправить счёт Бете"), "{}: {path} filtered out", t.name);
        }
        let tree = serde_json::json!({"field": "kind", "op": "eq", "value": "meeting"});
        for path in ["/activities", "/activities.csv"] {
            let page = browser.get(&format!("{path}?{}", encoded(&tree))).await;
            assert_eq!(page.status, StatusCode::OK, "{}: {path}", t.name);
            assert!(page.body.contains("Встреча с Бетой"), "{}: {path}", t.name);
            assert!(!page.body.contains("Звонок Альфе"), "{}: {path} filtered out", t.name);
        }
        let page = browser.get(&format!("/activities?{}", encoded(&tree))).await;
        assert!(page.body.contains("Условие отбора"), "{}: the badge", t.name);

        for path in ["/tasks", "/activities", "/tasks.csv"] {
            let broken =
                browser.get(&format!("{path}?{}", encoded(&serde_json::json!({"field": "colour"})))).await;
            assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {path}", t.name);
        }
        t
    })
    .await;
}

/// The condition builder: rows picked on `/conditions` make the list's `filter=`, a tree read
/// back shows its rows (and its group), and a wrong value is a message on its row with
/// nothing applied.
#[tokio::test]
async fn the_condition_builder_narrows_the_deals_by_a_custom_field_and_an_amount() {
    on_both(|t| async move {
        let admin = with_user(&t.db, "admin@x.ru", "administrator").await;
        let access = Access::load(&t.db, admin, None).await.expect("access");
        let window = orbita_domain::custom::CustomFieldInput {
            key: "window_type".into(),
            ty: "list".into(),
            label_ru: "Тип окон".into(),
            label_en: "Window type".into(),
            options: vec!["ПВХ".into(), "Дерево".into()],
            indexed: true,
            ..Default::default()
        };
        let kind = orbita_domain::kind::RecordKind::Deal;
        orbita_app::custom_fields::add(&t.db, &access, kind, &window).await.expect("field");
        let partner = orbita_domain::custom::CustomFieldInput {
            key: "partner".into(),
            ty: "link".into(),
            label_ru: "Партнёр".into(),
            label_en: "Partner".into(),
            link_kind: "companies".into(),
            ..Default::default()
        };
        orbita_app::custom_fields::add(&t.db, &access, kind, &partner).await.expect("link field");
        for (title, amount, window) in
            [("Балкон", "300000", "ПВХ"), ("Веранда", "700000", "ПВХ"), ("Дача", "900000", "Дерево")]
        {
            let input = DealInput { title: title.into(), amount: amount.into(), ..DealInput::default() };
            let custom = serde_json::json!({ "window_type": window });
            let custom = custom.as_object().expect("object");
            deals::create_with_custom(&t.db, &access, &input, None, None, None, Some(custom))
                .await
                .expect("deal");
        }
        let mut browser = Browser::new(&t.db);
        browser.sign_in("admin@x.ru", PASSWORD).await;

        // The list offers the builder, which offers the kind's fields, custom ones included.
        let list = browser.get("/deals?q=&sort=title").await;
        assert!(list.body.contains("/conditions?back=%2Fdeals"), "{}: the list links the builder", t.name);
        let fresh = browser.get("/conditions?back=%2Fdeals%3Fsort%3Dtitle").await;
        assert_eq!(fresh.status, StatusCode::OK, "{}", t.name);
        assert!(fresh.body.contains(">Тип окон<") && fresh.body.contains(">Сумма<"), "{}", t.name);

        // Choosing a field (what htmx sends on change) offers its comparisons and values.
        let picked = browser.get("/conditions?back=%2Fdeals&join=and&0.field=custom.window_type").await;
        assert!(picked.body.contains("name=\"0.op\""), "{}: the comparisons", t.name);
        assert!(picked.body.contains("<option value=\"Дерево\""), "{}: the list's options", t.name);
        // A custom link to companies is picked as a deal's company is.
        let link = browser.get("/conditions?back=%2Fdeals&join=and&0.field=custom.partner").await;
        assert!(link.body.contains("/companies/suggest?field=0.value"), "{}: the link's picker", t.name);

        let query = serde_urlencoded::to_string([
            ("back", "/deals?sort=title&after=stale"),
            ("join", "and"),
            ("0.field", "custom.window_type"),
            ("0.op", "eq"),
            ("0.value", "ПВХ"),
            ("1.field", "amount"),
            ("1.op", "gt"),
            ("1.value", "500000"),
            ("apply", "1"),
        ])
        .expect("query");
        let applied = browser.get(&format!("/conditions?{query}")).await;
        assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", t.name);
        let target = applied.location().to_owned();
        assert!(target.starts_with("/deals?sort=title&filter="), "{}: {target}", t.name);
        let page = browser.get(&target).await;
        assert!(page.body.contains("Веранда"), "{}: PVC above 500,000", t.name);
        assert!(
            !page.body.contains("Балкон") && !page.body.contains("Дача"),
            "{}: the rest left out",
            t.name
        );

        // Back in the builder from the badge, the rows are the ones applied.
        let tree = target.split("filter=").nth(1).expect("the tree");
        let again = browser.get(&format!("/conditions?back=%2Fdeals&filter={tree}")).await;
        assert!(again.body.contains("<option value=\"custom.window_type\" selected"), "{}", t.name);
        assert!(again.body.contains("value=\"500000\""), "{}: the amount typed", t.name);

        // A value of the wrong type stays on its row, with the message, and nothing is applied.
        let wrong = browser
            .get("/conditions?back=%2Fdeals&join=or&0.field=amount&0.op=gt&0.value=много&apply=1")
            .await;
        assert_eq!(wrong.status, StatusCode::OK, "{}", t.name);
        assert!(wrong.body.contains("id=\"c0-error\""), "{}: the row's message", t.name);
        assert!(wrong.body.contains("value=\"много\""), "{}: what was typed is kept", t.name);

        // A group: "(PVC and above 500,000) or the title has «Дача»", its rows joined the
        // other way; a wrong value inside the group stays on its own row.
        let grouped = browser.get("/conditions?back=%2Fdeals&join=or&0.field=title&add_group=1").await;
        assert!(grouped.body.contains("id=\"group-1\""), "{}: the group is shown", t.name);
        assert!(grouped.body.contains("name=\"2.group\" value=\"1\""), "{}: with two rows", t.name);
        assert!(grouped.body.contains(">Все эти условия сразу<"), "{}: joined the other way", t.name);
        let group = |amount: &str| {
            serde_urlencoded::to_string([
                ("back", "/deals"),
                ("join", "or"),
                ("0.field", "custom.window_type"),
                ("0.op", "eq"),
                ("0.value", "ПВХ"),
                ("0.group", "1"),
                ("1.field", "title"),
                ("1.op", "contains"),
                ("1.value", "Дача"),
                ("2.field", "amount"),
                ("2.op", "gt"),
                ("2.value", amount),
                ("2.group", "1"),
                ("apply", "1"),
            ])
            .expect("query")
        };
        let applied = browser.get(&format!("/conditions?{}", group("500000"))).await;
        assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", t.name);
        let page = browser.get(applied.location()).await;
        assert!(page.body.contains("Веранда") && page.body.contains("Дача"), "{}", t.name);
        assert!(!page.body.contains("Балкон"), "{}: PVC under 500,000 is left out", t.name);
        let tree = applied.location().split("filter=").nth(1).expect("the tree");
        let again = browser.get(&format!("/conditions?back=%2Fdeals&filter={tree}")).await;
        assert!(
            again.body.contains("id=\"group-1\"") && again.body.contains("value=\"500000\""),
            "{}",
            t.name
        );
        let wrong = browser.get(&format!("/conditions?{}", group("много"))).await;
        assert_eq!(wrong.status, StatusCode::OK, "{}", t.name);
        assert!(wrong.body.contains("id=\"c2-error\""), "{}: the grouped row's message", t.name);

        // A builder pointed anywhere but a list is not found.
        let elsewhere = browser.get("/conditions?back=https%3A%2F%2Fevil.example%2Fdeals").await;
        assert_eq!(elsewhere.status, StatusCode::NOT_FOUND, "{}", t.name);
        t
    })
    .await;
}
