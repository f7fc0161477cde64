//! "My day", the home page, on both databases: a manager's tasks, meetings, deals without a
//! next step and stuck deals counted exactly (the next steps kept by the triggers on tasks and
//! activities as they are added, done and removed); a head of sales sees their team's figures,
//! not another team's; one click on "done" from the page.

mod support;

use axum::http::StatusCode;
use chrono::{Days, Duration};
use orbita_app::{Access, deals, my_day};
use orbita_domain::activity::{ActivityInput, ActivityKind, ActivityStatus};
use orbita_domain::deal::{DealInput, move_to_stage};
use orbita_domain::local_time::day_start;
use orbita_domain::pipeline::StageKind;
use orbita_domain::task::TaskInput;
use orbita_domain::{Timestamp, UserId, now};
use orbita_testkit::on_both;
use support::{Browser, PASSWORD, hidden_value, with_user};

/// A moment later today in the organisation's zone (Moscow), whatever the hour now.
fn later_today(at: Timestamp) -> Timestamp {
    let zone = chrono_tz::Europe::Moscow;
    let tomorrow = day_start(at.with_timezone(&zone).date_naive() + Days::new(1), &zone);
    at + (tomorrow - at) / 2
}

fn task(title: &str, who: UserId, due: Timestamp, deal: Option<orbita_domain::DealId>) -> TaskInput {
    TaskInput {
        title: title.into(),
        description: String::new(),
        due_at: Some(due),
        assignee_id: who,
        priority: None,
        company_id: None,
        contact_id: None,
        deal_id: deal,
    }
}

#[tokio::test]
async fn my_day_counts_a_managers_work_and_a_head_sees_the_team() {
    on_both(|t| async move {
        let db = &t.db;
        let m1 = with_user(db, "m1@x.ru", "manager").await;
        let head = orbita_app::users::create_user(
            db,
            &orbita_app::RequestContext::system(),
            "head@x.ru",
            "Head",
            "head_of_sales",
            PASSWORD,
        )
        .await
        .expect("head");
        let m2 = orbita_app::users::create_user(
            db,
            &orbita_app::RequestContext::system(),
            "m2@x.ru",
            "Other",
            "manager",
            PASSWORD,
        )
        .await
        .expect("m2");
        let mut tx = db.begin().await.expect("begin");
        let a = orbita_storage::users::insert_group(&mut tx, "Team A", now()).await.expect("group");
        let b = orbita_storage::users::insert_group(&mut tx, "Team B", now()).await.expect("group");
        for (group, user) in [(a, head), (a, m1), (b, m2)] {
            orbita_storage::users::add_to_group(&mut tx, group, user, now()).await.expect("member");
        }
        tx.commit().await.expect("commit");
        let manager = Access::load(db, m1, None).await.expect("access");
        let other = Access::load(db, m2, None).await.expect("access");
        let at = now();
        let deal = |title: &'static str, who: &Access| {
            let input = DealInput { title: title.into(), amount: "1000".into(), ..DealInput::default() };
            let who = who.clone();
            async move { deals::create(db, &who, &input, None, None, None).await.expect("deal") }
        };
        let windows = deal("Окна Иванову", &manager).await;
        let balcony = deal("Балкон Петрову", &manager).await;
        let old = deal("Застрявшая сделка", &manager).await;
        deal("Чужая сделка", &other).await;

        // Balcony has a task today, windows a call planned today; the old one nothing, and it
        // entered its stage three weeks ago.
        let today = later_today(at);
        let call = orbita_app::tasks::create(
            db,
            &manager,
            &task("Перезвонить по балкону", m1, today, Some(balcony.id)),
        )
        .await
        .expect("task");
        orbita_app::tasks::create(db, &manager, &task("Отправить КП", m1, at - Duration::hours(30), None))
            .await
            .expect("task");
        let meeting = ActivityInput {
            kind: ActivityKind::Meeting,
            direction: None,
            status: Some(ActivityStatus::Planned),
            occurred_at: today,
            duration_minutes: Some(60),
            subject: "Замер окон".into(),
            responsible_id: m1,
            company_id: None,
            contact_id: None,
            deal_id: Some(windows.id),
        };
        orbita_app::activities::log(db, &manager, &meeting, None).await.expect("meeting");
        let (_, stages) = deals::pipelines_and_stages(db).await.expect("stages");
        let second = stages.iter().filter(|s| s.kind == StageKind::Open).nth(1).expect("stage");
        let three_weeks_ago = at - Duration::days(21);
        let moved = move_to_stage(second, "", three_weeks_ago).expect("move");
        let mut tx = db.begin().await.expect("begin");
        orbita_storage::deals::move_stage(&mut tx, &old, &moved, Some(m1), three_weeks_ago)
            .await
            .expect("moved");
        tx.commit().await.expect("commit");

        let day = my_day::load(db, &manager, at).await.expect("my day");
        let f = &day.figures;
        assert_eq!(
            (f.overdue_tasks, f.today_tasks, f.without_next_step, f.stuck),
            (1, 1, 1, 1),
            "{}",
            t.name
        );
        assert_eq!(day.without_next_step.iter().map(|d| d.id).collect::<Vec<_>>(), [old.id], "{}", t.name);
        assert_eq!(day.stuck.iter().map(|d| d.id).collect::<Vec<_>>(), [old.id], "{}", t.name);
        assert_eq!(day.meetings.len(), 1, "{}", t.name);
        assert!(day.team.is_none(), "{}: a manager has no team", t.name);

        // Done, the balcony's task leaves it without a next step; the page's own button.
        let mut browser = Browser::new(db);
        browser.sign_in("m1@x.ru", PASSWORD).await;
        let page = browser.get("/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", t.name);
        for text in ["Мой день", "Перезвонить по балкону", "Отправить КП", "Замер окон", "Застрявшая сделка"]
        {
            assert!(page.body.contains(text), "{}: {text} on the page", t.name);
        }
        assert!(!page.body.contains("Чужая сделка"), "{}", t.name);
        let csrf = hidden_value(&page.body, "csrf_token").expect("csrf");
        let done = browser
            .post_raw(&format!("/tasks/{}/done", call.id), &[("csrf_token", &csrf), ("return_to", "/")])
            .await;
        assert!(done.status.is_redirection(), "{}: {}", t.name, done.status);
        let day = my_day::load(db, &manager, now()).await.expect("my day");
        assert_eq!((day.figures.today_tasks, day.figures.without_next_step), (0, 2), "{}", t.name);

        // The head: their team (themselves and m1), not team B's manager.
        let head_access = Access::load(db, head, None).await.expect("access");
        let day = my_day::load(db, &head_access, now()).await.expect("head's day");
        let team = day.team.expect("a head has a team");
        let names: Vec<&str> = team.rows.iter().map(|r| r.name.as_str()).collect();
        assert!(
            names.contains(&"Head") && names.contains(&"m1@x.ru") && !names.contains(&"Other"),
            "{names:?}"
        );
        let row = team.rows.iter().find(|r| r.user_id == m1).expect("m1's row");
        assert_eq!((row.figures.overdue_tasks, row.figures.without_next_step, row.figures.stuck), (1, 2, 1));
        assert_eq!(team.pipeline.iter().map(|s| s.count).sum::<i64>(), 3, "{}: team A's open deals", t.name);
        let mut browser = Browser::new(db);
        browser.sign_in("head@x.ru", PASSWORD).await;
        let page = browser.get("/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", t.name);
        assert!(page.body.contains("Команда") && page.body.contains("m1@x.ru"), "{}", t.name);
        assert!(!page.body.contains(">Other<"), "{}", t.name);
        t
    })
    .await;
}
