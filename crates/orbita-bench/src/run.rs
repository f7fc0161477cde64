//! Runs each operation against the server and then against its floor, and keeps what
//! happened: numbers, "not yet available" for a page that does not exist yet, or the error.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use orbita_domain::access::{Action, Area};
use orbita_storage::companies::{self, CompanyFilter, CompanySort};

use crate::measure::{self, Budget, Stats};
use crate::ops::{Ctx, Op, Role, floor, web};

/// What a line of the table measures, and its target.
#[derive(Debug, Clone)]
pub enum Kind {
    /// One user waiting for each answer; target on p95.
    Latency(Op),
    /// Many connections at once; target in requests per second.
    Throughput { connections: usize },
    /// A download of every visible company; target in rows per second.
    Export { rows: u64 },
    /// Jobs queued at once and run by the server's worker; target in jobs per second.
    Queue { jobs: usize },
}

#[derive(Debug, Clone)]
pub enum Outcome {
    Done { server: Stats, floor: Result<Stats, String> },
    NotAvailable(String),
    NoSamples,
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct Line {
    pub title: String,
    pub role: Role,
    pub kind: Kind,
    pub outcome: Outcome,
    /// The server's resident memory right after its side of the measurement, in MB: where
    /// the peak comes from.
    pub rss_mb: Option<f64>,
}

fn rss_mb(ctx: &Ctx) -> Option<f64> {
    crate::server::rss_kib(ctx.server_pid).map(|kib| kib as f64 / 1024.0)
}

pub async fn latency(ctx: &Ctx, op: Op, role: Role, budget: &Budget) -> Line {
    let line = |outcome| Line {
        title: op.title().to_owned(),
        role,
        kind: Kind::Latency(op),
        outcome,
        rss_mb: rss_mb(ctx),
    };
    let actor = ctx.actor(role);
    if !op.has_samples(actor) {
        return line(Outcome::NoSamples);
    }
    // One call first: a page that is not there yet is reported, not failed.
    match web::send(ctx, op, actor, 0).await {
        Ok(reply) if matches!(reply.status, 404 | 405) => {
            return line(Outcome::NotAvailable(format!("HTTP {}", reply.status)));
        }
        Ok(reply) if reply.status != web::expected_status(op) => {
            return line(Outcome::Failed(format!("HTTP {}: {}", reply.status, reply.excerpt())));
        }
        Ok(_) => {}
        Err(error) => return line(Outcome::Failed(format!("{error:#}"))),
    }
    let server = match measure::sequential(budget, |i| web::call(ctx, op, actor, i + 1)).await {
        Ok(stats) => stats,
        Err(error) => return line(Outcome::Failed(format!("{error:#}"))),
    };
    let rss = rss_mb(ctx);
    let floor = measure::sequential(budget, |i| floor::call(ctx, op, actor, i))
        .await
        .map_err(|error| format!("{error:#}"));
    Line { rss_mb: rss, ..line(Outcome::Done { server, floor }) }
}

/// The companies list (first page by name) from `connections` connections at once.
pub async fn throughput(ctx: &Ctx, role: Role, connections: usize, duration: Duration) -> Line {
    let actor = ctx.actor(role);
    let kind = Kind::Throughput { connections };
    let line = |outcome| Line {
        title: "companies list under load".into(),
        role,
        kind: kind.clone(),
        outcome,
        rss_mb: rss_mb(ctx),
    };
    let http = ctx.http.clone();
    let cookie: Arc<str> = actor.browser.cookie.as_str().into();
    let server = measure::concurrent(connections, duration, move |_| {
        let (http, cookie) = (http.clone(), cookie.clone());
        async move {
            let reply = http.get("/companies?sort=name", Some(&cookie)).await?;
            if reply.status != 200 {
                bail!("HTTP {}", reply.status);
            }
            Ok(())
        }
    })
    .await;
    let server = match server {
        Ok(stats) => stats,
        Err(error) => return line(Outcome::Failed(format!("{error:#}"))),
    };
    let rss = rss_mb(ctx);
    let filter = match actor.access.visibility(Area::Companies, Action::View) {
        Ok(visible) => Arc::new(CompanyFilter { visible, ..CompanyFilter::default() }),
        Err(error) => return line(Outcome::Failed(error.to_string())),
    };
    let db = ctx.db.clone();
    let floor = measure::concurrent(connections, duration, move |_| {
        let (db, filter) = (db.clone(), filter.clone());
        async move {
            companies::list(&db, &filter, CompanySort::Name, false, None, 50).await?;
            Ok(())
        }
    })
    .await
    .map_err(|error| format!("{error:#}"));
    Line { rss_mb: rss, ..line(Outcome::Done { server, floor }) }
}

/// `GET /companies.xlsx` of every company the user sees, read to the last byte.
pub async fn export(ctx: &Ctx, role: Role, calls: usize) -> Line {
    let actor = ctx.actor(role);
    let title = "XLSX export of the companies list".to_owned();
    let mut rows = 0;
    let mut floor_samples = Vec::new();
    let floor_started = Instant::now();
    let mut floor_error = None;
    for _ in 0..calls {
        let at = Instant::now();
        match floor::export_rows(&ctx.db, actor).await {
            Ok(n) => rows = n,
            Err(error) => {
                floor_error = Some(format!("{error:#}"));
                break;
            }
        }
        floor_samples.push(at.elapsed());
    }
    let floor_elapsed = floor_started.elapsed();
    let line = |outcome| Line {
        title: title.clone(),
        role,
        kind: Kind::Export { rows },
        outcome,
        rss_mb: rss_mb(ctx),
    };
    let mut samples = Vec::new();
    let started = Instant::now();
    for _ in 0..calls {
        let at = Instant::now();
        match ctx.http.get("/companies.xlsx?sort=name", Some(&actor.browser.cookie)).await {
            Ok(reply) if matches!(reply.status, 404 | 405) => {
                return line(Outcome::NotAvailable(format!("HTTP {}", reply.status)));
            }
            Ok(reply) if reply.status != 200 || reply.body.is_empty() => {
                return line(Outcome::Failed(format!("HTTP {}: {}", reply.status, reply.excerpt())));
            }
            Ok(_) => samples.push(at.elapsed()),
            Err(error) => return line(Outcome::Failed(format!("{error:#}"))),
        }
    }
    let server = Stats::from_samples(samples, started.elapsed());
    let floor = match floor_error {
        Some(error) => Err(error),
        None => Ok(Stats::from_samples(floor_samples, floor_elapsed)),
    };
    line(Outcome::Done { server, floor })
}

/// Follows the list's "next page" links over HTTP: the cursors the server writes into its
/// pages must lead on. Returns the pages read.
pub async fn walk_links(ctx: &Ctx, role: Role, pages: usize) -> anyhow::Result<usize> {
    let actor = ctx.actor(role);
    let mut path = "/companies?sort=name".to_owned();
    for page in 1..=pages {
        let reply = ctx.http.get(&path, Some(&actor.browser.cookie)).await?;
        if reply.status != 200 {
            bail!("page {page} of the companies list ({path}): HTTP {}", reply.status);
        }
        match crate::http::next_link(&reply.text()) {
            Some(next) => path = next,
            None => return Ok(page),
        }
    }
    Ok(pages)
}
