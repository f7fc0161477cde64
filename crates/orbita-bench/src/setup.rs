//! Before measuring: sign in over HTTP as the demo manager and head of sales, load their rights
//! for the floor, read sample values. And the facts that go above the table.

use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;

use anyhow::Context;
use chrono::{Datelike, Months, NaiveDate};
use orbita_app::Access;
use orbita_domain::validation::Email;

use crate::cli::{Args, Size};
use crate::database::{self, Prepared};
use crate::http::{self, Http};
use crate::ops::{Actor, Ctx};
use crate::samples::{self, Walk};
use crate::server::Server;

pub async fn context(args: &Args, server: &Server, database_url: &str) -> anyhow::Result<Ctx> {
    let http = Http::new(&server.base_url);
    let db = database::connect(database_url).await?;
    let logins = orbita_app::demo::logins();
    // Deep pages: half-way through a head of sales' ~100,000 companies on the large set.
    let walk = match args.size {
        Size::Large => Walk { step: 1_000, depth: 100_000 },
        Size::Small => Walk { step: 5, depth: 200 },
    };
    let mut actors = Vec::new();
    for email in [&logins.manager_email, &logins.head_email, &logins.admin_email] {
        eprintln!("orbita-bench: signing in as {email} and reading sample values…");
        let browser = http::sign_in(&http, email, logins.password).await?;
        let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{}", e.message))?;
        let (user, _) = orbita_storage::users::find_credentials(&db, &email)
            .await?
            .with_context(|| format!("no user {}", email.as_str()))?;
        let access = Access::load(&db, user.id, None).await?;
        let samples = samples::collect(&db, &access, walk).await?;
        actors.push(Actor { user_id: user.id, browser, access, samples });
    }
    let admin = actors.pop().context("administrator")?;
    let head = actors.pop().context("head of sales")?;
    let manager = actors.pop().context("manager")?;
    let pipeline = samples::default_pipeline(&db).await?;
    let moves = samples::open_deals(&db, &manager.access, pipeline.id, 200).await?;
    let currency = orbita_app::setup::settings(&db).await?.currency.as_str().to_owned();
    let today = chrono::Utc::now().date_naive();
    Ok(Ctx {
        http,
        server_pid: server.pid,
        db,
        manager,
        head,
        admin,
        pipeline,
        currency,
        moves: Mutex::new(moves),
        month: month_of(today),
        year: year_of(today),
        created: AtomicUsize::new(0),
    })
}

/// The calendar month of `day`, both ends included (the summary report's default period).
fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let last = first.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(first);
    (first, last)
}

/// The calendar year of `day` (the funnel's default period).
fn year_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day);
    let last = NaiveDate::from_ymd_opt(day.year(), 12, 31).unwrap_or(day);
    (first, last)
}

/// `/proc/loadavg`'s three averages: the machine is shared, so say how busy it was.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

fn memory() -> String {
    let total_kib: Option<u64> = std::fs::read_to_string("/proc/meminfo").ok().and_then(|text| {
        text.lines().find_map(|l| l.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?.trim().parse().ok())
    });
    total_kib.map_or_else(|| "unknown".into(), |kib| format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0))
}

fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(head) => {
            let dirty = git(&["status", "--porcelain"]).is_some_and(|s| !s.is_empty());
            if dirty { format!("{head} (with uncommitted changes in the tree)") } else { head }
        }
        None => "unknown".into(),
    }
}

pub fn facts(
    args: &Args,
    prepared: &Prepared,
    server: &[(String, String)],
    load_before: String,
    walked: String,
) -> Vec<(String, String)> {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let loaded = match prepared.load_time {
        Some(t) => format!("loaded by this run with `orbita demo-data` in {:.1} s", t.as_secs_f64()),
        None => "already loaded (reused)".into(),
    };
    let mut facts = vec![
        ("date".into(), chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string()),
        ("commit".into(), commit()),
        ("machine".into(), format!("{cores} cores, {} memory", memory())),
        ("load average before (1, 5, 15 min)".into(), load_before),
        ("database".into(), format!("{} — demo data {loaded}", database::redact(&prepared.url))),
        ("`orbita migrate` before the start".into(), format!("{:.2} s", prepared.migrate_time.as_secs_f64())),
    ];
    facts.extend(server.iter().cloned());
    facts.push(("keyset paging over HTTP".into(), walked));
    facts.push((
        "time per operation".into(),
        format!("{:.1} s on the server, then {0:.1} s on the floor", args.duration().as_secs_f64()),
    ));
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_whole_months_and_years() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        let (from, to) = month_of(day);
        assert_eq!((from.to_string(), to.to_string()), ("2026-11-01".into(), "2026-11-30".into()));
        let (from, to) = year_of(day);
        assert_eq!((from.to_string(), to.to_string()), ("2026-01-01".into(), "2026-12-31".into()));
    }
}
