//! Notifications through the application, on SQLite and PostgreSQL: a task given to someone
//! else tells them (not when they took it themselves), a task handed over tells its new
//! assignee, a task that falls overdue tells its assignee once (again after a new deadline),
//! and each user reads and marks only their own.

use chrono::Duration;
use orbita_app::tasks::TaskChange;
use orbita_app::{Access, AppError, RequestContext, notifications, tasks, users};
use orbita_domain::notification::NotificationKind;
use orbita_domain::task::TaskInput;
use orbita_domain::{UserId, now};
use orbita_storage::Db;
use orbita_testkit::on_both;

async fn person(db: &Db, email: &str, role: &str) -> Access {
    let id: UserId =
        users::create_user(db, &RequestContext::system(), email, email, role, "a good long password")
            .await
            .expect("user");
    Access::load(db, id, None).await.expect("access")
}

fn task(title: &str, assignee: UserId, due_in: Option<Duration>) -> TaskInput {
    TaskInput {
        title: title.into(),
        description: String::new(),
        due_at: due_in.map(|d| now() + d),
        assignee_id: assignee,
        priority: None,
        company_id: None,
        contact_id: None,
        deal_id: None,
    }
}

async fn kinds(db: &Db, who: &Access) -> Vec<(NotificationKind, String)> {
    let items = notifications::list(db, who, true, None, 50).await.expect("list");
    items.into_iter().map(|n| (n.kind, n.subject)).collect()
}

#[tokio::test]
async fn assignees_are_told_of_tasks_given_to_them_and_of_their_overdue_ones_once() {
    on_both(|t| async move {
        orbita_app::setup::bootstrap(&t.db).await.expect("bootstrap");
        let head = person(&t.db, "head@x.ru", "administrator").await;
        let manager = person(&t.db, "m@x.ru", "manager").await;

        tasks::create(&t.db, &manager, &task("Своя", manager.user_id(), None)).await.expect("own task");
        assert!(kinds(&t.db, &manager).await.is_empty(), "{}: not told of their own doing", t.name);
        let given =
            tasks::create(&t.db, &head, &task("Позвонить", manager.user_id(), Some(Duration::hours(2))))
                .await
                .expect("task");
        assert_eq!(
            kinds(&t.db, &manager).await,
            [(NotificationKind::TaskAssigned, "Позвонить".to_owned())],
            "{}",
            t.name
        );
        assert_eq!(notifications::unread_count(&t.db, &manager).await.expect("count"), 1, "{}", t.name);
        assert!(kinds(&t.db, &head).await.is_empty(), "{}", t.name);

        // Handed back to the head by the head: nobody is told; handed to the manager again: told.
        let back = TaskChange {
            fields: Some(task("Позвонить", head.user_id(), None)),
            ..TaskChange::default()
        };
        tasks::change(&t.db, &head, given.id, &back, None).await.expect("back");
        assert!(kinds(&t.db, &head).await.is_empty(), "{}", t.name);
        let again = TaskChange {
            fields: Some(task("Позвонить снова", manager.user_id(), None)),
            ..TaskChange::default()
        };
        tasks::change(&t.db, &head, given.id, &again, None).await.expect("again");
        assert_eq!(kinds(&t.db, &manager).await.len(), 2, "{}", t.name);

        // Another user's notification is not found; marking all read empties the bell.
        let first = notifications::list(&t.db, &manager, false, None, 1).await.expect("list").remove(0);
        assert!(
            matches!(notifications::get(&t.db, &head, first.id).await, Err(AppError::NotFound)),
            "{}",
            t.name
        );
        assert_eq!(
            notifications::mark_read(&t.db, &head, Some(first.id)).await.expect("mark"),
            0,
            "{}",
            t.name
        );
        assert_eq!(
            notifications::mark_read(&t.db, &manager, Some(first.id)).await.expect("mark"),
            1,
            "{}",
            t.name
        );
        notifications::mark_read(&t.db, &manager, None).await.expect("all");
        assert_eq!(notifications::unread_count(&t.db, &manager).await.expect("count"), 0, "{}", t.name);

        // Overdue: one due an hour ago is told once; one overdue for days is old news.
        let late =
            tasks::create(&t.db, &manager, &task("Просрочена", manager.user_id(), Some(Duration::hours(-1))))
                .await
                .expect("late");
        tasks::create(&t.db, &manager, &task("Давно", manager.user_id(), Some(Duration::days(-3))))
            .await
            .expect("old");
        tasks::create(&t.db, &manager, &task("Впереди", manager.user_id(), Some(Duration::hours(1))))
            .await
            .expect("ahead");
        assert_eq!(notifications::scan_overdue(&t.db, now()).await.expect("scan").assignees, 1, "{}", t.name);
        assert_eq!(
            notifications::scan_overdue(&t.db, now()).await.expect("scan").assignees,
            0,
            "{}: once",
            t.name
        );
        assert_eq!(
            kinds(&t.db, &manager).await,
            [(NotificationKind::TaskOverdue, "Просрочена".to_owned())],
            "{}",
            t.name
        );
        // The clock moves on: the one ahead falls due and is told.
        assert_eq!(
            notifications::scan_overdue(&t.db, now() + Duration::hours(2)).await.expect("scan").assignees,
            1,
            "{}",
            t.name
        );

        // A new deadline that passes again tells again; a done task never.
        let moved = TaskChange {
            fields: Some(task("Просрочена", manager.user_id(), Some(Duration::minutes(-5)))),
            ..TaskChange::default()
        };
        tasks::change(&t.db, &manager, late.id, &moved, None).await.expect("moved");
        assert_eq!(notifications::scan_overdue(&t.db, now()).await.expect("scan").assignees, 1, "{}", t.name);
        tasks::set_done(&t.db, &manager, late.id, true).await.expect("done");
        let retimed = TaskChange {
            fields: Some(task("Просрочена", manager.user_id(), Some(Duration::minutes(-10)))),
            ..TaskChange::default()
        };
        tasks::change(&t.db, &manager, late.id, &retimed, None).await.expect("retimed");
        assert_eq!(
            notifications::scan_overdue(&t.db, now()).await.expect("scan").assignees,
            0,
            "{}: done",
            t.name
        );
        t
    })
    .await;
}

#[tokio::test]
async fn a_task_overdue_for_the_delay_is_reported_to_the_heads_of_the_assignees_group() {
    on_both(|t| async move {
        orbita_app::setup::bootstrap(&t.db).await.expect("bootstrap");
        let admin = person(&t.db, "admin@x.ru", "administrator").await;
        let head = person(&t.db, "head@x.ru", "head_of_sales").await;
        let other_head = person(&t.db, "other@x.ru", "head_of_sales").await;
        let manager = person(&t.db, "m@x.ru", "manager").await;
        let team = orbita_app::admin::create_group(&t.db, &admin, "Отдел продаж").await.expect("group");
        let mut tx = t.db.begin().await.expect("begin");
        for member in [head.user_id(), manager.user_id()] {
            orbita_storage::users::add_to_group(&mut tx, team, member, now()).await.expect("member");
        }
        tx.commit().await.expect("commit");

        let late = task("Замер у Смирновых", manager.user_id(), Some(Duration::minutes(-10)));
        tasks::create(&t.db, &manager, &late).await.expect("late");
        let first = notifications::scan_overdue(&t.db, now()).await.expect("scan");
        assert_eq!((first.assignees, first.escalated), (1, 0), "{}: the head only after the delay", t.name);
        let later = notifications::scan_overdue(&t.db, now() + Duration::minutes(55)).await.expect("scan");
        assert_eq!((later.assignees, later.escalated), (0, 1), "{}", t.name);
        let told = kinds(&t.db, &head).await;
        assert_eq!(told.len(), 1, "{}", t.name);
        assert_eq!(told[0].0, NotificationKind::TeamTaskOverdue, "{}", t.name);
        assert!(told[0].1.starts_with("Замер у Смирновых — "), "{}: {:?}", t.name, told[0]);
        assert!(kinds(&t.db, &other_head).await.is_empty(), "{}: not their team", t.name);
        let again = notifications::scan_overdue(&t.db, now() + Duration::minutes(90)).await.expect("scan");
        assert_eq!(again, notifications::Scanned::default(), "{}: once", t.name);
        t
    })
    .await;
}
