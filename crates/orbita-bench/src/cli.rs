//! The command line: which database, which data set, how long to measure each operation.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "orbita-bench",
    about = "Drives the real Orbita server over HTTP on loopback and compares each operation with its SQL floor"
)]
pub struct Args {
    /// The database to benchmark.
    #[arg(long, value_enum)]
    pub db: DbKind,
    /// `small`: a fresh temporary database with the small demo set (the CI smoke run);
    /// `large`: the million-record set at `--database-url`, loaded only if it is empty.
    #[arg(long, value_enum)]
    pub size: Size,
    /// Large: the database to use (default: target/bench-data/orbita-large.db or
    /// postgres://postgres@127.0.0.1/orbita_large). Small PostgreSQL: any database on the server
    /// where the temporary database `orbita_bench_<pid>` is created and dropped.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Seconds to spend on each operation, on each side (server and floor).
    #[arg(long)]
    pub duration_secs: Option<f64>,
    /// Where to write the results table (default: target/bench-<db>-<size>.md).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The `orbita` binary (default: next to this one).
    #[arg(long)]
    pub orbita: Option<PathBuf>,
    /// Measure only the job queue's lines (the stage move with rules, the queue's throughput):
    /// a quick check of the queue on a data set already loaded.
    #[arg(long)]
    pub only_queue: bool,
    /// Measure only the operations whose title holds this text (`--only "web form"`), on a
    /// set already loaded; the queue, export and load lines are skipped.
    #[arg(long)]
    pub only: Option<String>,
    /// Jobs queued for the queue's throughput line (default: 2,000 small, 20,000 large).
    #[arg(long)]
    pub queue_jobs: Option<usize>,
    /// Concurrent connections for the throughput test.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Size {
    Small,
    Large,
}

impl Size {
    pub fn as_str(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Large => "large",
        }
    }
}

impl Args {
    /// Seconds per operation: a smoke run only proves that every operation still works.
    pub fn duration(&self) -> std::time::Duration {
        let default = match self.size {
            Size::Small => 0.5,
            Size::Large => 5.0,
        };
        std::time::Duration::from_secs_f64(self.duration_secs.unwrap_or(default).max(0.05))
    }

    pub fn out_path(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| {
            PathBuf::from(format!("target/bench-{}-{}.md", self.db.as_str(), self.size.as_str()))
        })
    }
}
