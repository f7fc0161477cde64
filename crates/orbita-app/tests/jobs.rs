//! The job queue through the application, on SQLite and PostgreSQL: marking a custom field
//! indexed queues the building of its indexes, which a worker then does; a job that cannot be
//! done fails and, out of attempts, is dead with its error.

use orbita_app::{Access, RequestContext, custom_fields, jobs, users};
use orbita_domain::custom::CustomFieldInput;
use orbita_domain::job::JobState;
use orbita_domain::kind::RecordKind;
use orbita_domain::{UserId, now};
use orbita_storage::Db;
use orbita_storage::jobs::{self as queue, NewJob};
use orbita_testkit::on_both;

async fn administrator(db: &Db) -> Access {
    orbita_app::setup::bootstrap(db).await.expect("bootstrap");
    let id: UserId = users::create_user(
        db,
        &RequestContext::system(),
        "admin@x.ru",
        "Админ",
        "administrator",
        "a good long password",
    )
    .await
    .expect("user");
    Access::load(db, id, None).await.expect("access")
}

#[tokio::test]
async fn an_indexed_field_gets_its_indexes_from_a_job() {
    on_both(|t| async move {
        let admin = administrator(&t.db).await;
        let input = CustomFieldInput {
            key: "window_type".into(),
            ty: "list".into(),
            label_ru: "Тип окна".into(),
            label_en: "Window type".into(),
            options: vec!["ПВХ".into(), "Дерево".into()],
            indexed: true,
            ..Default::default()
        };
        let field = custom_fields::add(&t.db, &admin, RecordKind::Deal, &input).await.expect("field");
        let built = || orbita_storage::custom_fields::indexes_built(&t.db, &field);
        assert!(!built().await.expect("built?"), "{}: not inside the administrator's save", t.name);
        let queued = queue::list(&t.db, &[JobState::Queued], 10).await.expect("queued");
        assert_eq!(
            queued.iter().map(|j| j.kind.as_str()).collect::<Vec<_>>(),
            ["custom_field_indexes"],
            "{}",
            t.name
        );
        assert_eq!(jobs::run_due(&t.db, "worker-1").await.expect("run"), 1, "{}", t.name);
        assert!(built().await.expect("built?"), "{}: the worker built them", t.name);
        let done = queue::list(&t.db, &[JobState::Done], 10).await.expect("done");
        assert_eq!(done.len(), 1, "{}", t.name);
        assert_eq!(jobs::run_due(&t.db, "worker-1").await.expect("run"), 0, "{}: nothing left", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_job_that_cannot_be_done_ends_dead_with_its_error() {
    on_both(|t| async move {
        let mut tx = t.db.begin().await.expect("begin");
        let unknown =
            NewJob { kind: "send_rockets", payload: "{}", run_at: now(), max_attempts: 1, unique_key: None };
        let id = queue::enqueue(&mut tx, &unknown, now()).await.expect("enqueue").expect("id");
        let flaky =
            NewJob { kind: "send_rockets", payload: "{}", run_at: now(), max_attempts: 3, unique_key: None };
        let waits = queue::enqueue(&mut tx, &flaky, now()).await.expect("enqueue").expect("id");
        tx.commit().await.expect("commit");
        assert_eq!(jobs::run_due(&t.db, "worker-1").await.expect("run"), 2, "{}", t.name);
        let dead = queue::get(&t.db, id).await.expect("get").expect("job");
        assert_eq!(dead.state, JobState::Dead, "{}", t.name);
        assert!(dead.last_error.as_deref().unwrap_or("").contains("send_rockets"), "{}: {dead:?}", t.name);
        // With attempts left it waits, a little less than 30 s (the first pause, with jitter).
        let waiting = queue::get(&t.db, waits).await.expect("get").expect("job");
        let pause = waiting.run_at - waiting.updated_at;
        assert_eq!(waiting.state, JobState::Failed, "{}", t.name);
        assert!(
            pause > chrono::Duration::seconds(22) && pause <= chrono::Duration::seconds(30),
            "{}: {pause}",
            t.name
        );
        t
    })
    .await;
}

/// The worker every instance runs: it does what is queued without being asked, and when told
/// to stop it finishes and lets go, holding no job.
#[tokio::test]
async fn the_worker_runs_queued_jobs_and_stops_cleanly() {
    on_both(|t| async move {
        let admin = administrator(&t.db).await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker =
            tokio::spawn(jobs::work(t.db.clone(), "worker-7".into(), Default::default(), async move {
                let _ = stopped.await;
            }));
        let input = CustomFieldInput {
            key: "contract_no".into(),
            ty: "text".into(),
            label_ru: "Договор".into(),
            label_en: "Contract".into(),
            indexed: true,
            ..Default::default()
        };
        let field = custom_fields::add(&t.db, &admin, RecordKind::Company, &input).await.expect("field");
        let mut built = false;
        for _ in 0..100 {
            if orbita_storage::custom_fields::indexes_built(&t.db, &field).await.expect("built?") {
                built = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(built, "{}: the worker built the indexes", t.name);
        stop.send(()).expect("stop");
        tokio::time::timeout(std::time::Duration::from_secs(10), worker)
            .await
            .expect("stopped")
            .expect("worker");
        let running = queue::list(&t.db, &[JobState::Running], 10).await.expect("running");
        assert!(running.is_empty(), "{}: nothing left leased", t.name);
        t
    })
    .await;
}
