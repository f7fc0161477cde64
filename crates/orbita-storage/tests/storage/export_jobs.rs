//! Background export jobs on both databases: progress, a file stored in chunks with the status
//! change, failures, and the clean-up of old jobs with their files.

use chrono::Duration;
use orbita_domain::now;
use orbita_storage::export_jobs::{self, Finished, NewExportJob};

use orbita_testkit::{TestDb, on_both};

async fn new_job(t: &TestDb, user: orbita_domain::UserId, at: orbita_domain::Timestamp) -> i64 {
    let job =
        NewExportJob { user_id: user, list: "companies", format: "xlsx", query: "q=a", rows_total: None };
    let mut tx = t.db.begin().await.expect("begin");
    let id = export_jobs::insert(&mut tx, &job, at).await.expect("insert");
    tx.commit().await.expect("commit");
    id
}

#[tokio::test]
async fn a_job_runs_records_progress_and_stores_its_file_in_chunks() {
    on_both(|t| async move {
        let user = t.user("owner@example.com").await;
        let started = now();
        let id = new_job(&t, user, started).await;
        let job = export_jobs::get(&t.db, id).await.expect("get").expect("the job");
        assert_eq!((job.status.as_str(), job.rows_written, job.chunks), ("running", 0, 0), "{}", t.name);
        assert_eq!(
            (job.list.as_str(), job.format.as_str(), job.query.as_str()),
            ("companies", "xlsx", "q=a")
        );
        assert_eq!(job.rows_total, None);

        let later = started + Duration::seconds(5);
        let mut tx = t.db.begin().await.expect("begin");
        assert!(export_jobs::record_progress(&mut tx, id, 10_000, later).await.expect("progress"));
        tx.commit().await.expect("commit");
        let job = export_jobs::get(&t.db, id).await.expect("get").expect("the job");
        assert_eq!(job.rows_written, 10_000, "{}", t.name);
        assert!(job.updated_at > job.created_at, "{}: the heartbeat moved", t.name);

        // A binary file, every byte value, over two chunks and a bit.
        let file: Vec<u8> = (0..2_500_000u32).map(|i| (i % 251) as u8).collect();
        let mut tx = t.db.begin().await.expect("begin");
        for (seq, piece) in file.chunks(1 << 20).enumerate() {
            export_jobs::insert_chunk(&mut tx, id, seq as i64, piece).await.expect("chunk");
        }
        let done =
            Finished { rows_written: 12_345, file_name: "companies.xlsx", byte_size: file.len() as i64 };
        assert!(export_jobs::finish(&mut tx, id, &done, later).await.expect("finish"));
        tx.commit().await.expect("commit");

        let job = export_jobs::get(&t.db, id).await.expect("get").expect("the job");
        assert_eq!((job.status.as_str(), job.rows_written, job.chunks), ("done", 12_345, 3), "{}", t.name);
        assert_eq!((job.file_name.as_deref(), job.byte_size), (Some("companies.xlsx"), Some(2_500_000)));
        assert!(job.finished_at.is_some());
        let mut read = Vec::new();
        let mut seq = 0;
        while let Some(piece) = export_jobs::chunk(&t.db, id, seq).await.expect("chunk") {
            read.extend_from_slice(&piece);
            seq += 1;
        }
        assert_eq!(seq, 3, "{}", t.name);
        assert!(read == file, "{}: the file reads back byte for byte", t.name);

        // A finished job no longer moves.
        let mut tx = t.db.begin().await.expect("begin");
        assert!(!export_jobs::record_progress(&mut tx, id, 1, later).await.expect("progress"));
        assert!(!export_jobs::fail(&mut tx, id, "late", later).await.expect("fail"));
        tx.commit().await.expect("commit");
        t
    })
    .await;
}

#[tokio::test]
async fn a_failed_job_keeps_its_reason_and_users_see_their_own_jobs_newest_first() {
    on_both(|t| async move {
        let anna = t.user("anna@example.com").await;
        let boris = t.user("boris@example.com").await;
        let first = new_job(&t, anna, now()).await;
        let second = new_job(&t, anna, now()).await;
        let other = new_job(&t, boris, now()).await;
        let mut tx = t.db.begin().await.expect("begin");
        assert!(export_jobs::fail(&mut tx, first, "the disk is full", now()).await.expect("fail"));
        tx.commit().await.expect("commit");
        let job = export_jobs::get(&t.db, first).await.expect("get").expect("the job");
        assert_eq!((job.status.as_str(), job.error.as_deref()), ("failed", Some("the disk is full")));
        let mine: Vec<i64> =
            export_jobs::list_for_user(&t.db, anna, 10).await.expect("list").iter().map(|j| j.id).collect();
        assert_eq!(mine, [second, first], "{}", t.name);
        let theirs = export_jobs::list_for_user(&t.db, boris, 10).await.expect("list");
        assert_eq!(theirs.iter().map(|j| j.id).collect::<Vec<_>>(), [other]);
        assert!(export_jobs::get(&t.db, 999_999).await.expect("get").is_none());
        t
    })
    .await;
}

#[tokio::test]
async fn old_jobs_are_deleted_with_their_files() {
    on_both(|t| async move {
        let user = t.user("owner@example.com").await;
        let old = new_job(&t, user, now() - Duration::hours(25)).await;
        let fresh = new_job(&t, user, now()).await;
        let mut tx = t.db.begin().await.expect("begin");
        for id in [old, fresh] {
            export_jobs::insert_chunk(&mut tx, id, 0, b"data").await.expect("chunk");
            let done = Finished { rows_written: 1, file_name: "f.csv", byte_size: 4 };
            export_jobs::finish(&mut tx, id, &done, now()).await.expect("finish");
        }
        tx.commit().await.expect("commit");
        let mut tx = t.db.begin().await.expect("begin");
        let deleted =
            export_jobs::delete_older_than(&mut tx, now() - Duration::hours(24)).await.expect("clean-up");
        tx.commit().await.expect("commit");
        assert_eq!(deleted, 1, "{}", t.name);
        assert!(export_jobs::get(&t.db, old).await.expect("get").is_none());
        assert!(export_jobs::chunk(&t.db, old, 0).await.expect("chunk").is_none(), "{}", t.name);
        assert_eq!(export_jobs::chunk(&t.db, fresh, 0).await.expect("chunk").as_deref(), Some(&b"data"[..]));
        t
    })
    .await;
}
