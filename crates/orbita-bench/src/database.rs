//! The database under test: a fresh temporary one for the smoke run, or the large one that
//! takes ten minutes to load and is reused between runs. Loading and migrating go through the
//! real `orbita` binary, so the benchmark measures what users run.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use orbita_storage::{ConnectOptions, DatabaseUrl, Db};
use sqlx::{AssertSqlSafe, Connection};

use crate::cli::{Args, DbKind, Size};

const LARGE_SQLITE: &str = "sqlite://target/bench-data/orbita-large.db";
const LARGE_POSTGRES: &str = "postgres://postgres@127.0.0.1/orbita_large";
const SMALL_POSTGRES_SERVER: &str = "postgres://postgres@127.0.0.1/postgres";

/// A database ready for the server, and what it took to get it ready.
pub struct Prepared {
    pub url: String,
    /// Demo data loading time, when this run loaded it.
    pub load_time: Option<Duration>,
    /// `orbita migrate` before the server starts (a large database may be behind).
    pub migrate_time: Duration,
    cleanup: Cleanup,
}

enum Cleanup {
    /// The large database stays: it is reused by the next run.
    Keep,
    /// Deleted with the folder.
    TempDir(tempfile::TempDir),
    /// Dropped through the server's maintenance connection.
    PgDrop { admin_url: String, name: String },
}

pub async fn prepare(args: &Args, orbita: &Path) -> anyhow::Result<Prepared> {
    let (url, cleanup) = match (args.size, args.db) {
        (Size::Small, DbKind::Sqlite) => {
            let dir =
                tempfile::Builder::new().prefix("orbita-bench-").tempdir().context("temporary folder")?;
            let url = format!("sqlite://{}", dir.path().join("orbita.db").display());
            (url, Cleanup::TempDir(dir))
        }
        (Size::Small, DbKind::Postgres) => {
            let server = args.database_url.as_deref().unwrap_or(SMALL_POSTGRES_SERVER);
            let name = format!("orbita_bench_{}", std::process::id());
            let admin_url = with_database(server, "postgres");
            create_pg_database(&admin_url, &name).await?;
            (with_database(server, &name), Cleanup::PgDrop { admin_url, name })
        }
        (Size::Large, kind) => {
            let default = if kind == DbKind::Sqlite { LARGE_SQLITE } else { LARGE_POSTGRES };
            let url = args.database_url.clone().unwrap_or_else(|| default.to_owned());
            if kind == DbKind::Postgres
                && Db::connect(&parse(&url)?, &ConnectOptions::default()).await.is_err()
            {
                let name = url.rsplit('/').next().unwrap_or_default().split('?').next().unwrap_or_default();
                create_pg_database(&with_database(&url, "postgres"), name).await?;
            }
            (url, Cleanup::Keep)
        }
    };
    let mut prepared = Prepared { url, load_time: None, migrate_time: Duration::ZERO, cleanup };
    if is_empty(&prepared.url).await? {
        let started = Instant::now();
        run_orbita(
            orbita,
            &prepared.url,
            &["demo-data", "--size", args.size.as_str()],
            args.size == Size::Large,
        )
        .await
        .context("loading the demo data")?;
        prepared.load_time = Some(started.elapsed());
    }
    // Separately from the server's start: newer migrations on a million rows take a while once.
    let started = Instant::now();
    run_orbita(orbita, &prepared.url, &["migrate"], false).await.context("migrating")?;
    prepared.migrate_time = started.elapsed();
    Ok(prepared)
}

impl Prepared {
    /// Removes a temporary database; the large one stays.
    pub async fn cleanup(self) -> anyhow::Result<()> {
        match self.cleanup {
            Cleanup::Keep => Ok(()),
            Cleanup::TempDir(dir) => dir.close().context("removing the temporary database"),
            Cleanup::PgDrop { admin_url, name } => {
                let mut conn = sqlx::PgConnection::connect(&admin_url).await.context("PostgreSQL server")?;
                // The server was stopped, but its connections may take a moment to go.
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                sqlx::raw_sql(AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await
                    .context("dropping the database")?;
                Ok(())
            }
        }
    }
}

pub fn parse(url: &str) -> anyhow::Result<DatabaseUrl> {
    url.parse().with_context(|| format!("bad database URL {url}"))
}

/// Opens the database for the bench's own queries (samples and floors), as the server does.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    Db::connect(&parse(url)?, &ConnectOptions::default()).await.context("opening the database")
}

/// No companies yet (or no tables at all): the demo data must be loaded.
async fn is_empty(url: &str) -> anyhow::Result<bool> {
    let db = connect(url).await?;
    let empty = orbita_storage::bulk::next_id(&db, "companies").await.map_or(true, |next| next <= 1);
    db.close().await;
    Ok(empty)
}

async fn create_pg_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || name.is_empty() {
        bail!("unexpected database name {name:?}");
    }
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .with_context(|| format!("cannot reach the PostgreSQL server at {}", redact(admin_url)))?;
    let sql = format!("CREATE DATABASE \"{name}\"");
    sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await.with_context(|| format!("creating {name}"))?;
    Ok(())
}

/// The same server URL with another database: `postgres://u@h:5432/x?opt` → `…/name?opt`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let server = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if url[scheme + 3..at].contains(':') => {
            format!("{}***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Runs `orbita --database-url URL <args>`; a large load shows its progress bar.
async fn run_orbita(orbita: &Path, url: &str, args: &[&str], show_progress: bool) -> anyhow::Result<()> {
    let mut command = tokio::process::Command::new(orbita);
    command.arg("--database-url").arg(url).args(args).env("ORBITA_LOG", "warn").kill_on_drop(true);
    if show_progress {
        let status = command.status().await.context("running orbita")?;
        if !status.success() {
            bail!("orbita {} failed: {status}", args.join(" "));
        }
    } else {
        let output = command.output().await.context("running orbita")?;
        if !output.status.success() {
            bail!(
                "orbita {} failed: {}\n{}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    Ok(())
}

/// The `orbita` binary: given, or next to this one (`cargo build` puts both in one folder).
pub fn find_orbita(given: Option<&PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        return Ok(path.clone());
    }
    let me = std::env::current_exe().context("locating orbita-bench")?;
    let candidate = me.with_file_name("orbita");
    if candidate.is_file() {
        Ok(candidate)
    } else {
        bail!(
            "no orbita binary at {}: build it (`cargo build --release -p orbita`) or pass --orbita PATH",
            candidate.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1/test", "x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h:5433/db?sslmode=disable", "y"),
            "postgres://u:p@h:5433/y?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "z"), "postgres://h/z");
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://***@h/db");
    }
}
