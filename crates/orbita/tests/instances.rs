//! Three `orbita serve` instances on one PostgreSQL database, as a company that outgrows one
//! machine runs them: 1,000 jobs queued at once each run exactly once across the three; a job
//! whose instance is killed mid-delivery runs again on another once its lease is over; a job
//! that cannot be done ends dead and an administrator reads it, with its error, from any
//! instance.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Child;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use orbita_app::api_tokens::TokenInput;
use orbita_app::jobs::{self, Work};
use orbita_app::webhooks::Outbound;
use orbita_app::{Access, RequestContext, api_tokens, users};
use orbita_domain::job::JobState;
use orbita_domain::now;
use orbita_domain::webhook::WebhookInput;
use orbita_storage::Db;
use orbita_storage::jobs::{self as queue, NewJob};
use support::{TestDatabase, request, start_server_with};

const KEY: &str = "a secret key of at least thirty-two characters";
const JOBS: usize = 1_000;

/// Waits until `done` holds, checking every 100 ms, for at most `limit`.
async fn wait_for<F: std::future::Future<Output = bool>>(
    limit: Duration,
    what: &str,
    mut done: impl FnMut() -> F,
) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn count(db: &Db, state: JobState) -> i64 {
    let counts = queue::count_by_state(db).await.expect("counts");
    counts.into_iter().find(|(s, _)| *s == state).map_or(0, |(_, n)| n)
}

/// A receiver that holds the first request open without answering (its sender is killed
/// meanwhile) and answers 200 to the rest; each request's head goes down the channel.
fn receiver() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let (heads, received) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 8192];
            let read = stream.read(&mut buffer).unwrap_or(0);
            let _ = heads.send(String::from_utf8_lossy(&buffer[..read]).into_owned());
            if n == 0 {
                held.push(stream);
            } else {
                let _ =
                    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
        }
    });
    (address, received)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_run_each_job_once_and_a_killed_instances_job_runs_again_elsewhere() {
    let Some(database) = TestDatabase::postgres("instances").await else {
        eprintln!("ORBITA_TEST_POSTGRES_URL is not set: the several-instances test was skipped");
        return;
    };
    let db = database.open().await;
    db.migrate().await.expect("migrate");
    orbita_app::setup::bootstrap(&db).await.expect("bootstrap");
    let admin_id = users::create_user(
        &db,
        &RequestContext::system(),
        "admin@x.ru",
        "Админ",
        "administrator",
        "a good long password",
    )
    .await
    .expect("admin");
    let admin = Access::load(&db, admin_id, None).await.expect("access");
    let input = TokenInput { name: "ops".into(), scope: "read_write".into(), expires_on: String::new() };
    let token = api_tokens::create(&db, &admin, &input).await.expect("token").secret;

    let env = [("ORBITA_SECRET_KEY", KEY), ("ORBITA_WEBHOOKS_ALLOW_PRIVATE", "1")];
    let mut instances: Vec<(Child, String)> = (0..3)
        .map(|_| {
            let (child, address, _) = start_server_with(&database.url, &[], &env);
            (child, address)
        })
        .collect();

    // 1,000 jobs queued in one write: the three workers take them together.
    let mut tx = db.begin().await.expect("tx");
    for _ in 0..JOBS {
        jobs::enqueue_in(&mut tx, &Work::NotificationMail { user_id: admin_id.0 }, now())
            .await
            .expect("queue");
    }
    tx.commit().await.expect("commit");
    wait_for(Duration::from_secs(90), "1,000 jobs done", || async {
        count(&db, JobState::Done).await == JOBS as i64
    })
    .await;
    let done = queue::list(&db, &[JobState::Done], JOBS as u64 + 10).await.expect("done");
    assert_eq!(done.len(), JOBS);
    // A claim counts an attempt: a job taken by two workers would show two.
    let twice: Vec<i64> = done.iter().filter(|j| j.attempts != 1).map(|j| j.id).collect();
    assert!(twice.is_empty(), "jobs run more than once: {twice:?}");

    // A delivery whose instance dies mid-request: another instance delivers it once its lease
    // is over (the lease is moved into the past here, as ten minutes passing would).
    let (receiver_address, heads) = receiver();
    let outbound = Outbound::new(Some(KEY), true).expect("key");
    let hook = WebhookInput {
        url: format!("http://{receiver_address}/hook"),
        events: vec!["company.created".into()],
        description: String::new(),
        active: Some(true),
    };
    let (hook, _) = orbita_app::webhooks::create(&db, &admin, &outbound, &hook).await.expect("webhook");
    let work = Work::Webhook {
        webhook_id: hook.id,
        event: "company.created".into(),
        occurred_at: now().to_rfc3339(),
        data: serde_json::json!({"id": 1}),
    };
    let mut tx = db.begin().await.expect("tx");
    jobs::enqueue_in(&mut tx, &work, now()).await.expect("queue");
    tx.commit().await.expect("commit");
    let first = heads.recv_timeout(Duration::from_secs(30)).expect("the first delivery arrives");
    assert!(first.starts_with("POST /hook"), "{first}");
    let running = queue::list(&db, &[JobState::Running], 10).await.expect("running");
    let job = running.iter().find(|j| j.kind == "webhook").expect("the delivery is running");
    let holder = job.locked_by.clone().expect("held");
    let pid: u32 = holder.split('-').nth(1).and_then(|p| p.parse().ok()).expect("worker names its process");
    let at = instances.iter().position(|(child, _)| child.id() == pid).expect("one of ours holds it");
    let (mut killed, _) = instances.remove(at);
    killed.kill().expect("SIGKILL");
    killed.wait().expect("reaped");
    let admin_pool = sqlx::PgPool::connect(&database.url).await.expect("connect");
    sqlx::query("UPDATE jobs SET locked_until = $1 WHERE id = $2")
        .bind(now() - Duration::from_secs(1))
        .bind(job.id)
        .execute(&admin_pool)
        .await
        .expect("lease over");
    admin_pool.close().await;
    let second = heads.recv_timeout(Duration::from_secs(30)).expect("delivered again");
    assert!(second.contains("x-orbita-signature: t="), "{second}");
    let id = job.id;
    wait_for(Duration::from_secs(30), "the delivery done", || async {
        queue::get(&db, id).await.expect("job").is_some_and(|j| j.state == JobState::Done)
    })
    .await;
    assert_eq!(queue::get(&db, id).await.expect("job").expect("job").attempts, 2);

    // A job no instance can do ends dead; any instance shows it to an administrator.
    let mut tx = db.begin().await.expect("tx");
    let rockets =
        NewJob { kind: "send_rockets", payload: "{}", run_at: now(), max_attempts: 1, unique_key: None };
    queue::enqueue(&mut tx, &rockets, now()).await.expect("queue");
    tx.commit().await.expect("commit");
    wait_for(Duration::from_secs(30), "the dead job", || async { count(&db, JobState::Dead).await == 1 })
        .await;
    let bearer = format!("Bearer {token}");
    for (_, address) in &instances {
        let dead = request(address, "GET", "/api/v1/jobs?state=dead", &[("Authorization", &bearer)], "");
        assert_eq!(dead.status, 200, "{}", dead.body);
        assert!(dead.body.contains("send_rockets"), "{}", dead.body);
        assert!(dead.body.contains("cannot read the work"), "{}", dead.body);
    }

    for (mut child, _) in instances {
        support::terminate(&mut child);
    }
    db.close().await;
    database.drop_database().await;
}
