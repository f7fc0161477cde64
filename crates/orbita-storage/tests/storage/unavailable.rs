//! A database that cannot take a write answers `Unavailable` (a 503 with Retry-After above),
//! never a generic error, and takes writes again by itself once the cause is gone.

use std::time::Duration;

use orbita_storage::{ConnectOptions, DatabaseUrl, Db, StorageError, Unavailable};
use sqlx::{Connection, Executor};

/// Another process holding the SQLite write lock past the busy timeout makes a write "busy";
/// once it lets go, the same `Db` writes again (the refused attempt left no connection behind
/// inside a transaction).
#[tokio::test]
async fn a_lock_held_past_the_busy_timeout_is_busy_and_passes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("busy.db");
    let options = ConnectOptions { busy_timeout: Duration::from_millis(200), ..ConnectOptions::default() };
    let db = Db::connect(&DatabaseUrl::Sqlite(path.clone()), &options).await.expect("connects");
    db.migrate().await.expect("migrates");
    db.check_writable().await.expect("writable at first");

    let mut other = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("another process's connection");
    other.execute("BEGIN IMMEDIATE").await.expect("the other process takes the write lock");

    for _ in 0..2 {
        let refused = db.check_writable().await.expect_err("the lock is held");
        assert!(
            matches!(refused, StorageError::Unavailable(Unavailable::Busy)),
            "a held lock is 'busy': {refused:?}"
        );
    }
    // Reads do not wait for the writer (WAL).
    db.ping().await.expect("reads go on");

    other.execute("ROLLBACK").await.expect("the other process lets go");
    db.check_writable().await.expect("writes again without a restart");
    other.close().await.expect("close");
    db.close().await;
}
