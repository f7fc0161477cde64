//! Test databases for every crate's tests: a fresh SQLite file or a fresh PostgreSQL schema per
//! test, so tests run in parallel and never see each other's rows. PostgreSQL comes from
//! `ORBITA_TEST_POSTGRES_URL`. A failed setup panics: it should stop the test loudly.

pub mod smtp;

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use orbita_domain::user::{BuiltinRole, NewUser};
use orbita_domain::{UserId, now};
use orbita_storage::{ConnectOptions, DatabaseUrl, Db, users};

pub struct TestDb {
    pub db: Db,
    pub name: &'static str,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::Sqlite(dir.path().join("test.db"));
        let db = Db::connect(&url, &ConnectOptions::default()).await.expect("sqlite connects");
        db.migrate().await.expect("sqlite migrates");
        TestDb { db, name: "sqlite", _dir: Some(dir), schema: None }
    }

    pub async fn postgres(url: &str) -> TestDb {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let schema = format!("t_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let admin = sqlx::PgPool::connect(url).await.expect("PostgreSQL answers at ORBITA_TEST_POSTGRES_URL");
        // The extension is per database; install it once in `public`, where every schema finds it.
        for _ in 0..3 {
            if sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
                .execute(&admin)
                .await
                .is_ok()
            {
                break;
            }
        }
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .expect("schema");
        admin.close().await;
        let options =
            ConnectOptions { max_connections: 4, schema: Some(schema.clone()), ..ConnectOptions::default() };
        let db = Db::connect(&url.parse().expect("url"), &options).await.expect("postgres connects");
        db.migrate().await.expect("postgres migrates");
        TestDb { db, name: "postgres", _dir: None, schema: Some((url.to_owned(), schema)) }
    }

    pub async fn cleanup(self) {
        self.db.close().await;
        if let Some((url, schema)) = self.schema
            && let Ok(admin) = sqlx::PgPool::connect(&url).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&admin)
                .await;
            admin.close().await;
        }
    }

    /// A user to own records, with the built-in roles in place.
    pub async fn user(&self, email: &str) -> UserId {
        let mut tx = self.db.begin().await.expect("begin");
        users::ensure_builtin_roles(&mut tx, now()).await.expect("roles");
        tx.commit().await.expect("commit");
        let role = users::role_by_key(&self.db, BuiltinRole::Manager.as_str()).await.expect("role");
        let mut tx = self.db.begin().await.expect("begin");
        let id =
            users::insert(&mut tx, &NewUser::parse(email, "Test User").expect("user"), None, role.id, now())
                .await
                .expect("user");
        tx.commit().await.expect("commit");
        id
    }
}

pub fn postgres_url() -> Option<String> {
    std::env::var("ORBITA_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

/// Runs a test body once on SQLite and once on PostgreSQL.
pub async fn on_both<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = TestDb>,
{
    test(TestDb::sqlite().await).await.cleanup().await;
    match postgres_url() {
        Some(url) => test(TestDb::postgres(&url).await).await.cleanup().await,
        None => {
            eprintln!("ORBITA_TEST_POSTGRES_URL is not set: the PostgreSQL half of this test was skipped")
        }
    }
}
