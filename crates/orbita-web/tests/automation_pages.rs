//! The robot board (`/admin/automation`): a column for new deals and one per stage, a rule added
//! through its form (a mistake keeps the form with its message), shown on its column, edited,
//! its runs listed, deleted; managers are refused. The bell, each user's notification settings,
//! and the webhooks' pages.

mod support;

use axum::http::StatusCode;
use orbita_testkit::TestDb;
use support::{Browser, PASSWORD, with_user};

#[tokio::test]
async fn an_administrator_puts_a_robot_on_a_stage_and_sees_it_run() {
    let t = TestDb::sqlite().await;
    with_user(&t.db, "admin@x.ru", "administrator").await;
    let mut admin = Browser::new(&t.db);
    admin.sign_in("admin@x.ru", PASSWORD).await;
    let (pipelines, stages) = orbita_app::deals::pipelines_and_stages(&t.db).await.expect("stages");
    let pipeline = pipelines[0].id.to_string();
    let stage = stages[1].id.to_string();

    let board = admin.get("/admin/automation").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(board.body.contains("Новая сделка") && board.body.contains("Первый звонок"), "the columns");
    assert!(board.body.contains(&format!("stage={stage}\"")), "a column adds a rule at its stage");
    let form = admin.get(&format!("/admin/automation/new?pipeline={pipeline}&stage={stage}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains(&format!("<option value=\"{stage}\" selected>")),
        "the column's stage is chosen"
    );

    let mut fields = vec![
        ("name", "Звонок клиенту"),
        ("pipeline_id", pipeline.as_str()),
        ("trigger", "stage_entered"),
        ("stage_id", stage.as_str()),
        ("task_title", "Позвонить: {title}"),
        ("assignee", "deal_owner"),
        ("priority", "high"),
        ("due_minutes", "пятнадцать"),
        ("delay_minutes", ""),
        ("condition", ""),
        ("active", "on"),
    ];
    let refused = admin.post("/admin/automation", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Звонок клиенту") && refused.body.contains("f-due_minutes-error"),
        "kept, named"
    );
    assert!(
        form.body.contains("name=\"due_working\"") && form.body.contains("Пн, Вт, Ср, Чт, Пт 09:00–18:00"),
        "the deadline may count working hours, and the form says which"
    );
    assert!(
        form.body.contains("<option value=\"expected_close_date\">Ожидаемая дата закрытия</option>"),
        "or be the deal's date: {}",
        form.body
    );
    fields[7] = ("due_minutes", "15");
    fields.push(("due_working", "on"));
    let saved = admin.post("/admin/automation", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let board = admin.get(&format!("/admin/automation?pipeline={pipeline}")).await;
    assert!(
        board.body.contains("Звонок клиенту") && board.body.contains("срок 15 мин, в рабочее время"),
        "on its column: {}",
        board.body
    );

    let rule = orbita_storage::automation::list(&t.db, None).await.expect("rules").remove(0);
    let admin_access = orbita_app::Access::load(&t.db, rule_author(&t).await, None).await.expect("access");
    let deal = orbita_domain::deal::DealInput { title: "Окна".into(), ..Default::default() };
    let deal = orbita_app::deals::create(&t.db, &admin_access, &deal, None, None, None).await.expect("deal");
    orbita_app::deals::move_stage(&t.db, &admin_access, deal.id, stages[1].id, "", None).await.expect("move");
    orbita_app::jobs::run_due(&t.db, "w").await.expect("run");
    let page = admin.get(&format!("/admin/automation/{}", rule.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Задача поставлена"), "the run is listed");
    assert!(page.body.contains(&format!("/deals/{}", deal.id)), "with its deal");

    let tried = admin.get(&format!("/admin/automation/{}?test_deal={}", rule.id, deal.id)).await;
    assert!(tried.body.contains("Поставил бы задачу «Позвонить: Окна»"), "the test run: {}", tried.body);
    let nothing = admin.get(&format!("/admin/automation/{}?test_deal=999999", rule.id)).await;
    assert!(nothing.body.contains("Нет сделки с таким номером"), "an unknown deal is said so");
    fields[0] = ("name", "Звонок, выключен");
    fields.retain(|(name, _)| *name != "active");
    let edited = admin.post(&format!("/admin/automation/{}", rule.id), &fields).await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER);
    let board = admin.get(&format!("/admin/automation?pipeline={pipeline}")).await;
    assert!(board.body.contains("Звонок, выключен") && board.body.contains("выключен</span>"), "shown off");
    let deleted = admin.post(&format!("/admin/automation/{}/delete", rule.id), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(orbita_storage::automation::list(&t.db, None).await.expect("rules").is_empty());

    // A rule on a changed field: its own column, the field chosen from the deal's fields.
    assert!(board.body.contains("Изменилось поле") && board.body.contains("trigger=field_changed"));
    assert!(board.body.contains("Задача просрочена") && board.body.contains("trigger=task_overdue"));
    let form = admin.get(&format!("/admin/automation/new?pipeline={pipeline}&trigger=field_changed")).await;
    assert!(form.body.contains("<option value=\"field_changed\" selected>"), "the trigger is chosen");
    assert!(form.body.contains("<option value=\"amount\">Сумма</option>"), "the fields: {}", form.body);
    let mut watching = vec![
        ("name", "Сумма выросла"),
        ("pipeline_id", pipeline.as_str()),
        ("trigger", "field_changed"),
        ("trigger_field", ""),
        ("action", "notify"),
        ("task_title", "Сумма: {amount}"),
        ("assignee", "deal_owner"),
        ("active", "on"),
    ];
    let refused = admin.post("/admin/automation", &watching).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("f-trigger_field-error"), "the field is asked for");
    watching[3] = ("trigger_field", "amount");
    assert_eq!(admin.post("/admin/automation", &watching).await.status, StatusCode::SEE_OTHER);
    let board = admin.get(&format!("/admin/automation?pipeline={pipeline}")).await;
    assert!(board.body.contains("Когда меняется «Сумма»"), "the card names its field: {}", board.body);

    with_user(&t.db, "m@x.ru", "manager").await;
    let mut manager = Browser::new(&t.db);
    manager.sign_in("m@x.ru", PASSWORD).await;
    assert_eq!(manager.get("/admin/automation").await.status, StatusCode::FORBIDDEN);
    assert_eq!(manager.get("/admin/automation/new").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_robot_that_moves_the_deal_names_its_stage_on_the_form_the_board_and_the_test_run() {
    let t = TestDb::sqlite().await;
    let admin_id = with_user(&t.db, "admin@x.ru", "administrator").await;
    let mut admin = Browser::new(&t.db);
    admin.sign_in("admin@x.ru", PASSWORD).await;
    let (pipelines, stages) = orbita_app::deals::pipelines_and_stages(&t.db).await.expect("stages");
    let pipeline = pipelines[0].id.to_string();
    let (stage, target) = (stages[1].id.to_string(), stages[2].id.to_string());
    let form = admin.get(&format!("/admin/automation/new?pipeline={pipeline}&stage={stage}")).await;
    assert!(form.body.contains("name=\"action\"") && form.body.contains("name=\"target_stage_id\""));
    let mut fields = vec![
        ("name", "Дальше"),
        ("pipeline_id", pipeline.as_str()),
        ("trigger", "stage_entered"),
        ("stage_id", stage.as_str()),
        ("action", "move_stage"),
        ("target_stage_id", ""),
        ("task_title", ""),
        ("assignee", "deal_owner"),
        ("active", "on"),
    ];
    let refused = admin.post("/admin/automation", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("f-target_stage_id-error"), "{}", refused.body);
    fields[5] = ("target_stage_id", target.as_str());
    assert_eq!(admin.post("/admin/automation", &fields).await.status, StatusCode::SEE_OTHER);
    let board = admin.get(&format!("/admin/automation?pipeline={pipeline}")).await;
    let target_name = &stages[2].name_ru;
    assert!(board.body.contains(&format!("Перевести на этап «{target_name}»")), "{}", board.body);

    let rule = orbita_storage::automation::list(&t.db, None).await.expect("rules").remove(0);
    let access = orbita_app::Access::load(&t.db, admin_id, None).await.expect("access");
    let deal = orbita_domain::deal::DealInput { title: "Окна".into(), ..Default::default() };
    let deal = orbita_app::deals::create(&t.db, &access, &deal, None, None, None).await.expect("deal");
    orbita_app::deals::move_stage(&t.db, &access, deal.id, stages[1].id, "", None).await.expect("move");
    let tried = admin.get(&format!("/admin/automation/{}?test_deal={}", rule.id, deal.id)).await;
    assert!(tried.body.contains(&format!("Перевёл бы сделку на этап «{target_name}»")), "{}", tried.body);
}

async fn rule_author(t: &TestDb) -> orbita_domain::UserId {
    orbita_storage::users::list(&t.db).await.expect("users").remove(0).id
}

#[tokio::test]
async fn the_bell_counts_unread_notifications_and_opening_one_reads_it() {
    let t = TestDb::sqlite().await;
    let admin_id = with_user(&t.db, "admin@x.ru", "administrator").await;
    let manager_id = with_user(&t.db, "m@x.ru", "manager").await;
    let admin = orbita_app::Access::load(&t.db, admin_id, None).await.expect("access");
    let input = orbita_domain::task::TaskInput {
        title: "Позвонить клиенту".into(),
        description: String::new(),
        due_at: None,
        assignee_id: manager_id,
        priority: None,
        company_id: None,
        contact_id: None,
        deal_id: None,
    };
    let task = orbita_app::tasks::create(&t.db, &admin, &input).await.expect("task");
    let mut manager = Browser::new(&t.db);
    manager.sign_in("m@x.ru", PASSWORD).await;
    let page = manager.get("/tasks").await;
    assert!(page.body.contains("hx-get=\"/notifications/badge\""), "the bell asks for its count");
    let badge = manager.get("/notifications/badge").await;
    assert!(badge.body.contains(">1<"), "{}", badge.body);
    let list = manager.get("/notifications").await;
    assert!(list.body.contains("Вам поручена задача: Позвонить клиенту"), "{}", list.body);
    let id = orbita_app::notifications::list(
        &t.db,
        &orbita_app::Access::load(&t.db, manager_id, None).await.expect("a"),
        false,
        None,
        1,
    )
    .await
    .expect("list")[0]
        .id;
    let opened = manager.get(&format!("/notifications/{id}/open")).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location(), format!("/tasks/{}", task.id));
    let badge = manager.get("/notifications/badge").await;
    assert!(badge.body.contains(" hidden"), "nothing unread: {}", badge.body);
    let mut admin_browser = Browser::new(&t.db);
    admin_browser.sign_in("admin@x.ru", PASSWORD).await;
    assert_eq!(admin_browser.get(&format!("/notifications/{id}/open")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_user_chooses_how_each_kind_of_notification_reaches_them_and_their_digest_hour() {
    let t = TestDb::sqlite().await;
    let manager_id = with_user(&t.db, "m@x.ru", "manager").await;
    let mut manager = Browser::new(&t.db);
    manager.sign_in("m@x.ru", PASSWORD).await;
    let list = manager.get("/notifications").await;
    assert!(list.body.contains("href=\"/notifications/settings\""), "{}", list.body);
    let page = manager.get("/notifications/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    // This server has no SMTP server: the page says e-mail is off; every switch starts on (a
    // manager is not offered the administrators' webhook notices).
    assert!(page.body.contains("Почта на этом сервере выключена"), "{}", page.body);
    assert_eq!(page.body.matches(" checked").count(), 12, "{}", page.body);
    assert!(!page.body.contains("webhook_disabled"), "{}", page.body);

    // Overdue notices in the bell only, assignments by e-mail only, a digest at 9.
    let fields = [
        ("in_app", "task_overdue"),
        ("in_app", "deal_assigned"),
        ("email", "deal_assigned"),
        ("email", "task_assigned"),
        ("digest_hour", "9"),
    ];
    let saved = manager.post("/notifications/settings", &fields).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("Настройки уведомлений сохранены"), "{}", saved.body);
    assert!(saved.body.contains(r#"value="9" selected"#), "{}", saved.body);
    assert!(saved.body.contains(
        r#"name="email" value="task_assigned" aria-label="Мне поручена задача: По почте" checked"#
    ));
    assert!(saved.body.contains(
        r#"name="in_app" value="task_assigned" aria-label="Мне поручена задача: В колокольчике">"#
    ));
    let access = orbita_app::Access::load(&t.db, manager_id, None).await.expect("access");
    let prefs = orbita_app::notifications::preferences(&t.db, &access).await.expect("prefs");
    assert_eq!(prefs.digest_hour, Some(9));
    let overdue = prefs.get(orbita_domain::notification::NotificationKind::TaskOverdue);
    assert!(overdue.in_app && !overdue.email);

    // An hour no option has is refused at its field, and nothing changes.
    let refused = manager.post("/notifications/settings", &[("digest_hour", "25")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Час сводки — от 0 до 23"), "{}", refused.body);
    let after = orbita_app::notifications::preferences(&t.db, &access).await.expect("prefs");
    assert_eq!(after, prefs);
}

#[tokio::test]
async fn an_administrator_registers_a_webhook_sees_its_secret_once_and_its_deliveries() {
    let t = TestDb::sqlite().await;
    with_user(&t.db, "admin@x.ru", "administrator").await;
    let outbound = orbita_app::webhooks::Outbound::new(Some(&"k".repeat(40)), true).expect("key");
    let config = orbita_web::WebConfig { outbound: outbound.clone(), ..Default::default() };
    let mut admin = Browser::with_config(&t.db, config);
    admin.sign_in("admin@x.ru", PASSWORD).await;
    let empty = admin.get("/admin/webhooks").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("value=\"deal.stage_changed\""), "the events to choose");

    let refused = admin.post("/admin/webhooks", &[("url", "ftp://x"), ("events", "company.created")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("f-url-error") || refused.body.contains("http:// или https://"), "named");
    let made = admin
        .post(
            "/admin/webhooks",
            &[("url", "http://127.0.0.1:9/hook"), ("events", "company.created"), ("events", "deal.created")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK);
    assert!(made.body.contains("webhook-secret"), "the secret, once");
    let hook = orbita_storage::webhooks::list(&t.db).await.expect("hooks").remove(0);
    assert_eq!(hook.fields.events.len(), 2);
    let shown = admin.get(&format!("/admin/webhooks/{}", hook.id)).await;
    assert!(!shown.body.contains("webhook-secret"), "never again");

    // A company made: the delivery (to a closed port) is logged on the webhook's page.
    let admin_id = orbita_storage::users::list(&t.db).await.expect("users").remove(0).id;
    let access = orbita_app::Access::load(&t.db, admin_id, None).await.expect("access");
    let company =
        orbita_domain::company::CompanyInput { name: "ООО Вектор".into(), ..Default::default() };
    orbita_app::companies::create(&t.db, &access, &company, None).await.expect("company");
    orbita_app::jobs::run_due_with(&t.db, "w", &outbound, orbita_domain::now()).await.expect("run");
    let shown = admin.get(&format!("/admin/webhooks/{}", hook.id)).await;
    assert!(shown.body.contains("<code>company.created</code>"), "the delivery is listed");
    let off = admin
        .post(
            &format!("/admin/webhooks/{}", hook.id),
            &[("url", "http://127.0.0.1:9/hook"), ("events", "company.created")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(admin.get("/admin/webhooks").await.body.contains("Выключен"), "switched off");
    let gone = admin.post(&format!("/admin/webhooks/{}/delete", hook.id), &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_rule_s_condition_is_built_from_rows_on_its_form_and_read_back() {
    let t = TestDb::sqlite().await;
    with_user(&t.db, "admin@x.ru", "administrator").await;
    let mut admin = Browser::new(&t.db);
    admin.sign_in("admin@x.ru", PASSWORD).await;
    let (pipelines, stages) = orbita_app::deals::pipelines_and_stages(&t.db).await.expect("stages");
    let (pipeline, stage) = (pipelines[0].id.to_string(), stages[1].id.to_string());
    let form = admin.get(&format!("/admin/automation/new?pipeline={pipeline}&stage={stage}")).await;
    assert!(form.body.contains("id=\"rule-condition\"") && form.body.contains("name=\"0.field\""), "a row");
    assert!(!form.body.contains("name=\"condition\""), "no JSON to type");
    let base = vec![
        ("name", "Крупная сделка"),
        ("pipeline_id", pipeline.as_str()),
        ("trigger", "stage_entered"),
        ("stage_id", stage.as_str()),
        ("task_title", "Позвонить: {title}"),
        ("assignee", "deal_owner"),
        ("active", "on"),
        ("join", "or"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| [base.clone(), extra.to_vec()].concat();

    // Picking a field (htmx re-renders the rows) or adding a row shows the form again, unsaved.
    let picked = admin.post("/admin/automation", &with(&[("0.field", "amount"), ("refresh", "1")])).await;
    assert_eq!(picked.status, StatusCode::OK);
    assert!(
        picked.body.contains("name=\"0.op\"") && picked.body.contains("value=\"gte\""),
        "its comparisons"
    );
    let added = admin.post("/admin/automation", &with(&[("0.field", "amount"), ("add", "1")])).await;
    assert_eq!(added.status, StatusCode::OK);
    assert!(added.body.contains("name=\"1.field\""), "a second row");
    assert!(orbita_storage::automation::list(&t.db, None).await.expect("rules").is_empty(), "nothing saved");

    // A row without its value, or with a value its field cannot take, is named on the row.
    let blank = admin.post("/admin/automation", &with(&[("0.field", "amount"), ("0.op", "gte")])).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.body.contains("id=\"c0-error\""), "the row's message: {}", blank.body);
    let wrong = with(&[("0.field", "amount"), ("0.op", "gte"), ("0.value", "много")]);
    let wrong = admin.post("/admin/automation", &wrong).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("id=\"c0-error\"") && wrong.body.contains("value=\"много\""), "kept, named");

    let rows = with(&[
        ("0.field", "amount"),
        ("0.op", "gte"),
        ("0.value", "500000"),
        ("1.field", "source"),
        ("1.op", "contains"),
        ("1.value", "сайт"),
    ]);
    assert_eq!(admin.post("/admin/automation", &rows).await.status, StatusCode::SEE_OTHER);
    let rule = orbita_storage::automation::list(&t.db, None).await.expect("rules").remove(0);
    let condition: serde_json::Value =
        serde_json::from_str(rule.fields.condition.as_deref().expect("a condition")).expect("json");
    assert_eq!(
        condition,
        serde_json::json!({"or": [
            {"field": "amount", "op": "gte", "value": "500000"},
            {"field": "source", "op": "contains", "value": "сайт"}
        ]})
    );
    let page = admin.get(&format!("/admin/automation/{}", rule.id)).await;
    assert!(
        page.body.contains("value=\"500000\"") && page.body.contains("value=\"сайт\""),
        "read back into rows"
    );
    assert!(page.body.contains("name=\"join\" value=\"or\" checked"), "joined by any");

    // A group: "amount at least 500,000, or (from the site and above 100,000)".
    let add_group = with(&[("0.field", "amount"), ("add_group", "1")]);
    let grouped = admin.post(&format!("/admin/automation/{}", rule.id), &add_group).await;
    assert_eq!(grouped.status, StatusCode::OK);
    assert!(
        grouped.body.contains("id=\"group-1\"") && grouped.body.contains("name=\"2.group\""),
        "a group of two"
    );
    let grouped = with(&[
        ("0.field", "amount"),
        ("0.op", "gte"),
        ("0.value", "500000"),
        ("1.field", "source"),
        ("1.op", "contains"),
        ("1.value", "сайт"),
        ("1.group", "1"),
        ("2.field", "amount"),
        ("2.op", "gt"),
        ("2.value", "100000"),
        ("2.group", "1"),
    ]);
    let saved = admin.post(&format!("/admin/automation/{}", rule.id), &grouped).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let rule = orbita_storage::automation::get(&t.db, rule.id).await.expect("read").expect("kept");
    let condition: serde_json::Value =
        serde_json::from_str(rule.fields.condition.as_deref().expect("a condition")).expect("json");
    assert_eq!(
        condition,
        serde_json::json!({"or": [
            {"field": "amount", "op": "gte", "value": "500000"},
            {"and": [
                {"field": "source", "op": "contains", "value": "сайт"},
                {"field": "amount", "op": "gt", "value": "100000"}
            ]}
        ]})
    );
    let page = admin.get(&format!("/admin/automation/{}", rule.id)).await;
    assert!(page.body.contains("id=\"group-1\"") && page.body.contains("value=\"100000\""), "read back");

    // Rows emptied: every deal again.
    let cleared = with(&[("0.field", "")]);
    assert_eq!(
        admin.post(&format!("/admin/automation/{}", rule.id), &cleared).await.status,
        StatusCode::SEE_OTHER
    );
    let rule = orbita_storage::automation::get(&t.db, rule.id).await.expect("read").expect("kept");
    assert_eq!(rule.fields.condition, None);
}
