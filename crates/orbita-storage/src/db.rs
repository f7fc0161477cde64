//! The connection to one of the two supported databases, chosen once at start from the URL.
//! Every query is built once with sea-query and rendered for the backend in use here.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sea_query::{Expr, Func, PostgresQueryBuilder, Query, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::error::{Result, StorageError};

/// A row type readable from both databases.
pub trait Row:
    for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Row for T where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the data lives, parsed from `sqlite://PATH` or `postgres://…`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl FromStr for DatabaseUrl {
    type Err = StorageError;

    fn from_str(url: &str) -> Result<Self> {
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            let path = path.split('?').next().unwrap_or(path);
            if path.is_empty() {
                return Err(StorageError::Config(
                    "sqlite:// needs a file path, e.g. sqlite://./orbita.db".into(),
                ));
            }
            Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            PgConnectOptions::from_str(url)
                .map_err(|e| StorageError::Config(format!("bad PostgreSQL URL: {e}")))?;
            Ok(DatabaseUrl::Postgres(url.to_owned()))
        } else {
            Err(StorageError::Config(format!(
                "unsupported database URL {:?}: use sqlite://PATH or postgres://USER@HOST/DB",
                redact(url)
            )))
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

/// Hides a password in a URL, so configuration can be logged.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = &url[scheme + 3..at];
            match user_info.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Tuning that differs between a server and a test.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    /// PostgreSQL only: the schema to work in (tests use one per test).
    pub schema: Option<String>,
    /// SQLite only: how long a write waits for a lock another process holds before it is
    /// answered "busy" (a 503 with Retry-After).
    pub busy_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self { max_connections: 8, schema: None, busy_timeout: Duration::from_secs(10) }
    }
}

#[derive(Clone)]
enum Pools {
    /// SQLite allows one writer at a time; a single write connection queues writers in the
    /// process instead of failing with "database is locked". Readers run beside it (WAL).
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Postgres(PgPool),
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    pools: Pools,
}

/// One connection pool's use at a moment, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolUse {
    /// `read`, `write` (SQLite) or `main` (PostgreSQL).
    pub pool: &'static str,
    pub open: u32,
    pub idle: usize,
    pub max: u32,
}

impl Db {
    /// The pools' connections: open, idle and the most allowed.
    pub fn pool_use(&self) -> Vec<PoolUse> {
        let of =
            |pool: &'static str, size: u32, idle: usize, max: u32| PoolUse { pool, open: size, idle, max };
        match &self.pools {
            Pools::Sqlite { read, write } => vec![
                of("read", read.size(), read.num_idle(), read.options().get_max_connections()),
                of("write", write.size(), write.num_idle(), write.options().get_max_connections()),
            ],
            Pools::Postgres(pool) => {
                vec![of("main", pool.size(), pool.num_idle(), pool.options().get_max_connections())]
            }
        }
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.backend())
    }
}

/// How long a PostgreSQL connection may sit idle and still be used without a ping first.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(30);

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Db {
    pub async fn connect(url: &DatabaseUrl, options: &ConnectOptions) -> Result<Db> {
        match url {
            DatabaseUrl::Sqlite(path) => Self::connect_sqlite(path, options).await,
            DatabaseUrl::Postgres(url) => Self::connect_postgres(url, options).await,
        }
    }

    async fn connect_sqlite(path: &Path, options: &ConnectOptions) -> Result<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StorageError::Config(format!("cannot create the data folder {}: {e}", dir.display()))
            })?;
        }
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged write survives power loss, not only a process crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(options.busy_timeout)
            .pragma("temp_store", "memory")
            // 8 MB of page cache per connection, nine connections: the server stays within its
            // 200 MB budget (32 MB each took it to 500 MB on the large set); the operating
            // system's file cache keeps the rest of the database a read call away.
            .pragma("cache_size", "-8000");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            // A COMMIT that fails (a full disk) leaves sqlx's transaction bookkeeping behind
            // SQLite's own: SQLite has rolled back, sqlx still counts one transaction open, the
            // rollback on drop fails, and every later `BEGIN` is refused ("non-zero transaction
            // depth") until a restart. Such a connection is closed instead of being reused; the
            // pool opens a fresh one for the next writer.
            .after_release(|connection, _| {
                Box::pin(async move {
                    // The ping runs after the rollback the dropped transaction queued.
                    sqlx::Connection::ping(connection).await?;
                    Ok(!sqlx::Connection::is_in_transaction(connection))
                })
            })
            .connect_with(connect.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .connect_with(connect)
            .await?;
        Ok(Db { pools: Pools::Sqlite { read, write } })
    }

    async fn connect_postgres(url: &str, options: &ConnectOptions) -> Result<Db> {
        let mut connect = PgConnectOptions::from_str(url)
            .map_err(|e| StorageError::Config(format!("bad PostgreSQL URL: {e}")))?;
        if let Some(schema) = &options.schema {
            connect = connect.options([("search_path", format!("{schema},public"))]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            // A connection in steady use is not pinged before each use (by default every
            // acquire costs a round trip, as much as a small query): only one that has sat idle,
            // when a restarted or restarting server is most likely to have dropped it.
            .test_before_acquire(false)
            .before_acquire(|connection, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_WHEN_IDLE_FOR {
                        sqlx::Connection::ping(connection).await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(connect)
            .await?;
        Ok(Db { pools: Pools::Postgres(pool) })
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations this binary carries; safe to run at every start.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { write, .. } => {
                let before = applied_sqlite_migrations(write).await?;
                SQLITE_MIGRATOR.run(write).await?;
                // Without statistics SQLite picks indexes by rule of thumb, and on a large
                // base it chose the kanban's covering index for a column's newest cards: 120 ms
                // instead of 1 ms. At an ordinary start `optimize` gathers them where missing
                // or stale, cheaply (a bounded sample per index). After a migration that is not
                // enough: a new index has no statistics, so `optimize` re-samples its whole
                // table, and a sample of an index's first 400 entries makes every leading value
                // look like 400 rows (the million-deal set's summary report went from 80 to
                // 200 ms). An upgrade pays for full statistics once (5 s at a million records).
                let statistics = if applied_sqlite_migrations(write).await? > before {
                    "PRAGMA analysis_limit = 0; ANALYZE"
                } else {
                    "PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002"
                };
                sqlx::raw_sql(statistics).execute(write).await?;
            }
            Pools::Postgres(pool) => {
                let before = applied_postgres_migrations(pool).await?;
                POSTGRES_MIGRATOR.run(pool).await?;
                // A migration that rewrites rows (a backfilled column) leaves every page of the
                // table not all-visible and its statistics stale: until autovacuum comes round,
                // "index-only" scans read the table too (the million-deal funnel took 1.3 s
                // instead of tens of milliseconds). An upgrade of a database in use pays for
                // VACUUM once; a new database has nothing to vacuum.
                if before > 0 && applied_postgres_migrations(pool).await? > before {
                    sqlx::raw_sql("VACUUM (ANALYZE)").execute(pool).await?;
                }
            }
        }
        Ok(())
    }

    /// Whether the database answers (`/readyz`).
    pub async fn ping(&self) -> Result<()> {
        let _: Vec<(i32,)> = self.fetch_all_raw("SELECT 1").await?;
        Ok(())
    }

    /// Whether the database takes a write now (`/readyz`): one row rewritten and committed, so
    /// a full disk, a read-only file or a lock held elsewhere shows as not ready.
    pub async fn check_writable(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        let stmt = sea_query::Query::insert()
            .into_table("readiness_probe")
            .columns(["id", "checked_at"])
            .values_panic([1.into(), orbita_domain::now().into()])
            .on_conflict(sea_query::OnConflict::column("id").update_column("checked_at").to_owned())
            .to_owned();
        tx.execute(&stmt).await?;
        tx.commit().await
    }

    /// Every (table, column) of the application's schema, without search indexes and the
    /// migration bookkeeping: to prove both dialects define the same thing.
    pub async fn table_columns(&self) -> Result<Vec<(String, String)>> {
        self.fetch_all_raw(match self.backend() {
            Backend::Sqlite => {
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '%_fts%' \
                 AND m.name <> '_sqlx_migrations' ORDER BY 1, 2"
            }
            Backend::Postgres => {
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' ORDER BY 1, 2"
            }
        })
        .await
    }

    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }

    /// Starts a write transaction. On SQLite it holds the one write connection until it ends.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.pools {
            Pools::Sqlite { write, .. } => Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Pools::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn fetch_all<T: Row>(&self, stmt: &impl SqlxBinder) -> Result<Vec<T>> {
        Ok(match &self.pools {
            Pools::Sqlite { read, .. } => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with::<Sqlite, T, _>(AssertSqlSafe(sql), values).fetch_all(read).await?
            }
            Pools::Postgres(pool) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<Postgres, T, _>(AssertSqlSafe(sql), values).fetch_all(pool).await?
            }
        })
    }

    pub async fn fetch_optional<T: Row>(&self, stmt: &impl SqlxBinder) -> Result<Option<T>> {
        Ok(match &self.pools {
            Pools::Sqlite { read, .. } => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with::<Sqlite, T, _>(AssertSqlSafe(sql), values).fetch_optional(read).await?
            }
            Pools::Postgres(pool) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<Postgres, T, _>(AssertSqlSafe(sql), values).fetch_optional(pool).await?
            }
        })
    }

    pub async fn fetch_one<T: Row>(&self, stmt: &impl SqlxBinder) -> Result<T> {
        self.fetch_optional(stmt).await?.ok_or(StorageError::NotFound)
    }

    /// One write statement on its own, committed as it runs: for a write that is a single
    /// statement (a claim, a batch's outcome), where a transaction would only add the round
    /// trips of its BEGIN and COMMIT. Returns the rows it touched.
    pub async fn execute(&self, stmt: &impl SqlxBinder) -> Result<u64> {
        Ok(match &self.pools {
            Pools::Sqlite { write, .. } => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_with::<Sqlite, _>(AssertSqlSafe(sql), values)
                    .execute(write)
                    .await?
                    .rows_affected()
            }
            Pools::Postgres(pool) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with::<Postgres, _>(AssertSqlSafe(sql), values)
                    .execute(pool)
                    .await?
                    .rows_affected()
            }
        })
    }

    /// [`Db::execute`] for a write that returns rows (`UPDATE … RETURNING`).
    pub async fn write_returning<T: Row>(&self, stmt: &impl SqlxBinder) -> Result<Vec<T>> {
        Ok(match &self.pools {
            Pools::Sqlite { write, .. } => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with::<Sqlite, T, _>(AssertSqlSafe(sql), values).fetch_all(write).await?
            }
            Pools::Postgres(pool) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<Postgres, T, _>(AssertSqlSafe(sql), values).fetch_all(pool).await?
            }
        })
    }

    /// A fixed statement without parameters and results (maintenance such as `ANALYZE`).
    pub(crate) async fn execute_raw(&self, sql: &'static str) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { write, .. } => sqlx::query::<Sqlite>(sql).execute(write).await.map(drop)?,
            Pools::Postgres(pool) => sqlx::query::<Postgres>(sql).execute(pool).await.map(drop)?,
        }
        Ok(())
    }

    /// A schema statement that must run outside a transaction (`CREATE INDEX CONCURRENTLY`).
    /// The text is built from checked names only, never from input.
    pub async fn execute_ddl(&self, sql: &str) -> Result<u64> {
        Ok(match &self.pools {
            Pools::Sqlite { write, .. } => {
                sqlx::query(AssertSqlSafe(sql.to_owned())).execute(write).await?.rows_affected()
            }
            Pools::Postgres(pool) => {
                sqlx::query(AssertSqlSafe(sql.to_owned())).execute(pool).await?.rows_affected()
            }
        })
    }

    /// A fixed query without parameters, the same text on both databases.
    pub(crate) async fn fetch_all_raw<T: Row>(&self, sql: &'static str) -> Result<Vec<T>> {
        Ok(match &self.pools {
            Pools::Sqlite { read, .. } => sqlx::query_as::<Sqlite, T>(sql).fetch_all(read).await?,
            Pools::Postgres(pool) => sqlx::query_as::<Postgres, T>(sql).fetch_all(pool).await?,
        })
    }
}

/// A write transaction: changes and their audit events commit together or not at all.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    /// Makes the transactions that name the same `key` take turns until this one ends, so a
    /// check and the write it allows (the last administrator; a user's export allowance)
    /// cannot interleave with another's. SQLite's write transactions already take turns
    /// (`BEGIN IMMEDIATE`); PostgreSQL takes a transaction-scoped advisory lock on the key.
    pub async fn take_turns(&mut self, key: &str) -> Result<()> {
        if let Tx::Postgres(_) = self {
            let hash = Func::cust("hashtext").arg(Expr::val(key));
            let lock = Query::select().expr(Func::cust("pg_advisory_xact_lock").arg(hash)).to_owned();
            self.execute(&lock).await?;
        }
        Ok(())
    }

    /// Runs a statement; returns the number of rows it touched.
    pub async fn execute(&mut self, stmt: &impl SqlxBinder) -> Result<u64> {
        Ok(match self {
            Tx::Sqlite(tx) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_with::<Sqlite, _>(AssertSqlSafe(sql), values)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
            Tx::Postgres(tx) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with::<Postgres, _>(AssertSqlSafe(sql), values)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
        })
    }

    pub async fn fetch_all<T: Row>(&mut self, stmt: &impl SqlxBinder) -> Result<Vec<T>> {
        Ok(match self {
            Tx::Sqlite(tx) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with::<Sqlite, T, _>(AssertSqlSafe(sql), values).fetch_all(&mut **tx).await?
            }
            Tx::Postgres(tx) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<Postgres, T, _>(AssertSqlSafe(sql), values).fetch_all(&mut **tx).await?
            }
        })
    }

    pub async fn fetch_optional<T: Row>(&mut self, stmt: &impl SqlxBinder) -> Result<Option<T>> {
        Ok(match self {
            Tx::Sqlite(tx) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with::<Sqlite, T, _>(AssertSqlSafe(sql), values)
                    .fetch_optional(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<Postgres, T, _>(AssertSqlSafe(sql), values)
                    .fetch_optional(&mut **tx)
                    .await?
            }
        })
    }

    pub async fn fetch_one<T: Row>(&mut self, stmt: &impl SqlxBinder) -> Result<T> {
        self.fetch_optional(stmt).await?.ok_or(StorageError::NotFound)
    }

    /// Runs SQL text without parameters: the DDL of custom fields' indexes and the purge of
    /// their values, whose text is made from checked keys and the kinds' own tables only.
    pub async fn execute_ddl(&mut self, sql: &str) -> Result<u64> {
        Ok(match self {
            Tx::Sqlite(tx) => {
                sqlx::query(AssertSqlSafe(sql.to_owned())).execute(&mut **tx).await?.rows_affected()
            }
            Tx::Postgres(tx) => {
                sqlx::query(AssertSqlSafe(sql.to_owned())).execute(&mut **tx).await?.rows_affected()
            }
        })
    }

    /// Inserts one row and returns its new id.
    pub async fn insert(&mut self, mut stmt: sea_query::InsertStatement) -> Result<i64> {
        stmt.returning_col("id");
        let (id,): (i64,) = self.fetch_one(&stmt).await?;
        Ok(id)
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// How many migrations the SQLite file has applied (none before the first start).
async fn applied_postgres_migrations(pool: &PgPool) -> Result<i64> {
    let (table,): (Option<String>,) =
        sqlx::query_as("SELECT to_regclass('_sqlx_migrations')::text").fetch_one(pool).await?;
    if table.is_none() {
        return Ok(0);
    }
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM _sqlx_migrations").fetch_one(pool).await?;
    Ok(count)
}

async fn applied_sqlite_migrations(write: &SqlitePool) -> Result<i64> {
    let table: Option<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
            .fetch_optional(write)
            .await?;
    if table.is_none() {
        return Ok(0);
    }
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM _sqlx_migrations").fetch_one(write).await?;
    Ok(count)
}
