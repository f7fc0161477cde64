//! Administration pages through the real router: users, deactivation, the roles matrix, the
//! audit log, and that nobody else gets in.

mod support;

use axum::http::StatusCode;
use orbita_domain::access::{Action, Area, Scope};
use orbita_testkit::TestDb;
use support::{Browser, PASSWORD, with_user};

async fn admin_browser(t: &TestDb) -> Browser {
    with_user(&t.db, "admin@x.ru", "administrator").await;
    let mut browser = Browser::new(&t.db);
    browser.sign_in("admin@x.ru", PASSWORD).await;
    browser
}

#[tokio::test]
async fn an_administrator_adds_a_user_and_a_bad_form_keeps_its_values() {
    let t = TestDb::sqlite().await;
    let mut admin = admin_browser(&t).await;
    let page = admin.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::OK);
    let manager_role =
        orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role").id.to_string();
    let bad = admin
        .post(
            "/admin/users",
            &[("name", "Вера Новикова"), ("email", "vera@"), ("role_id", &manager_role), ("password", "x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("value=\"Вера Новикова\"") && bad.body.contains("value=\"vera@\""),
        "typed values kept"
    );
    assert!(
        bad.body.contains("f-email-error") && bad.body.contains("f-password-error"),
        "messages at their fields"
    );
    let ok = admin
        .post(
            "/admin/users",
            &[
                ("name", "Вера Новикова"),
                ("email", "vera@x.ru"),
                ("role_id", &manager_role),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let mut vera = Browser::new(&t.db);
    vera.sign_in("vera@x.ru", PASSWORD).await;
    assert!(vera.signed_in(), "the new user can sign in");
}

#[tokio::test]
async fn deactivating_a_user_in_the_admin_page_signs_them_out_everywhere() {
    let t = TestDb::sqlite().await;
    let mut admin = admin_browser(&t).await;
    let gleb = with_user(&t.db, "gleb@x.ru", "manager").await;
    let mut gleb_browser = Browser::new(&t.db);
    gleb_browser.sign_in("gleb@x.ru", PASSWORD).await;
    assert_eq!(gleb_browser.get("/account/password").await.status, StatusCode::OK);
    let path = format!("/admin/users/{gleb}");
    let form = admin.get(&path).await;
    let role = support::hidden_value(&form.body, "role_id").unwrap_or_default();
    let role_id = if role.is_empty() {
        orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role").id.to_string()
    } else {
        role
    };
    // No `active` field: the box is unticked.
    let saved =
        admin.post(&path, &[("name", "gleb@x.ru"), ("email", "gleb@x.ru"), ("role_id", &role_id)]).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let after = gleb_browser.get("/account/password").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the session ended");
    assert!(after.location().starts_with("/login"));
}

#[tokio::test]
async fn the_roles_matrix_changes_what_a_role_may_do() {
    let t = TestDb::sqlite().await;
    let mut admin = admin_browser(&t).await;
    let page = admin.get("/admin/roles").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"deals.view\""), "a select per area and action");
    let manager = orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role");
    // The whole matrix is posted: only deals are granted, and to the group.
    let saved = admin
        .post(&format!("/admin/roles/{}", manager.id), &[("deals.view", "group"), ("deals.edit", "own")])
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let permissions = orbita_storage::access::permissions(&t.db, manager.id).await.expect("grants");
    assert_eq!(permissions.scope(Area::Deals, Action::View), Some(Scope::Group));
    assert_eq!(permissions.scope(Area::Companies, Action::View), None, "cells left empty are revoked");
    let audit = admin.get("/admin/audit?entity=role").await;
    // In words: the area and the right, the scopes by name.
    assert!(
        audit.body.contains("Сделки · просмотр: Свои → Своих групп")
            || audit.body.contains("Deals · view: Own → Own groups'"),
        "the change is in the audit log, in words: {}",
        audit.body
    );
    assert!(!audit.body.contains("deals.view"), "not the right's code");
}

#[tokio::test]
async fn the_audit_log_lists_sign_ins_and_filters_by_action() {
    let t = TestDb::sqlite().await;
    let mut admin = admin_browser(&t).await;
    let mut stranger = Browser::new(&t.db);
    stranger.sign_in("admin@x.ru", "wrong password!").await;
    let all = admin.get("/admin/audit").await;
    assert_eq!(all.status, StatusCode::OK);
    // The record by its name, not its number.
    assert!(all.body.contains(">admin@x.ru</a>"), "the signed-in user's name: {}", all.body);
    let failed = admin.get("/admin/audit?action=sign_in_failed").await;
    assert!(failed.body.contains("admin@x.ru"), "the attempted e-mail is shown");
    let rows = failed.body.matches("<tr>").count();
    assert_eq!(rows, 2, "header + one failed sign-in: {}", failed.body);
}

#[tokio::test]
async fn only_administrators_reach_the_admin_pages() {
    let t = TestDb::sqlite().await;
    with_user(&t.db, "manager@x.ru", "manager").await;
    let mut manager = Browser::new(&t.db);
    manager.sign_in("manager@x.ru", PASSWORD).await;
    for path in ["/admin/users", "/admin/groups", "/admin/roles", "/admin/audit"] {
        assert_eq!(manager.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let page = manager.get("/account/password").await;
    assert!(!page.body.contains("href=\"/admin\""), "no admin link in the menu");
}

// --- Organisation settings ------------------------------------------------------------------

use orbita_app::Access;
use orbita_domain::audit::AuditAction;
use orbita_domain::company::CompanyInput;
use orbita_domain::contact::ContactInput;
use orbita_domain::deal::DealInput;
use orbita_domain::kind::RecordKind;
use orbita_domain::pipeline::StageKind;
use orbita_domain::task::TaskInput;
use orbita_domain::{CompanyId, UserId};
use orbita_storage::audit::AuditFilter;
use orbita_testkit::on_both;

async fn audit_events(t: &TestDb, entity: &str) -> Vec<orbita_domain::audit::AuditEvent> {
    let filter = AuditFilter { entity: Some(entity.to_owned()), ..AuditFilter::default() };
    orbita_storage::audit::list(&t.db, &filter, None, 500).await.expect("audit").items
}

#[tokio::test]
async fn organisation_settings_are_saved_with_field_errors_and_an_audited_diff() {
    on_both(|t| async move {
        let admin_id = with_user(&t.db, "admin@x.ru", "administrator").await;
        let mut admin = Browser::new(&t.db);
        admin.sign_in("admin@x.ru", PASSWORD).await;
        let page = admin.get("/admin/settings").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("value=\"Orbita\"") && page.body.contains("value=\"Europe/Moscow\""));
        assert!(!page.body.contains("class=\"brand__org\""), "the product's name is not said twice");
        assert!(page.body.contains("href=\"/api/docs\""), "the user menu links the API's documentation");

        let bad = admin
            .post(
                "/admin/settings",
                &[
                    ("name", " "),
                    ("currency", "RUBX"),
                    ("time_zone", "Mars/Olympus"),
                    ("locale", "fr"),
                    ("work_start", "25:00"),
                    ("work_end", "18:00"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);
        for field in ["name", "currency", "time_zone", "locale", "work_start"] {
            assert!(bad.body.contains(&format!("f-{field}-error")), "{field} has its message: {}", t.name);
        }
        assert!(bad.body.contains("value=\"Mars/Olympus\""), "typed values kept");
        assert!(bad.body.contains("Выберите хотя бы один рабочий день"), "no working day: {}", t.name);
        // The working week shows Monday to Friday, 09:00 to 18:00, by default.
        assert!(page.body.contains("name=\"work_days\" value=\"5\" checked"), "Friday is worked");
        assert!(!page.body.contains("name=\"work_days\" value=\"6\" checked"), "Saturday is not");
        assert!(page.body.contains("value=\"09:00\"") && page.body.contains("value=\"18:00\""));
        assert!(audit_events(&t, "settings").await.is_empty(), "a refused form changes nothing");

        let fields = [
            ("name", "ООО «Ромашка»"),
            ("currency", "usd"),
            ("time_zone", "Asia/Yekaterinburg"),
            ("locale", "en"),
            ("work_days", "1"),
            ("work_days", "2"),
            ("work_days", "3"),
            ("work_days", "4"),
            ("work_days", "5"),
            ("work_days", "6"),
            ("work_start", "10:00"),
            ("work_end", "20:00"),
        ];
        let saved = admin.post("/admin/settings", &fields).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let settings = orbita_app::setup::settings(&t.db).await.expect("settings");
        assert_eq!(settings.name, "ООО «Ромашка»");
        assert!(
            saved.body.contains("<span class=\"brand__org\">ООО «Ромашка»</span>"),
            "the header names it"
        );
        assert_eq!(settings.currency.as_str(), "USD");
        assert_eq!(settings.time_zone, "Asia/Yekaterinburg");
        assert_eq!(settings.working_hours.days_text(), "123456");

        let events = audit_events(&t, "settings").await;
        assert_eq!(events.len(), 1, "{}", t.name);
        let event = &events[0];
        assert_eq!((event.action, event.actor_id), (AuditAction::Update, Some(admin_id)));
        let diff: Vec<(&str, Option<&str>, Option<&str>)> = event
            .changes
            .iter()
            .map(|c| (c.field.as_str(), c.before.as_deref(), c.after.as_deref()))
            .collect();
        assert_eq!(
            diff,
            vec![
                ("name", Some("Orbita"), Some("ООО «Ромашка»")),
                ("currency", Some("RUB"), Some("USD")),
                ("time_zone", Some("Europe/Moscow"), Some("Asia/Yekaterinburg")),
                ("locale", Some("ru"), Some("en")),
                ("work_days", Some("12345"), Some("123456")),
                ("work_hours", Some("09:00–18:00"), Some("10:00–20:00")),
            ]
        );
        // Saving the same values again is no change, and no event.
        admin.post("/admin/settings", &fields).await;
        assert_eq!(audit_events(&t, "settings").await.len(), 1);
        let log = admin.get("/admin/audit?entity=settings").await;
        assert!(log.body.contains("Asia/Yekaterinburg"), "the diff is in the audit log page");
        t
    })
    .await;
}

#[tokio::test]
async fn only_administrators_see_or_change_the_organisation_settings() {
    on_both(|t| async move {
        for (email, role) in [("manager@x.ru", "manager"), ("head@x.ru", "head_of_sales")] {
            with_user(&t.db, email, role).await;
            let mut browser = Browser::new(&t.db);
            browser.sign_in(email, PASSWORD).await;
            assert_eq!(browser.get("/admin/settings").await.status, StatusCode::FORBIDDEN, "{role}");
            let post = browser
                .post(
                    "/admin/settings",
                    &[("name", "Hacked"), ("currency", "USD"), ("time_zone", "UTC"), ("locale", "en")],
                )
                .await;
            assert_eq!(post.status, StatusCode::FORBIDDEN, "{role}");
        }
        assert_eq!(orbita_app::setup::settings(&t.db).await.expect("settings").name, "Orbita");
        assert!(audit_events(&t, "settings").await.is_empty());
        t
    })
    .await;
}

/// A role that may read the settings but not change them sees them disabled, without Save.
#[tokio::test]
async fn a_settings_reader_sees_no_save_button() {
    let t = TestDb::sqlite().await;
    let mut admin = admin_browser(&t).await;
    let manager = orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role");
    admin.get("/admin/roles").await;
    let saved = admin
        .post(
            &format!("/admin/roles/{}", manager.id),
            &[("users_and_settings.view", "all"), ("deals.view", "own")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    with_user(&t.db, "reader@x.ru", "manager").await;
    let mut reader = Browser::new(&t.db);
    reader.sign_in("reader@x.ru", PASSWORD).await;
    let page = reader.get("/admin/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("fieldset class=\"form-grid\" disabled"), "{}", page.body);
    assert!(!page.body.contains("type=\"submit\">Сохранить") && !page.body.contains("type=\"submit\">Save"));
    let administrator = admin.get("/admin/settings").await;
    assert!(!administrator.body.contains(" disabled>"), "the administrator edits");
    assert!(administrator.body.contains("type=\"submit\">Сохранить"), "and saves");
}

// --- Handing records over ---------------------------------------------------------------------

/// Anna's records: two companies, a contact, an open and a won deal, an open and a done task.
async fn annas_records(t: &TestDb, admin: UserId, anna: UserId) -> CompanyId {
    let db = &t.db;
    let access = Access::load(db, admin, None).await.expect("access");
    let first = orbita_app::companies::create(
        db,
        &access,
        &CompanyInput { name: "Ромашка".into(), ..CompanyInput::default() },
        Some(anna),
    )
    .await
    .expect("company");
    orbita_app::companies::create(
        db,
        &access,
        &CompanyInput { name: "Лютик".into(), ..CompanyInput::default() },
        Some(anna),
    )
    .await
    .expect("company");
    let contact = ContactInput { last_name: "Петров".into(), ..ContactInput::default() };
    orbita_app::contacts::create(db, &access, &contact, Some(anna)).await.expect("contact");
    let deal = |title: &str| DealInput {
        title: title.into(),
        amount: "1000".into(),
        company_id: Some(first.id),
        ..DealInput::default()
    };
    orbita_app::deals::create(db, &access, &deal("Open"), None, None, Some(anna)).await.expect("deal");
    let won =
        orbita_app::deals::create(db, &access, &deal("Won"), None, None, Some(anna)).await.expect("deal");
    let (_, stages) = orbita_app::deals::pipelines_and_stages(db).await.expect("stages");
    let won_stage = stages.iter().find(|s| s.kind == StageKind::Won).expect("won stage");
    orbita_app::deals::move_stage(db, &access, won.id, won_stage.id, "", None).await.expect("won");
    let task = |title: &str| TaskInput {
        title: title.into(),
        description: String::new(),
        due_at: None,
        assignee_id: anna,
        priority: None,
        company_id: Some(first.id),
        contact_id: None,
        deal_id: None,
    };
    orbita_app::tasks::create(db, &access, &task("Call")).await.expect("task");
    let done = orbita_app::tasks::create(db, &access, &task("Done")).await.expect("task");
    orbita_app::tasks::set_done(db, &access, done.id, true).await.expect("done");
    first.id
}

async fn owned(t: &TestDb, user: UserId) -> Vec<i64> {
    let mut counts = Vec::new();
    for kind in RecordKind::handed_over_kinds() {
        counts.push(orbita_storage::ownership::count_owned(&t.db, kind, user, false).await.expect("count"));
    }
    counts
}

#[tokio::test]
async fn an_administrator_hands_a_users_records_over_after_seeing_the_counts() {
    on_both(|t| async move {
        let admin_id = with_user(&t.db, "admin@x.ru", "administrator").await;
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let boris = with_user(&t.db, "boris@x.ru", "manager").await;
        let company = annas_records(&t, admin_id, anna).await;
        let mut anna_browser = Browser::new(&t.db);
        anna_browser.sign_in("anna@x.ru", PASSWORD).await;
        assert_eq!(anna_browser.get(&format!("/companies/{company}")).await.status, StatusCode::OK);

        let mut admin = Browser::new(&t.db);
        admin.sign_in("admin@x.ru", PASSWORD).await;
        assert_eq!(admin.get("/admin/ownership").await.status, StatusCode::OK);
        let (from, to) = (anna.to_string(), boris.to_string());
        let form = [
            ("from_user_id", from.as_str()),
            ("to_user_id", to.as_str()),
            ("kind", "companies"),
            ("kind", "contacts"),
            ("kind", "deals"),
            ("kind", "tasks"),
            ("open_only", "on"),
        ];
        let preview = admin.post("/admin/ownership", &form).await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        let counts: Vec<&str> =
            preview.body.split("data-count>").skip(1).filter_map(|s| s.split('<').next()).collect();
        assert_eq!(counts, vec!["2", "1", "1", "1"], "companies, contacts, open deals, open tasks");
        assert!(preview.body.contains("name=\"confirm\""), "a confirmation follows");
        assert_eq!(owned(&t, anna).await, vec![2, 1, 2, 2], "counting moves nothing");

        let mut confirmed = form.to_vec();
        confirmed.push(("confirm", "yes"));
        let done = admin.post("/admin/ownership", &confirmed).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(owned(&t, boris).await, vec![2, 1, 1, 1], "{}", t.name);
        assert_eq!(owned(&t, anna).await, vec![0, 0, 1, 1], "the won deal and the done task stay");
        let filter = AuditFilter { action: Some(AuditAction::OwnerChange), ..AuditFilter::default() };
        let events = orbita_storage::audit::list(&t.db, &filter, None, 100).await.expect("audit").items;
        assert_eq!(events.len(), 5, "one event per record");
        assert!(events.iter().all(|e| e.actor_id == Some(admin_id)
            && e.changes[0].before.as_deref() == Some(from.as_str())
            && e.changes[0].after.as_deref() == Some(to.as_str())));
        assert_eq!(
            anna_browser.get(&format!("/companies/{company}")).await.status,
            StatusCode::NOT_FOUND,
            "the previous owner loses access"
        );
        t
    })
    .await;
}

#[tokio::test]
async fn a_head_of_sales_hands_over_within_the_group_and_a_manager_not_at_all() {
    on_both(|t| async move {
        let admin_id = with_user(&t.db, "admin@x.ru", "administrator").await;
        let head = with_user(&t.db, "head@x.ru", "head_of_sales").await;
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let vera = with_user(&t.db, "vera@x.ru", "manager").await;
        let boris = with_user(&t.db, "boris@x.ru", "manager").await;
        let now = orbita_domain::now();
        let mut tx = t.db.begin().await.expect("tx");
        let group = orbita_storage::users::insert_group(&mut tx, "Sales", now).await.expect("group");
        for member in [head, anna, vera] {
            orbita_storage::users::add_to_group(&mut tx, group, member, now).await.expect("member");
        }
        tx.commit().await.expect("commit");
        annas_records(&t, admin_id, anna).await;

        let mut browser = Browser::new(&t.db);
        browser.sign_in("head@x.ru", PASSWORD).await;
        let page = browser.get("/admin/ownership").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(!page.body.contains("href=\"/admin/users\""), "only the tabs the head may open");
        let (a, v, b) = (anna.to_string(), vera.to_string(), boris.to_string());
        let (a, v, b) = (a.as_str(), v.as_str(), b.as_str());
        let outside = browser
            .post("/admin/ownership", &[("from_user_id", a), ("to_user_id", b), ("kind", "companies")])
            .await;
        assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);
        assert!(outside.body.contains("f-to_user_id-error"));
        let same = browser
            .post("/admin/ownership", &[("from_user_id", a), ("to_user_id", a), ("kind", "companies")])
            .await;
        assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
        let nothing = browser.post("/admin/ownership", &[("from_user_id", a), ("to_user_id", v)]).await;
        assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(nothing.body.contains("f-kinds-error"));
        let done = browser
            .post(
                "/admin/ownership",
                &[("from_user_id", a), ("to_user_id", v), ("kind", "companies"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(owned(&t, vera).await, vec![2, 0, 0, 0]);

        let mut manager = Browser::new(&t.db);
        manager.sign_in("boris@x.ru", PASSWORD).await;
        assert_eq!(manager.get("/admin/ownership").await.status, StatusCode::FORBIDDEN);
        let post = manager
            .post(
                "/admin/ownership",
                &[("from_user_id", v), ("to_user_id", b), ("kind", "companies"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(post.status, StatusCode::FORBIDDEN);
        assert_eq!(owned(&t, vera).await, vec![2, 0, 0, 0]);
        t
    })
    .await;
}

// --- The audit log's filters ------------------------------------------------------------------

use orbita_domain::audit::{AuditEntity, FieldChange, NewAuditEvent};

/// The entity cells of the audit page's rows (`<td class="nowrap">Сделка <a …>`), in order.
fn audit_rows(body: &str) -> Vec<String> {
    let tbody =
        body.split("<tbody>").nth(1).and_then(|rest| rest.split("</tbody>").next()).unwrap_or_default();
    tbody
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td class=\"nowrap\">")
                .nth(3)
                .unwrap_or_default()
                .split('<')
                .next()
                .unwrap_or_default()
        })
        .map(|cell| cell.trim().to_owned())
        .collect()
}

#[tokio::test]
async fn the_audit_log_filters_by_every_entity_by_user_and_by_period() {
    on_both(|t| async move {
        let admin_id = with_user(&t.db, "admin@x.ru", "administrator").await;
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let boris = with_user(&t.db, "boris@x.ru", "manager").await;
        let as_anna = Access::load(&t.db, anna, None).await.expect("access");
        let as_boris = Access::load(&t.db, boris, None).await.expect("access");
        let company = orbita_app::companies::create(
            &t.db,
            &as_anna,
            &CompanyInput { name: "Ромашка".into(), ..CompanyInput::default() },
            None,
        )
        .await
        .expect("company");
        let deal_input =
            |title: &str| DealInput { title: title.into(), amount: "1000".into(), ..DealInput::default() };
        let annas = orbita_app::deals::create(&t.db, &as_anna, &deal_input("Окна"), None, None, None)
            .await
            .expect("deal");
        let boriss = orbita_app::deals::create(&t.db, &as_boris, &deal_input("Двери"), None, None, None)
            .await
            .expect("deal");
        // An event of forty days ago, for the period filter.
        let long_ago = orbita_domain::now() - chrono::Duration::days(40);
        let mut tx = t.db.begin().await.expect("begin");
        let old = NewAuditEvent {
            actor_id: Some(admin_id),
            ip: None,
            via: None,
            entity: AuditEntity::Deal.as_str(),
            entity_id: Some(annas.id.0),
            action: AuditAction::Update,
            changes: vec![FieldChange {
                field: "title".into(), before: Some("Старая".into()), after: None
            }],
        };
        orbita_storage::audit::insert(&mut tx, &old, long_ago).await.expect("old event");
        tx.commit().await.expect("commit");

        let mut admin = Browser::new(&t.db);
        admin.sign_in("admin@x.ru", PASSWORD).await;
        let all = admin.get("/admin/audit").await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.body);
        for entity in AuditEntity::ALL {
            assert!(all.body.contains(&format!("<option value=\"{entity}\"")), "{entity} is offered");
        }

        let deals = admin.get("/admin/audit?entity=deal").await;
        assert_eq!(audit_rows(&deals.body), ["Сделка", "Сделка", "Сделка"], "{}", t.name);
        for id in [annas.id, boriss.id] {
            assert!(deals.body.contains(&format!("href=\"/deals/{id}\"")), "{id}: {}", t.name);
        }
        assert!(!deals.body.contains(&format!("href=\"/companies/{}\"", company.id)));
        let companies = admin.get("/admin/audit?entity=company").await;
        assert_eq!(audit_rows(&companies.body), ["Компания"], "{}", t.name);
        assert!(audit_rows(&admin.get("/admin/audit?entity=summary_report").await.body).is_empty());

        let annas_events = admin.get(&format!("/admin/audit?user={anna}")).await;
        assert_eq!(audit_rows(&annas_events.body), ["Сделка", "Компания"], "newest first: {}", t.name);
        assert!(!annas_events.body.contains(&format!("href=\"/deals/{}\"", boriss.id)));

        let day =
            |days: i64| (orbita_domain::now() + chrono::Duration::days(days)).format("%Y-%m-%d").to_string();
        let recent = admin.get(&format!("/admin/audit?entity=deal&from={}", day(-10))).await;
        assert_eq!(audit_rows(&recent.body).len(), 2, "{}", t.name);
        assert!(!recent.body.contains("Старая"));
        let then = admin.get(&format!("/admin/audit?entity=deal&from={}&to={}", day(-41), day(-39))).await;
        assert_eq!(audit_rows(&then.body), ["Сделка"], "{}", t.name);
        assert!(then.body.contains("Старая"), "{}", t.name);
        t
    })
    .await;
}

#[test]
fn every_audit_entity_has_its_label_in_both_languages() {
    for entity in AuditEntity::ALL {
        let key = format!("entity-{}", entity.as_str().replace('_', "-"));
        for locale in [orbita_i18n::Locale::Ru, orbita_i18n::Locale::En] {
            assert!(orbita_i18n::has(locale, &key), "{key} is missing in {locale:?}");
        }
    }
}

/// Two groups to tick, by id.
async fn two_groups(t: &TestDb) -> [String; 2] {
    let mut tx = t.db.begin().await.expect("begin");
    let north =
        orbita_storage::users::insert_group(&mut tx, "North", orbita_domain::now()).await.expect("group");
    let south =
        orbita_storage::users::insert_group(&mut tx, "South", orbita_domain::now()).await.expect("group");
    tx.commit().await.expect("commit");
    [north.to_string(), south.to_string()]
}

async fn groups_of(t: &TestDb, user: UserId) -> Vec<String> {
    let mut ids = orbita_storage::users::groups_of(&t.db, user).await.expect("groups");
    ids.sort();
    ids.iter().map(|g| g.to_string()).collect()
}

/// The group boxes repeat the name `group`: the edit page saves none, one and two of them, and
/// the add-user form keeps the ticked ones (it used to answer 422 or drop them).
#[tokio::test]
async fn the_user_pages_save_none_one_and_two_groups() {
    let t = TestDb::sqlite().await;
    let mut admin = admin_browser(&t).await;
    let groups = two_groups(&t).await;
    let role = orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role").id.to_string();
    let gleb = with_user(&t.db, "gleb@x.ru", "manager").await;
    let path = format!("/admin/users/{gleb}");
    for ticked in [&groups[..0], &groups[..1], &groups[..]] {
        let mut fields =
            vec![("name", "Глеб"), ("email", "gleb@x.ru"), ("role_id", role.as_str()), ("active", "on")];
        fields.extend(ticked.iter().map(|g| ("group", g.as_str())));
        let saved = admin.post(&path, &fields).await;
        assert_eq!(saved.status, StatusCode::OK, "{ticked:?}: {}", saved.body);
        assert_eq!(groups_of(&t, gleb).await, ticked, "edit saves {ticked:?}");
    }
    // Deactivating a user keeps their groups.
    let fields = [
        ("name", "Глеб"),
        ("email", "gleb@x.ru"),
        ("role_id", &role),
        ("group", &groups[0]),
        ("group", &groups[1]),
    ];
    assert_eq!(admin.post(&path, &fields).await.status, StatusCode::OK);
    assert_eq!(groups_of(&t, gleb).await, groups);
    for (n, ticked) in [&groups[..0], &groups[..1], &groups[..]].into_iter().enumerate() {
        let email = format!("new{n}@x.ru");
        let mut fields = vec![
            ("name", "Новый"),
            ("email", email.as_str()),
            ("role_id", role.as_str()),
            ("password", PASSWORD),
        ];
        fields.extend(ticked.iter().map(|g| ("group", g.as_str())));
        let created = admin.post("/admin/users", &fields).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{ticked:?}: {}", created.body);
        let id = created.location().rsplit('/').next().and_then(|id| id.parse().ok()).expect("user id");
        assert_eq!(groups_of(&t, UserId(id)).await, ticked, "create saves {ticked:?}");
    }
}

/// The roles page offers only enforced scopes and says why a matrix is refused.
#[tokio::test]
async fn the_roles_page_refuses_changing_the_administrator_role_with_a_message() {
    let t = TestDb::sqlite().await;
    let mut admin = admin_browser(&t).await;
    let role = orbita_storage::users::role_by_key(&t.db, "administrator").await.expect("role").id;
    let refused = admin.post(&format!("/admin/roles/{role}"), &[("audit_log.view", "")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(
        refused.body.contains("cannot change") || refused.body.contains("не меняются"),
        "{}",
        refused.body
    );
}

/// Someone who manages users without holding every right is offered only the roles they may
/// give: the administrator's is not in their list (it would be refused), while a user's own
/// role stays shown on their form.
#[tokio::test]
async fn the_role_list_offers_only_roles_the_editor_may_give() {
    let t = TestDb::sqlite().await;
    let admin_id = with_user(&t.db, "admin@x.ru", "administrator").await;
    let admin = orbita_app::Access::load(&t.db, admin_id, None).await.expect("access");
    let role = orbita_app::admin::create_role(&t.db, &admin, "Кадры").await.expect("role");
    let mut grants = orbita_domain::access::Permissions::default();
    for action in [Action::View, Action::Create, Action::Edit] {
        grants.grant(Area::UsersAndSettings, action, Some(Scope::All));
    }
    orbita_app::admin::set_role_permissions(&t.db, &admin, role, &grants).await.expect("grants");
    let hr = with_user(&t.db, "hr@x.ru", "manager").await;
    let hr_user = orbita_storage::users::get(&t.db, hr).await.expect("user");
    let edit = orbita_app::admin::UserEdit {
        email: hr_user.email.as_str(),
        name: &hr_user.name,
        role_id: role,
        is_active: true,
        locale: None,
        groups: &[],
    };
    orbita_app::admin::update_user(&t.db, &admin, hr, &edit).await.expect("hr role");
    let mut browser = Browser::new(&t.db);
    browser.sign_in("hr@x.ru", PASSWORD).await;
    let administrator =
        orbita_storage::users::role_by_key(&t.db, "administrator").await.expect("role").id.to_string();
    let offered = |body: &str| body.contains(&format!("<option value=\"{administrator}\""));
    let page = browser.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!offered(&page.body), "the administrator's role is not offered");
    assert!(page.body.contains("Кадры"), "their own role is");
    let form = browser.get(&format!("/admin/users/{admin_id}")).await;
    assert!(offered(&form.body), "an administrator's form still shows their role");
}

/// The background jobs tab: a dead job with its error and a "Retry" that queues it again.
#[tokio::test]
async fn an_administrator_sees_a_dead_job_and_retries_it() {
    let t = TestDb::sqlite().await;
    let mut admin = admin_browser(&t).await;
    let mut tx = t.db.begin().await.expect("begin");
    let job = orbita_storage::jobs::NewJob {
        kind: "custom_field_indexes",
        payload: "{\"field_id\": \"x\"}",
        run_at: orbita_domain::now(),
        max_attempts: 1,
        unique_key: None,
    };
    let id =
        orbita_storage::jobs::enqueue(&mut tx, &job, orbita_domain::now()).await.expect("job").expect("id");
    tx.commit().await.expect("commit");
    orbita_app::jobs::run_due(&t.db, "worker-1").await.expect("run");
    let page = admin.get("/admin/jobs").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Индексы пользовательского поля") && page.body.contains("Остановлена"),
        "the dead job"
    );
    assert!(page.body.contains(&format!("/admin/jobs/{id}/retry")), "its retry button");
    let retried = admin.post(&format!("/admin/jobs/{id}/retry"), &[]).await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER);
    let job = orbita_storage::jobs::get(&t.db, id).await.expect("get").expect("job");
    assert_eq!(job.state, orbita_domain::job::JobState::Queued);
    let manager = with_user(&t.db, "m@x.ru", "manager").await;
    let _ = manager;
    let mut m = Browser::new(&t.db);
    m.sign_in("m@x.ru", PASSWORD).await;
    assert_eq!(m.get("/admin/jobs").await.status, StatusCode::FORBIDDEN);
}
