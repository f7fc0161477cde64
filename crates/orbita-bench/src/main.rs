//! `orbita-bench`: prepares a database, starts the real `orbita serve`, signs in as a manager
//! and as a head of sales, times every operation over HTTP and the same queries in-process (the
//! floor), and writes the table. Exits non-zero if an operation fails, so the CI smoke run
//! catches a harness or a page that has rotted; missed targets are reported, not fatal.

mod cli;
mod database;
mod http;
mod measure;
mod ops;
mod queue;
mod report;
mod run;
mod samples;
mod server;
mod setup;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use crate::cli::{Args, Size};
use crate::measure::Budget;
use crate::ops::{Op, Role};
use crate::run::{Line, Outcome};
use crate::server::Server;

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(until_stopped(bench(&args))) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("error: some operations failed (see the table)");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `work` unless SIGTERM or Ctrl-C comes first (CI's `timeout`): then dropping it kills
/// the server (`kill_on_drop`) and removes a temporary SQLite folder, instead of leaving an
/// orphan server behind.
async fn until_stopped(
    work: impl std::future::Future<Output = anyhow::Result<bool>>,
) -> anyhow::Result<bool> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("listening for SIGTERM")?;
    tokio::select! {
        result = work => result,
        _ = terminate.recv() => anyhow::bail!("stopped by SIGTERM"),
        _ = tokio::signal::ctrl_c() => anyhow::bail!("stopped by Ctrl-C"),
    }
}

/// The whole run; `Ok(false)` when an operation failed.
async fn bench(args: &Args) -> anyhow::Result<bool> {
    let orbita = database::find_orbita(args.orbita.as_ref())?;
    let load_before = setup::load_average();
    eprintln!("orbita-bench: preparing the {} {} database…", args.db.as_str(), args.size.as_str());
    let prepared = database::prepare(args, &orbita).await?;
    let result = with_database(args, &orbita, &prepared, load_before).await;
    // A temporary database goes even when the run failed.
    let cleanup = prepared.cleanup().await;
    let (text, ok) = result?;
    cleanup?;
    let out = args.out_path();
    std::fs::write(&out, &text).with_context(|| format!("writing {}", out.display()))?;
    println!("{text}");
    eprintln!("orbita-bench: written to {}", out.display());
    Ok(ok)
}

async fn with_database(
    args: &Args,
    orbita: &std::path::Path,
    prepared: &database::Prepared,
    load_before: String,
) -> anyhow::Result<(String, bool)> {
    let out = args.out_path();
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let log = out.with_extension("server.log");
    eprintln!("orbita-bench: starting the server (log: {})…", log.display());
    let server = Server::start(orbita, &prepared.url, &log).await?;
    eprintln!("orbita-bench: serving at {} after {:.2} s", server.base_url, server.start_time.as_secs_f64());
    let result = with_server(args, &server, &prepared.url).await;
    let peak_rss_mb = server.peak_rss_kib() as f64 / 1024.0;
    let started = server_facts(&server);
    server.stop().await?;
    let (lines, walked) = result?;

    let mut meta = report::Meta {
        title: format!("Orbita benchmark: {}, {} data set", args.db.as_str(), args.size.as_str()),
        facts: setup::facts(args, prepared, &started, load_before, walked),
        peak_rss_mb,
    };
    meta.facts.push(("load average after".into(), setup::load_average()));
    let (text, _misses) = report::render(&meta, &lines, args.db);
    let ok = !lines.iter().any(|l| matches!(l.outcome, Outcome::Failed(_)));
    Ok((text, ok))
}

fn server_facts(server: &Server) -> Vec<(String, String)> {
    vec![
        (
            "server start (launch until /readyz answers)".into(),
            format!("{:.2} s", server.start_time.as_secs_f64()),
        ),
        ("server RSS after start".into(), format!("{:.0} MB", server.rss_after_start_kib as f64 / 1024.0)),
    ]
}

/// Signs in, reads the sample values, and measures every operation in turn.
async fn with_server(
    args: &Args,
    server: &Server,
    database_url: &str,
) -> anyhow::Result<(Vec<Line>, String)> {
    let ctx = setup::context(args, server, database_url).await?;
    let walk_pages = if args.size == Size::Large { 20 } else { 3 };
    let walked = match run::walk_links(&ctx, Role::Head, walk_pages).await {
        Ok(pages) => format!("{pages} pages read by following \"next page\" links: OK"),
        Err(error) => format!("FAILED: {error:#}"),
    };
    let walked = format!(
        "{walked}; the deep pages start about {} rows in (manager) and {} rows in (head of sales)",
        ctx.manager.samples.deep_rows, ctx.head.samples.deep_rows
    );
    let large = args.size == Size::Large;
    let duration = args.duration();
    let reads = Budget { duration, min_calls: if large { 10 } else { 3 }, max_calls: 1_000_000, warmup: 3 };
    let writes = Budget { max_calls: if large { 300 } else { 20 }, ..reads };

    let mut lines = Vec::new();
    let mut plan = vec![(Op::Session, Role::Manager)];
    for op in [
        Op::ListFirst,
        Op::ListDeep,
        Op::ByInn,
        Op::ByKpp,
        Op::ByName,
        Op::ContactByPhone,
        Op::ContactByEmail,
        Op::GlobalSearch,
        Op::Card,
        Op::ContactCard,
        Op::DealCard,
        Op::DealsList,
        Op::DealsFiltered,
        Op::MyTasks,
        Op::MyDay,
        Op::Activities,
        Op::Kanban,
        Op::Summary,
        Op::Funnel,
    ] {
        plan.extend([(op, Role::Manager), (op, Role::Head)]);
    }
    plan.extend([
        (Op::DealsByCustomField, Role::Manager),
        (Op::DealsByCustomField, Role::Head),
        (Op::DealsByCustomField, Role::Admin),
        (Op::CreateDeal, Role::Manager),
        (Op::MoveStage, Role::Manager),
        (Op::LogCall, Role::Manager),
        (Op::WebFormPost, Role::Manager),
    ]);
    if args.only_queue {
        plan.clear();
    }
    if let Some(only) = &args.only {
        plan.retain(|(op, _)| op.title().contains(only.as_str()));
    }
    for (op, role) in plan {
        let budget = if op.is_write() { &writes } else { &reads };
        let line = run::latency(&ctx, op, role, budget).await;
        progress(&line);
        lines.push(line);
    }
    if args.only.is_some() {
        ctx.db.close().await;
        return Ok((lines, walked));
    }
    // The same move with rules on every stage: their work is queued in the move's write.
    let rules = queue::add_rules(&ctx).await?;
    let mut line = run::latency(&ctx, Op::MoveStage, Role::Manager, &writes).await;
    line.title = format!("move a deal's stage ({} rules set off)", queue::RULES_PER_STAGE);
    queue::remove_rules(&ctx, &rules).await?;
    progress(&line);
    lines.push(line);
    let line = queue::throughput(&ctx, args.queue_jobs.unwrap_or(if large { 20_000 } else { 2_000 })).await;
    progress(&line);
    lines.push(line);
    if args.only_queue {
        ctx.db.close().await;
        return Ok((lines, walked));
    }
    let line = run::export(&ctx, Role::Head, if large { 3 } else { 2 }).await;
    progress(&line);
    lines.push(line);
    let line =
        run::throughput(&ctx, Role::Manager, args.connections, duration.max(Duration::from_secs(1)) * 2)
            .await;
    progress(&line);
    lines.push(line);
    ctx.db.close().await;
    Ok((lines, walked))
}

/// One line on stderr per operation, so a long run shows where it is.
fn progress(line: &Line) {
    let what = match &line.outcome {
        Outcome::Done { server, floor } => {
            let floor = floor.as_ref().map_or_else(
                |e| format!("floor failed: {e}"),
                |f| format!("floor p50 {:.2} ms", f.p50.as_secs_f64() * 1000.0),
            );
            format!(
                "p50 {:.2} ms, p95 {:.2} ms, {:.0}/s; {floor}",
                server.p50.as_secs_f64() * 1000.0,
                server.p95.as_secs_f64() * 1000.0,
                server.per_sec
            )
        }
        Outcome::NotAvailable(why) => format!("not yet available ({why})"),
        Outcome::NoSamples => "no sample values".into(),
        Outcome::Failed(error) => format!("FAILED: {error}"),
    };
    eprintln!("  {} ({}): {what}", line.title, line.role.label());
}
