//! The tasks list: company names instead of numbers, "done in a period" and "overdue" filters,
//! and the summary report's task figures landing on exactly those lists; the report's group
//! picker for a head of sales.

mod support;

use axum::http::StatusCode;
use chrono::{Duration, TimeZone, Utc};
use orbita_app::Access;
use orbita_domain::company::CompanyInput;
use orbita_domain::task::{Task, TaskInput};
use orbita_domain::{CompanyId, Timestamp, UserId};
use orbita_testkit::{TestDb, on_both};
use support::{Browser, PASSWORD, with_user};

async fn task(
    t: &TestDb,
    access: &Access,
    title: &str,
    due: Option<Timestamp>,
    company: Option<CompanyId>,
) -> Task {
    let input = TaskInput {
        title: title.into(),
        description: String::new(),
        due_at: due,
        assignee_id: access.user_id(),
        priority: None,
        company_id: company,
        contact_id: None,
        deal_id: None,
    };
    orbita_app::tasks::create(&t.db, access, &input).await.expect("task")
}

/// Marks a task done at a given moment (the service stamps "now").
async fn done_at(t: &TestDb, task: &Task, at: Timestamp) {
    let mut tx = t.db.begin().await.expect("tx");
    orbita_storage::tasks::set_done(&mut tx, task.id, Some(at), at).await.expect("done");
    tx.commit().await.expect("commit");
}

/// The `href` of the first link whose URL contains `marker`, HTML-unescaped.
fn link_with(html: &str, marker: &str) -> Option<String> {
    html.split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap_or_default())
        .find(|h| h.contains(marker))
        .map(|h| h.replace("&amp;", "&").replace("&#38;", "&"))
}

#[tokio::test]
async fn tasks_show_company_names_and_filter_by_done_period_and_overdue() {
    on_both(|t| async move {
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let access = Access::load(&t.db, anna, None).await.expect("access");
        let input = CompanyInput { name: "Ромашка".into(), ..CompanyInput::default() };
        let company = orbita_app::companies::create(&t.db, &access, &input, None).await.expect("company");
        let now = orbita_domain::now();
        task(&t, &access, "Позвонить в Ромашку", Some(now + Duration::days(2)), Some(company.id)).await;
        task(&t, &access, "Просроченная", Some(now - Duration::days(2)), None).await;
        let october = task(&t, &access, "Сделана в октябре", None, None).await;
        let september = task(&t, &access, "Сделана в сентябре", None, None).await;
        done_at(&t, &october, Utc.with_ymd_and_hms(2026, 10, 15, 9, 0, 0).single().expect("t")).await;
        done_at(&t, &september, Utc.with_ymd_and_hms(2026, 9, 15, 9, 0, 0).single().expect("t")).await;

        let mut browser = Browser::new(&t.db);
        browser.sign_in("anna@x.ru", PASSWORD).await;
        let open = browser.get("/tasks").await;
        assert_eq!(open.status, StatusCode::OK);
        assert!(open.body.contains(">Ромашка<"), "{}: the company's name, not its number", t.name);
        assert!(!open.body.contains(&format!("#{}", company.id)));

        let overdue = browser.get("/tasks?overdue=1").await;
        assert!(overdue.body.contains("Просроченная") && !overdue.body.contains("Позвонить в Ромашку"));

        let period = browser.get("/tasks?status=done&done_from=2026-10-01&done_to=2026-10-31").await;
        assert_eq!(period.status, StatusCode::OK);
        assert!(period.body.contains("Сделана в октябре"), "{}", t.name);
        assert!(!period.body.contains("Сделана в сентябре"));
        assert!(period.body.contains("value=\"2026-10-01\""), "the filter shows its days");
        let all_done = browser.get("/tasks?status=done").await;
        assert!(all_done.body.contains("Сделана в октябре") && all_done.body.contains("Сделана в сентябре"));
        t
    })
    .await;
}

#[tokio::test]
async fn the_summary_reports_task_figures_open_the_lists_of_those_tasks() {
    on_both(|t| async move {
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let access = Access::load(&t.db, anna, None).await.expect("access");
        let now = orbita_domain::now();
        task(&t, &access, "Просроченная", Some(now - Duration::days(2)), None).await;
        task(&t, &access, "Будущая", Some(now + Duration::days(2)), None).await;
        let october = task(&t, &access, "Сделана в октябре", None, None).await;
        let september = task(&t, &access, "Сделана в сентябре", None, None).await;
        done_at(&t, &october, Utc.with_ymd_and_hms(2026, 10, 15, 9, 0, 0).single().expect("t")).await;
        done_at(&t, &september, Utc.with_ymd_and_hms(2026, 9, 15, 9, 0, 0).single().expect("t")).await;

        let mut browser = Browser::new(&t.db);
        browser.sign_in("anna@x.ru", PASSWORD).await;
        let report = browser.get("/reports?from=2026-10-01&to=2026-10-31").await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.body);
        let done_href = link_with(&report.body, "done_from=").expect("a link behind tasks done");
        assert!(done_href.contains("done_to=2026-10-31"), "{done_href}");
        let done = browser.get(&done_href).await;
        assert!(
            done.body.contains("Сделана в октябре") && !done.body.contains("Сделана в сентябре"),
            "{} {done_href} {:?}",
            t.name,
            done.status
        );
        let overdue_href = link_with(&report.body, "overdue=1").expect("a link behind overdue tasks");
        let overdue = browser.get(&overdue_href).await;
        assert!(
            overdue.body.contains("Просроченная") && !overdue.body.contains("Будущая"),
            "{} {overdue_href}: {}",
            t.name,
            overdue.body
        );
        t
    })
    .await;
}

#[tokio::test]
async fn a_head_of_sales_narrows_the_report_to_one_of_their_groups() {
    on_both(|t| async move {
        let head = with_user(&t.db, "head@x.ru", "head_of_sales").await;
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let now = orbita_domain::now();
        let mut tx = t.db.begin().await.expect("tx");
        let north = orbita_storage::users::insert_group(&mut tx, "Север", now).await.expect("group");
        orbita_storage::users::insert_group(&mut tx, "Юг", now).await.expect("group");
        for member in [head, anna] {
            orbita_storage::users::add_to_group(&mut tx, north, member, now).await.expect("member");
        }
        tx.commit().await.expect("commit");
        let mut browser = Browser::new(&t.db);
        browser.sign_in("head@x.ru", PASSWORD).await;
        let report = browser.get("/reports").await;
        assert_eq!(report.status, StatusCode::OK);
        assert!(report.body.contains("name=\"group\""), "{}: the picker is there", t.name);
        assert!(report.body.contains(">Север<") && !report.body.contains(">Юг<"), "only the head's groups");
        let narrowed = browser.get(&format!("/reports?group={north}")).await;
        assert_eq!(narrowed.status, StatusCode::OK);

        let mut manager = Browser::new(&t.db);
        manager.sign_in("anna@x.ru", PASSWORD).await;
        let own = manager.get("/reports").await;
        assert!(!own.body.contains("name=\"group\""), "a manager sees only their own figures");
        let _: UserId = anna;
        t
    })
    .await;
}
