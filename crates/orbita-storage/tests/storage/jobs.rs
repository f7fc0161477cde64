//! The job queue on both databases: a job is claimed by one worker only, even by three at
//! once; a lease that runs out lets another take the job; failures wait, the last one is dead
//! until retried; a firing's key queues it once.

use std::collections::HashSet;

use chrono::Duration;
use orbita_domain::job::JobState;
use orbita_domain::now;
use orbita_storage::jobs::{self, NewJob};
use orbita_testkit::on_both;

fn job(kind: &str) -> NewJob<'_> {
    NewJob { kind, payload: "{}", run_at: now() - Duration::seconds(1), max_attempts: 3, unique_key: None }
}

#[tokio::test]
async fn three_workers_at_once_never_take_the_same_job() {
    on_both(|t| async move {
        let mut tx = t.db.begin().await.expect("begin");
        for _ in 0..30 {
            jobs::enqueue(&mut tx, &job("test"), now()).await.expect("enqueue");
        }
        let later = NewJob { run_at: now() + Duration::hours(1), ..job("later") };
        jobs::enqueue(&mut tx, &later, now()).await.expect("later");
        tx.commit().await.expect("commit");
        let (at, lease) = (now(), now() + Duration::minutes(5));
        let (a, b, c) = tokio::join!(
            jobs::claim(&t.db, "a", at, lease, 12),
            jobs::claim(&t.db, "b", at, lease, 12),
            jobs::claim(&t.db, "c", at, lease, 12),
        );
        let all: Vec<_> = [a, b, c].into_iter().flat_map(|claimed| claimed.expect("claim")).collect();
        let ids: HashSet<i64> = all.iter().map(|j| j.id).collect();
        assert_eq!((all.len(), ids.len()), (30, 30), "{}: each due job once, the later one not yet", t.name);
        assert!(all.iter().all(|j| j.state == JobState::Running && j.attempts == 1), "{}", t.name);
        assert!(jobs::claim(&t.db, "d", at, lease, 12).await.expect("claim").is_empty(), "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_lost_lease_failures_death_and_a_retry() {
    on_both(|t| async move {
        let mut tx = t.db.begin().await.expect("begin");
        let id = jobs::enqueue(&mut tx, &job("test"), now()).await.expect("enqueue").expect("id");
        // A firing's key queues it once.
        let keyed = NewJob { unique_key: Some("deal:7:overdue"), ..job("keyed") };
        assert!(jobs::enqueue(&mut tx, &keyed, now()).await.expect("first").is_some(), "{}", t.name);
        assert!(jobs::enqueue(&mut tx, &keyed, now()).await.expect("second").is_none(), "{}", t.name);
        tx.commit().await.expect("commit");
        let at = now();
        let claimed = jobs::claim(&t.db, "a", at, at + Duration::seconds(30), 1).await.expect("claim");
        assert_eq!(claimed.iter().map(|j| j.id).collect::<Vec<_>>(), [id], "{}", t.name);
        // Worker a dies; after its lease, b takes the job and a can no longer finish it.
        let later = at + Duration::minutes(1);
        let taken = jobs::claim(&t.db, "b", later, later + Duration::seconds(30), 5).await.expect("claim");
        let taken: Vec<_> = taken.into_iter().filter(|j| j.id == id).collect();
        assert_eq!(taken.first().map(|j| j.attempts), Some(2), "{}: the lost attempt counts", t.name);
        assert!(!jobs::finish(&t.db, id, "a", later).await.expect("finish"), "{}", t.name);
        // b fails it: it waits until its time, then fails for good.
        let retry_at = later + Duration::minutes(2);
        assert!(jobs::fail(&t.db, id, "b", "boom", Some(retry_at), later).await.expect("fail"), "{}", t.name);
        let waiting = jobs::get(&t.db, id).await.expect("get").expect("job");
        assert_eq!(
            (waiting.state, waiting.last_error.as_deref()),
            (JobState::Failed, Some("boom")),
            "{}",
            t.name
        );
        let early = jobs::claim(&t.db, "c", later, later + Duration::seconds(30), 5).await.expect("claim");
        assert!(early.iter().all(|j| j.id != id), "{}: not before its time", t.name);
        let again =
            jobs::claim(&t.db, "c", retry_at, retry_at + Duration::seconds(30), 5).await.expect("claim");
        assert!(again.iter().any(|j| j.id == id), "{}", t.name);
        assert!(jobs::fail(&t.db, id, "c", "boom again", None, retry_at).await.expect("dead"), "{}", t.name);
        let dead = jobs::list(&t.db, &[JobState::Dead], 10).await.expect("list");
        assert_eq!(dead.iter().map(|j| j.id).collect::<Vec<_>>(), [id], "{}", t.name);
        // An administrator retries it: queued now, attempts afresh.
        let mut tx = t.db.begin().await.expect("begin");
        assert!(jobs::retry(&mut tx, id, retry_at).await.expect("retry"), "{}", t.name);
        tx.commit().await.expect("commit");
        let back =
            jobs::claim(&t.db, "d", retry_at, retry_at + Duration::seconds(30), 5).await.expect("claim");
        let back = back.into_iter().find(|j| j.id == id).expect("claimed again");
        assert_eq!(back.attempts, 1, "{}", t.name);
        // A stopping worker hands its job back, the attempt not counted.
        assert_eq!(jobs::release(&t.db, "d", retry_at).await.expect("release"), 1, "{}", t.name);
        let released = jobs::get(&t.db, id).await.expect("get").expect("job");
        assert_eq!((released.state, released.attempts), (JobState::Queued, 0), "{}", t.name);
        t
    })
    .await;
}
