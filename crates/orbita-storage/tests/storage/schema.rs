//! Both dialects' migrations must produce the same tables with the same columns.

use std::collections::BTreeSet;

use orbita_testkit::{TestDb, postgres_url};

#[tokio::test]
async fn sqlite_and_postgres_schemas_have_the_same_tables_and_columns() {
    let Some(url) = postgres_url() else {
        eprintln!("ORBITA_TEST_POSTGRES_URL is not set: schema comparison skipped");
        return;
    };
    let sqlite = TestDb::sqlite().await;
    let postgres = TestDb::postgres(&url).await;
    let sqlite_columns: BTreeSet<_> =
        sqlite.db.table_columns().await.expect("sqlite columns").into_iter().collect();
    let postgres_columns: BTreeSet<_> =
        postgres.db.table_columns().await.expect("postgres columns").into_iter().collect();
    assert!(sqlite_columns.len() > 100, "too few columns read: {}", sqlite_columns.len());
    let only_sqlite: Vec<_> = sqlite_columns.difference(&postgres_columns).collect();
    let only_postgres: Vec<_> = postgres_columns.difference(&sqlite_columns).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only SQLite: {only_sqlite:?}\nonly PostgreSQL: {only_postgres:?}"
    );
    sqlite.cleanup().await;
    postgres.cleanup().await;
}
