//! Background exports on both databases: a job queued by one instance is written by any
//! worker (the same file as a direct export), keeps its owner's file in the database, is
//! refused up front without the Export right, is invisible to anyone else, shows a lost server
//! as stopped and is written again once its lease runs out, and clears out old jobs.

use std::pin::Pin;
use std::sync::Arc;

use chrono::TimeDelta;
use orbita_app::export_jobs::{self, ExportRequest, JobSpec, JobState, Plan, Queued};
use orbita_app::exports::{CompanyColumn, Format, ListExport};
use orbita_app::jobs;
use orbita_app::webhooks::Outbound;
use orbita_app::{Access, AppError, RequestContext, companies, setup, users};
use orbita_domain::company::CompanyInput;
use orbita_domain::org::Locale;
use orbita_domain::{UserId, now};
use orbita_storage::Db;
use orbita_storage::companies::{CompanyFilter, CompanySort};
use orbita_storage::export_jobs::NewExportJob;
use orbita_testkit::on_both;

async fn person(db: &Db, email: &str, role: &str) -> Access {
    let id: UserId =
        users::create_user(db, &RequestContext::system(), email, email, role, "a good long password")
            .await
            .expect("user");
    Access::load(db, id, None).await.expect("access")
}

fn label(_: Locale, key: &str) -> String {
    format!("[{key}]")
}

fn number(_: Locale, key: &str, id: &str) -> String {
    format!("[{key} {id}]")
}

fn how(format: Format) -> JobSpec {
    JobSpec {
        format,
        locale: Locale::Ru,
        label,
        number,
        file_name: format!("companies.{}", format.extension()),
    }
}

/// The companies found by `q`, in the name and owner columns.
fn search(q: &str) -> ExportRequest {
    let filter = CompanyFilter { q: Some(q.into()), ..CompanyFilter::default() };
    let columns = vec![CompanyColumn::Owner, CompanyColumn::Name];
    ExportRequest::Companies(ListExport {
        filter,
        sort: CompanySort::Name,
        descending: false,
        columns,
        custom: Vec::new(),
    })
}

/// Reads a queued export as the companies page would: `q=` is the search.
struct Planner {
    db: Db,
}

impl export_jobs::Planner for Planner {
    fn plan<'a>(
        &'a self,
        job: &'a Queued,
    ) -> Pin<Box<dyn Future<Output = Result<Plan, AppError>> + Send + 'a>> {
        Box::pin(async move {
            let access = Access::load(&self.db, job.user_id, None).await?;
            let q = job.query.strip_prefix("q=").unwrap_or_default();
            Ok(Plan { access, request: search(q), how: how(job.format) })
        })
    }
}

/// Runs the queued exports as `worker` would at `at`; how many jobs it took.
async fn run_exports_at(db: &Db, worker: &str, at: orbita_domain::Timestamp) -> usize {
    let outbound = Outbound::default().with_exports(Arc::new(Planner { db: db.clone() }));
    jobs::run_due_with(db, worker, &outbound, at).await.expect("jobs ran")
}

async fn run_exports(db: &Db) -> usize {
    run_exports_at(db, "w", now()).await
}

async fn download(db: &Db, access: &Access, id: i64) -> Vec<u8> {
    let file = export_jobs::file(db, access, id).await.expect("the file");
    let mut bytes = Vec::new();
    let mut seq = 0;
    while let Some(piece) = file.chunk(db, seq).await.expect("chunk") {
        bytes.extend_from_slice(&piece);
        seq += 1;
    }
    assert_eq!(bytes.len() as u64, file.byte_size);
    bytes
}

#[tokio::test]
async fn a_job_writes_the_filtered_list_for_its_owner_only() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let anna = person(&t.db, "anna@x.ru", "manager").await;
        let boris = person(&t.db, "boris@x.ru", "manager").await;
        let reader = person(&t.db, "reader@x.ru", "read_only").await;
        for (who, name) in
            [(&anna, "Ромашка"), (&anna, "Ромашка Север"), (&anna, "Лютик"), (&boris, "Ромашка Юг")]
        {
            let input = CompanyInput { name: name.into(), ..CompanyInput::default() };
            companies::create(&t.db, who, &input, None).await.expect("company");
        }

        let started =
            export_jobs::start(&t.db, &anna, &search("Ромашка"), Format::Csv, "q=Ромашка", Locale::Ru)
                .await
                .expect("started");
        assert_eq!(run_exports(&t.db).await, 1, "{}: the queue ran it", t.name);
        let job = export_jobs::get(&t.db, &anna, started).await.expect("the job");
        assert_eq!(job.state, JobState::Done, "{}", t.name);
        assert_eq!(
            (job.list.as_str(), job.format, job.query.as_str()),
            ("companies", Format::Csv, "q=Ромашка")
        );
        assert_eq!(job.rows_written, 2, "{}: only Anna's companies that match", t.name);
        assert_eq!(job.file_name.as_deref(), Some("companies.csv"));
        assert!(job.finished_at.is_some() && !job.is_running());

        let bytes = download(&t.db, &anna, started).await;
        let text = String::from_utf8(bytes).expect("utf-8");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines[0], "[field-name];[field-owner]",
            "{}: the chosen columns, in the list's order",
            t.name
        );
        let names: Vec<&str> =
            lines[1..].iter().map(|l| l.split(';').next().unwrap_or_default().trim_matches('"')).collect();
        assert_eq!(names, ["Ромашка", "Ромашка Север"], "{}", t.name);
        assert!(lines[1..].iter().all(|l| l.ends_with(";anna@x.ru")), "{}: {lines:?}", t.name);
        assert_eq!(export_jobs::list_mine(&t.db, &anna).await.expect("mine").len(), 1);

        // Someone else: no such job, no such file, nothing in their list.
        assert!(matches!(export_jobs::get(&t.db, &boris, started).await, Err(AppError::NotFound)));
        assert!(matches!(export_jobs::file(&t.db, &boris, started).await, Err(AppError::NotFound)));
        assert!(export_jobs::list_mine(&t.db, &boris).await.expect("theirs").is_empty());

        // No Export right: refused before any job exists.
        let refused =
            export_jobs::start(&t.db, &reader, &search("Ромашка"), Format::Xlsx, "", Locale::Ru).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{}", t.name);
        assert!(export_jobs::list_mine(&t.db, &reader).await.expect("none").is_empty());
        t
    })
    .await;
}

#[tokio::test]
async fn a_silent_running_job_is_shown_stopped_and_old_jobs_are_cleaned_up() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let anna = person(&t.db, "anna@x.ru", "manager").await;
        let insert = |at| {
            let db = t.db.clone();
            let user = anna.user_id();
            async move {
                let job = NewExportJob {
                    user_id: user,
                    list: "deals",
                    format: "xlsx",
                    query: "",
                    rows_total: None,
                };
                let mut tx = db.begin().await.expect("begin");
                let id = orbita_storage::export_jobs::insert(&mut tx, &job, at).await.expect("insert");
                tx.commit().await.expect("commit");
                id
            }
        };
        let silent = insert(now() - TimeDelta::minutes(3)).await;
        let old = insert(now() - TimeDelta::hours(25)).await;
        let job = export_jobs::get(&t.db, &anna, silent).await.expect("the job");
        assert_eq!(job.state, JobState::Stopped, "{}", t.name);
        assert!(matches!(export_jobs::file(&t.db, &anna, silent).await, Err(AppError::NotFound)));

        // Starting a job clears out those older than a day.
        let started = export_jobs::start(&t.db, &anna, &search("нет такой"), Format::Xlsx, "q=x", Locale::Ru)
            .await
            .expect("start");
        run_exports(&t.db).await;
        assert!(matches!(export_jobs::get(&t.db, &anna, old).await, Err(AppError::NotFound)), "{}", t.name);
        assert!(export_jobs::get(&t.db, &anna, silent).await.is_ok());
        let job = export_jobs::get(&t.db, &anna, started).await.expect("new job");
        assert_eq!((job.state, job.rows_written), (JobState::Done, 0), "{}: an empty file is a file", t.name);
        assert!(job.byte_size.unwrap_or(0) > 0);
        t
    })
    .await;
}

/// Jobs of `who` as if started at `at`, running (heartbeat at `at`) or already failed.
async fn started_jobs(db: &Db, who: &Access, n: i64, at: orbita_domain::Timestamp, running: bool) {
    let mut tx = db.begin().await.expect("begin");
    for _ in 0..n {
        let new = NewExportJob {
            user_id: who.user_id(),
            list: "companies",
            format: "csv",
            query: "",
            rows_total: None,
        };
        let id = orbita_storage::export_jobs::insert(&mut tx, &new, at).await.expect("job");
        if !running {
            orbita_storage::export_jobs::fail(&mut tx, id, "test", at).await.expect("failed");
        }
    }
    tx.commit().await.expect("commit");
}

/// Finding 8: sixty exports were accepted from one user in half a second. Now a user has at
/// most three running and a hundred a day; others are not held back by them.
#[tokio::test]
async fn a_user_runs_three_exports_at_once_and_a_hundred_a_day() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let anna = person(&t.db, "anna@x.ru", "manager").await;
        let boris = person(&t.db, "boris@x.ru", "manager").await;
        started_jobs(&t.db, &anna, export_jobs::MAX_RUNNING_PER_USER, now(), true).await;
        let refused = export_jobs::start(&t.db, &anna, &search("x"), Format::Csv, "", Locale::Ru).await;
        match refused {
            Err(AppError::Quota(quota)) => assert_eq!(quota.code(), "running-exports", "{}", t.name),
            other => panic!("{}: {other:?}", t.name),
        }
        let mine = export_jobs::list_mine(&t.db, &anna).await.expect("list");
        assert_eq!(mine.len() as i64, export_jobs::MAX_RUNNING_PER_USER, "{}: nothing added", t.name);
        // Boris is not held back by Anna's exports.
        export_jobs::start(&t.db, &boris, &search("x"), Format::Csv, "", Locale::Ru).await.expect("boris");
        run_exports(&t.db).await;

        // A job whose server went away long ago no longer counts as running.
        let carla = person(&t.db, "carla@x.ru", "manager").await;
        let long_ago = now() - TimeDelta::hours(1);
        started_jobs(&t.db, &carla, export_jobs::MAX_RUNNING_PER_USER, long_ago, true).await;
        export_jobs::start(&t.db, &carla, &search("x"), Format::Csv, "", Locale::Ru).await.expect("carla");
        run_exports(&t.db).await;

        // A day's allowance, counted from the first export of the last 24 hours.
        let dora = person(&t.db, "dora@x.ru", "manager").await;
        let first = now() - TimeDelta::hours(20);
        started_jobs(&t.db, &dora, 1, first, false).await;
        started_jobs(&t.db, &dora, export_jobs::MAX_PER_USER_PER_DAY - 1, now(), false).await;
        match export_jobs::start(&t.db, &dora, &search("x"), Format::Csv, "", Locale::Ru).await {
            Err(AppError::Quota(quota)) => {
                assert_eq!(quota.code(), "daily-exports", "{}", t.name);
                let hours = quota.retry_after_seconds().div_ceil(3600);
                assert_eq!(hours, 4, "{}: the first one leaves the day in about four hours", t.name);
            }
            other => panic!("{}: {other:?}", t.name),
        }
        t
    })
    .await;
}

/// Four clicks at once with one export left in the day's allowance start one export, on one
/// instance or several (PostgreSQL counts each start after the others have had their turn).
#[tokio::test]
async fn simultaneous_starts_cannot_pass_the_allowance_together() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let erik = person(&t.db, "erik@x.ru", "manager").await;
        started_jobs(&t.db, &erik, export_jobs::MAX_PER_USER_PER_DAY - 1, now(), false).await;
        let request = search("x");
        let start = || export_jobs::start(&t.db, &erik, &request, Format::Csv, "", Locale::Ru);
        let (a, b, c, d) = tokio::join!(start(), start(), start(), start());
        let accepted: Vec<_> = [a, b, c, d].into_iter().filter_map(Result::ok).collect();
        assert_eq!(accepted.len(), 1, "{}: one start fits the allowance", t.name);
        assert_eq!(run_exports(&t.db).await, 1, "{}: one job queued", t.name);
        assert!(start().await.is_err(), "{}: and none after it", t.name);
        t
    })
    .await;
}

/// The instance writing an export stopped (its worker died, the job still leased to it): the
/// page shows it stopped, and once the lease runs out another worker writes the file.
#[tokio::test]
async fn an_export_whose_worker_died_is_written_by_another_once_its_lease_runs_out() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let anna = person(&t.db, "anna@x.ru", "manager").await;
        let input = CompanyInput { name: "Ромашка".into(), ..CompanyInput::default() };
        companies::create(&t.db, &anna, &input, None).await.expect("company");
        let id = export_jobs::start(&t.db, &anna, &search("Ромашка"), Format::Csv, "q=Ромашка", Locale::Ru)
            .await
            .expect("started");
        // A worker takes the job and dies before writing anything.
        let at = now();
        let taken =
            orbita_storage::jobs::claim(&t.db, "dead", at, at + jobs::LEASE, 10).await.expect("claim");
        assert_eq!(taken.len(), 1, "{}", t.name);
        assert_eq!(run_exports(&t.db).await, 0, "{}: still leased", t.name);
        let later = now() + jobs::LEASE + TimeDelta::minutes(1);
        let job = export_jobs::get(&t.db, &anna, id).await.expect("job");
        assert_eq!(job.state, JobState::Running, "{}", t.name);
        assert_eq!(run_exports_at(&t.db, "alive", later).await, 1, "{}: taken again", t.name);
        let job = export_jobs::get(&t.db, &anna, id).await.expect("job");
        assert_eq!((job.state, job.rows_written), (JobState::Done, 1), "{}", t.name);
        let bytes = download(&t.db, &anna, id).await;
        assert!(String::from_utf8(bytes).expect("utf-8").contains("Ромашка"), "{}", t.name);
        // Its job once more (as if the second worker also died after storing it): nothing twice.
        let again = now() + jobs::LEASE * 3;
        assert_eq!(run_exports_at(&t.db, "third", again).await, 0, "{}: done is done", t.name);
        t
    })
    .await;
}
