//! Custom fields through the pages, on SQLite and PostgreSQL: an administrator adds a list and
//! a money field to deals on the admin page; a manager fills them on the deal form and sees
//! them on the card; the deals list shows, filters and sorts by them, its file holds them, and
//! the audit log names them.

mod support;

use axum::http::StatusCode;
use orbita_domain::audit::AuditAction;
use orbita_storage::audit::AuditFilter;
use orbita_testkit::on_both;
use support::{Browser, PASSWORD, with_user};

fn encoded(name: &str, value: &str) -> String {
    serde_urlencoded::to_string([(name, value)]).expect("encoded")
}

#[tokio::test]
async fn an_administrator_adds_fields_that_deals_then_carry_everywhere() {
    on_both(|t| async move {
        with_user(&t.db, "admin@x.ru", "administrator").await;
        let mut admin = Browser::new(&t.db);
        admin.sign_in("admin@x.ru", PASSWORD).await;
        let page = admin.get("/admin/fields?kind=deals").await;
        assert_eq!(page.status, StatusCode::OK, "{}", t.name);
        assert!(page.body.contains("Своих полей пока нет"), "{}", t.name);

        let refused = admin
            .post(
                "/admin/fields",
                &[
                    ("kind", "deals"),
                    ("key", "Тип"),
                    ("type", "list"),
                    ("label_ru", "Тип окна"),
                    ("label_en", ""),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);
        assert!(refused.body.contains("Ключ — латинская буква"), "{}: the key's message", t.name);
        assert!(
            refused.body.contains("Списку нужен хотя бы один вариант"),
            "{}: the options' message",
            t.name
        );
        let window = [
            ("kind", "deals"),
            ("key", "window_type"),
            ("type", "list"),
            ("label_ru", "Тип окна"),
            ("label_en", "Window type"),
            ("options", "ПВХ\nДерево"),
            ("group", "Монтаж"),
            ("indexed", "on"),
        ];
        assert_eq!(admin.post("/admin/fields", &window).await.status, StatusCode::SEE_OTHER, "{}", t.name);
        let budget = [
            ("kind", "deals"),
            ("key", "budget"),
            ("type", "money"),
            ("label_ru", "Бюджет монтажа"),
            ("label_en", "Fitting budget"),
            ("group", "Монтаж"),
        ];
        assert_eq!(admin.post("/admin/fields", &budget).await.status, StatusCode::SEE_OTHER);
        let page = admin.get("/admin/fields?kind=deals").await;
        assert!(
            page.body.contains("custom.window_type") && page.body.contains("Бюджет монтажа"),
            "{}",
            t.name
        );

        // The form offers them; a wrong amount comes back with its message and nothing saved.
        let form = admin.get("/deals/new").await;
        assert!(
            form.body.contains("name=\"custom.window_type\"") && form.body.contains(">ПВХ<"),
            "{}",
            t.name
        );
        let wrong = admin
            .post("/deals", &[("title", "Балкон"), ("custom.window_type", "ПВХ"), ("custom.budget", "много")])
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);
        assert!(wrong.body.contains("Значение не подходит для этого поля"), "{}", t.name);
        for (title, window, budget) in
            [("Балкон", "ПВХ", "150 000"), ("Веранда", "Дерево", "900 000,50"), ("Дача", "ПВХ", "")]
        {
            let made = admin
                .post(
                    "/deals",
                    &[("title", title), ("custom.window_type", window), ("custom.budget", budget)],
                )
                .await;
            assert_eq!(made.status, StatusCode::SEE_OTHER, "{}: {title}", t.name);
        }
        let balcony = admin.get("/deals?q=%D0%91%D0%B0%D0%BB%D0%BA%D0%BE%D0%BD").await;
        let id: i64 = balcony
            .body
            .split("href=\"/deals/")
            .skip(1)
            .find_map(|s| s.split('"').next().and_then(|id| id.parse().ok()))
            .expect("a deal link");
        let card = admin.get(&format!("/deals/{id}")).await;
        assert!(
            card.body.contains("Монтаж") && card.body.contains("Тип окна"),
            "{}: the group and the field",
            t.name
        );
        assert!(card.body.contains("ПВХ") && card.body.contains("150\u{a0}000,00"), "{}: the values", t.name);

        // The edit form starts from the values, and a change shows on the card.
        let edit = admin.get(&format!("/deals/{id}/edit")).await;
        assert!(edit.body.contains("<option value=\"ПВХ\" selected>"), "{}", t.name);
        let version = support::hidden_value(&edit.body, "version").expect("version");
        let saved = admin
            .post(
                &format!("/deals/{id}"),
                &[
                    ("title", "Балкон"),
                    ("version", &version),
                    ("custom.window_type", "Дерево"),
                    ("custom.budget", "150000"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", t.name);
        assert!(admin.get(&format!("/deals/{id}")).await.body.contains("Дерево"));

        // The list: columns, a filter by the list field and a sort by the money field.
        let tree = serde_json::json!({"field": "custom.window_type", "op": "eq", "value": "Дерево"});
        let list = admin
            .get(&format!(
                "/deals?col=title&col=custom.window_type&col=custom.budget&sort=-custom.budget&{}",
                encoded("filter", &tree.to_string())
            ))
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", t.name);
        let (veranda, balcony) =
            (list.body.find("Веранда").expect("Веранда"), list.body.find("Балкон").expect("Балкон"));
        assert!(veranda < balcony, "{}: the larger budget first", t.name);
        assert!(!list.body.contains("Дача"), "{}: filtered out", t.name);
        assert!(list.body.contains("Тип окна") && list.body.contains("900\u{a0}000,50"), "{}", t.name);

        // Its file holds the same columns.
        let file = admin
            .get(&format!(
                "/deals.csv?col=title&col=custom.window_type&col=custom.budget&sort=-custom.budget&{}",
                encoded("filter", &tree.to_string())
            ))
            .await;
        assert_eq!(file.status, StatusCode::OK, "{}", t.name);
        let lines: Vec<&str> = file.body.trim_start_matches('\u{feff}').lines().collect();
        assert!(
            lines[0].contains("Тип окна") && lines[0].contains("Бюджет монтажа"),
            "{}: {lines:?}",
            t.name
        );
        assert!(
            lines[1].starts_with("Веранда;Дерево;") && lines[2].starts_with("Балкон;Дерево;"),
            "{}: {lines:?}",
            t.name
        );
        assert_eq!(lines.len(), 3, "{}", t.name);

        // The audit log names the fields.
        let filter = AuditFilter {
            entity: Some("deal".into()),
            entity_id: Some(id),
            action: Some(AuditAction::Update),
            ..AuditFilter::default()
        };
        let events = orbita_storage::audit::list(&t.db, &filter, None, 10).await.expect("audit").items;
        let change = events[0]
            .changes
            .iter()
            .find(|c| c.field == "custom.window_type")
            .expect("the list field's change");
        assert_eq!(
            (change.before.as_deref(), change.after.as_deref()),
            (Some("ПВХ"), Some("Дерево")),
            "{}",
            t.name
        );
        let created = AuditFilter { action: Some(AuditAction::Create), ..filter };
        let events = orbita_storage::audit::list(&t.db, &created, None, 10).await.expect("audit").items;
        assert!(
            events[0]
                .changes
                .iter()
                .any(|c| c.field == "custom.budget" && c.after.as_deref() == Some("150000.00")),
            "{}",
            t.name
        );
        t
    })
    .await;
}

#[tokio::test]
async fn companies_and_contacts_show_custom_fields_on_their_forms_cards_lists_and_files() {
    on_both(|t| async move {
        with_user(&t.db, "admin@x.ru", "administrator").await;
        let mut admin = Browser::new(&t.db);
        admin.sign_in("admin@x.ru", PASSWORD).await;
        admin.get("/admin/fields?kind=companies").await;
        let field = [
            ("kind", "companies"),
            ("key", "contract_no"),
            ("type", "text"),
            ("label_ru", "Номер договора"),
            ("label_en", "Contract number"),
            ("indexed", "on"),
        ];
        assert_eq!(admin.post("/admin/fields", &field).await.status, StatusCode::SEE_OTHER, "{}", t.name);
        let field = [
            ("kind", "contacts"),
            ("key", "birthday"),
            ("type", "date"),
            ("label_ru", "День рождения"),
            ("label_en", "Birthday"),
        ];
        assert_eq!(admin.post("/admin/fields", &field).await.status, StatusCode::SEE_OTHER, "{}", t.name);

        let form = admin.get("/companies/new").await;
        assert!(form.body.contains("name=\"custom.contract_no\""), "{}", t.name);
        for (name, contract) in [("Альфа", "Д-001"), ("Бета", "Д-002")] {
            let made = admin
                .post("/companies", &[("name", name), ("custom.contract_no", contract), ("save_anyway", "1")])
                .await;
            assert_eq!(made.status, StatusCode::SEE_OTHER, "{}: {name}: {}", t.name, made.body.len());
        }
        let list = admin.get("/companies?cols=name,custom.contract_no&sort=-custom.contract_no").await;
        assert_eq!(list.status, StatusCode::OK, "{}", t.name);
        let (beta, alpha) = (list.body.find("Бета").expect("Бета"), list.body.find("Альфа").expect("Альфа"));
        assert!(
            beta < alpha && list.body.contains("Д-002"),
            "{}: sorted by the custom field, descending",
            t.name
        );
        assert!(list.body.contains("Номер договора"), "{}: its column and its choice", t.name);
        let file = admin.get("/companies.csv?cols=name,custom.contract_no&sort=custom.contract_no").await;
        let lines: Vec<&str> = file.body.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[..3], ["Название;Номер договора", "Альфа;Д-001", "Бета;Д-002"], "{}", t.name);
        let id: i64 = list
            .body
            .split("href=\"/companies/")
            .skip(1)
            .find_map(|s| s.split(['"', '?']).next().and_then(|id| id.parse().ok()))
            .expect("a company link");
        let card = admin.get(&format!("/companies/{id}")).await;
        assert!(card.body.contains("Номер договора"), "{}: the card shows it", t.name);

        let made = admin
            .post(
                "/contacts",
                &[("last_name", "Иванов"), ("custom.birthday", "1990-03-08"), ("save_anyway", "1")],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", t.name);
        let wrong = admin
            .post(
                "/contacts",
                &[("last_name", "Петров"), ("custom.birthday", "8 марта"), ("save_anyway", "1")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);
        assert!(wrong.body.contains("День рождения"), "{}: the summary names the field", t.name);
        let list = admin.get("/contacts?cols=name,custom.birthday").await;
        assert!(list.body.contains("08.03.1990"), "{}: the date as dates are shown", t.name);
        t
    })
    .await;
}

/// Tasks and activities show chosen custom fields (`cols=custom.<key>`): the tasks on each row,
/// the register of activities as columns, and both in their files, after the fixed columns.
#[tokio::test]
async fn tasks_and_activities_show_chosen_custom_fields_on_their_lists_and_files() {
    on_both(|t| async move {
        let admin_id = with_user(&t.db, "admin@x.ru", "administrator").await;
        let access = orbita_app::Access::load(&t.db, admin_id, None).await.expect("access");
        let list = |key: &str, label: &str, options: &[&str]| orbita_domain::custom::CustomFieldInput {
            key: key.into(),
            ty: "list".into(),
            label_ru: label.into(),
            label_en: label.into(),
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            ..Default::default()
        };
        use orbita_domain::kind::RecordKind;
        let place = list("place", "Место", &["Офис", "Объект"]);
        orbita_app::custom_fields::add(&t.db, &access, RecordKind::Task, &place).await.expect("task field");
        let outcome = list("outcome", "Итог", &["Договорились", "Перезвонить"]);
        orbita_app::custom_fields::add(&t.db, &access, RecordKind::Activity, &outcome).await.expect("field");
        let mut admin = Browser::new(&t.db);
        admin.sign_in("admin@x.ru", PASSWORD).await;
        let made = admin.post("/tasks", &[("title", "Замер окон"), ("custom.place", "Объект")]).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", t.name);
        let input = orbita_domain::company::CompanyInput { name: "Окна".into(), ..Default::default() };
        let company = orbita_app::companies::create(&t.db, &access, &input, None).await.expect("company");
        let company = company.id.to_string();
        let call = [
            ("kind", "call"),
            ("status", "done"),
            ("subject", "Созвон"),
            ("company_id", company.as_str()),
            ("custom.outcome", "Перезвонить"),
        ];
        let made = admin.post("/activities", &call).await;
        let errors: Vec<&str> = made
            .body
            .match_indices("field__error")
            .map(|(i, _)| &made.body[i..(i + 160).min(made.body.len())])
            .collect();
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}: {errors:?}", t.name);

        let plain = admin.get("/tasks").await;
        assert!(
            plain.body.contains("value=\"custom.place\"") && !plain.body.contains("Объект"),
            "{}",
            t.name
        );
        let tasks = admin.get("/tasks?cols=custom.place").await;
        assert!(tasks.body.contains("Место:</span> Объект"), "{}: the row shows the value", t.name);
        assert!(tasks.body.contains("cols=custom.place"), "{}: the list's links keep the choice", t.name);
        let file = admin.get("/tasks.csv?cols=custom.place").await;
        let lines: Vec<&str> = file.body.trim_start_matches('\u{feff}').lines().collect();
        assert!(lines[0].ends_with(";Место") && lines[1].ends_with(";Объект"), "{}: {lines:?}", t.name);

        let register = admin.get("/activities?cols=custom.outcome").await;
        assert!(register.body.contains("<th scope=\"col\">Итог</th>"), "{}: the column", t.name);
        assert!(register.body.contains(">Перезвонить<"), "{}: the value", t.name);
        let file = admin.get("/activities.csv?cols=custom.outcome").await;
        let lines: Vec<&str> = file.body.trim_start_matches('\u{feff}').lines().collect();
        assert!(lines[0].ends_with(";Итог") && lines[1].ends_with(";Перезвонить"), "{}: {lines:?}", t.name);

        // Ordered by a custom field: the page (one group, not by due time), its links and its file.
        let made = admin.post("/tasks", &[("title", "Звонок в офис"), ("custom.place", "Офис")]).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", t.name);
        let position =
            |body: &str, text: &str| body.find(text).unwrap_or_else(|| panic!("{text} in the page"));
        let sorted = admin.get("/tasks?sort=-custom.place").await;
        assert!(sorted.body.contains("По полю «Место»"), "{}: one group named by the field", t.name);
        assert!(sorted.body.contains("value=\"-custom.place\" checked"), "{}: the order panel", t.name);
        assert!(position(&sorted.body, "Звонок в офис") < position(&sorted.body, "Замер окон"), "{}", t.name);
        let ascending = admin.get("/tasks?sort=custom.place").await;
        assert!(
            position(&ascending.body, "Замер окон") < position(&ascending.body, "Звонок в офис"),
            "{}",
            t.name
        );
        assert!(ascending.body.contains("sort=custom.place"), "{}: the list's links keep the order", t.name);
        let file = admin.get("/tasks.csv?sort=-custom.place").await;
        let lines: Vec<&str> = file.body.trim_start_matches('\u{feff}').lines().collect();
        assert!(
            lines[1].starts_with("Звонок в офис;") && lines[2].starts_with("Замер окон;"),
            "{}: {lines:?}",
            t.name
        );
        let meeting = [
            ("kind", "meeting"),
            ("status", "done"),
            ("subject", "Встреча"),
            ("company_id", company.as_str()),
            ("custom.outcome", "Договорились"),
        ];
        assert_eq!(admin.post("/activities", &meeting).await.status, StatusCode::SEE_OTHER, "{}", t.name);
        let newest = admin.get("/activities").await;
        assert!(
            position(&newest.body, "title=\"Встреча\"") < position(&newest.body, "title=\"Созвон\""),
            "{}: newest first",
            t.name
        );
        let by_outcome = admin.get("/activities?sort=-custom.outcome").await;
        assert!(
            position(&by_outcome.body, "title=\"Созвон\"") < position(&by_outcome.body, "title=\"Встреча\""),
            "{}",
            t.name
        );
        assert!(by_outcome.body.contains("value=\"-custom.outcome\" checked"), "{}: the order panel", t.name);
        t
    })
    .await;
}
