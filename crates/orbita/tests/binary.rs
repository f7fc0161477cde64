//! The real `orbita` binary: configuration errors, serving with demo data on both databases,
//! the first run's set-up link, graceful shutdown, user and token creation, and the crash test
//! (SIGKILL in a burst of writes).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use orbita_storage::Db;
use orbita_storage::companies::{self, CompanyFilter, CompanySort};
use support::{ORBITA, TestDatabase, get, orbita, post_form, start_server, terminate};

async fn company_count(db: &Db) -> usize {
    let page = companies::list(db, &CompanyFilter::default(), CompanySort::Name, false, None, 100_000)
        .await
        .expect("list");
    page.items.len()
}

async fn serve_demo_then_stop(database: &TestDatabase) {
    let (mut server, address, printed) = start_server(&database.url, &["--demo"]);
    let printed = printed.join("\n");
    assert!(printed.contains("admin@demo.orbita.local"), "demo login printed: {printed}");
    assert!(printed.contains("orbita-demo"), "demo password printed: {printed}");
    assert_eq!(get(&address, "/healthz"), ("HTTP/1.1 200 OK".into(), "ok".into()));
    assert_eq!(get(&address, "/readyz").0, "HTTP/1.1 200 OK");
    let status = terminate(&mut server);
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
    let db = database.open().await;
    assert_eq!(company_count(&db).await, 300, "the small demo set is in the database");
    db.close().await;
    // A second start finds the data and does not load it twice.
    let (mut server, _, printed) = start_server(&database.url, &["--demo"]);
    assert!(printed.join("\n").contains("already has data"), "{printed:?}");
    terminate(&mut server);
}

#[tokio::test]
async fn serve_demo_on_sqlite_creates_the_file_loads_data_and_stops_gracefully() {
    let database = TestDatabase::sqlite();
    serve_demo_then_stop(&database).await;
    let path = database.url.strip_prefix("sqlite://").expect("path");
    assert!(Path::new(path).exists(), "the SQLite file and its folder were created");
}

#[tokio::test]
async fn serve_demo_on_postgres() {
    let Some(database) = TestDatabase::postgres("serve").await else {
        eprintln!("ORBITA_TEST_POSTGRES_URL is not set: skipped");
        return;
    };
    serve_demo_then_stop(&database).await;
    database.drop_database().await;
}

/// The first start on an empty database prints a one-time link to the page that creates the
/// first administrator; the link works, and once there is a user no link is printed.
async fn first_run_prints_the_setup_link(database: &TestDatabase) {
    let (mut server, address, printed) = start_server(&database.url, &[]);
    let link = printed
        .iter()
        .find_map(|line| line.trim().strip_prefix(&format!("http://{address}")))
        .filter(|path| path.starts_with("/setup/"))
        .unwrap_or_else(|| panic!("no setup link printed: {printed:?}"))
        .to_owned();
    assert!(printed.join("\n").contains("orbita user create"), "the command-line way too: {printed:?}");
    assert_eq!(get(&address, &link).0, "HTTP/1.1 200 OK", "{link}");
    let fields =
        [("email", "boss@example.com"), ("name", "Главный Админ"), ("password", "a good long password")];
    assert_eq!(post_form(&address, &link, &fields), ("HTTP/1.1 303 See Other".into(), "/admin/users".into()));
    assert_eq!(get(&address, &link).0, "HTTP/1.1 404 Not Found", "the link works once");
    terminate(&mut server);

    let db = database.open().await;
    let users = orbita_storage::users::list(&db).await.expect("users");
    assert_eq!(users.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(), ["boss@example.com"]);
    db.close().await;
    let (mut server, _, printed) = start_server(&database.url, &[]);
    assert!(!printed.iter().any(|line| line.contains("/setup/")), "no link once a user exists: {printed:?}");
    terminate(&mut server);
}

#[tokio::test]
async fn first_run_on_sqlite_prints_a_working_setup_link() {
    first_run_prints_the_setup_link(&TestDatabase::sqlite()).await;
}

#[tokio::test]
async fn first_run_on_postgres_prints_a_working_setup_link() {
    let Some(database) = TestDatabase::postgres("first_run").await else {
        eprintln!("ORBITA_TEST_POSTGRES_URL is not set: skipped");
        return;
    };
    first_run_prints_the_setup_link(&database).await;
    database.drop_database().await;
}

#[test]
fn bad_configuration_fails_with_one_clear_line() {
    for (url, expected) in [
        ("mysql://localhost/x", "unsupported database URL"),
        ("sqlite://", "needs a file path"),
        ("postgres://user:secret@127.0.0.1:1/none", "cannot open the database"),
    ] {
        let output = orbita(url).arg("migrate").output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{url} must fail");
        assert!(stderr.starts_with("error: ") && stderr.contains(expected), "{url}: {stderr}");
        assert!(!stderr.contains("panicked"), "{url}: {stderr}");
        assert!(!stderr.contains("secret"), "the password is never printed: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    }
    let output = Command::new(ORBITA).args(["serve", "--listen", "not-an-address"]).output().expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid value 'not-an-address'"));
}

#[test]
fn user_create_reads_the_password_from_stdin_and_names_bad_fields() {
    let database = TestDatabase::sqlite();
    let create = |email: &str, password: &str| {
        let mut child = orbita(&database.url)
            .args(["user", "create", "--email", email, "--name", "Анна Петрова", "--role", "head_of_sales"])
            .arg("--password-stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        child.stdin.take().expect("stdin").write_all(password.as_bytes()).expect("write");
        child.wait_with_output().expect("output")
    };
    let short = create("anna@example.com", "short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("password: At least 8 characters"));
    let bad_email = create("anna@", "long enough password\n");
    assert!(String::from_utf8_lossy(&bad_email.stderr).contains("email:"));
    let ok = create("anna@example.com", "long enough password\n");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("Created user"));
    let again = create("Anna@Example.com", "long enough password\n");
    assert!(String::from_utf8_lossy(&again.stderr).contains("email: A user with this e-mail already exists"));
}

#[test]
fn token_create_takes_a_read_only_scope_and_an_expiry_and_refuses_a_past_one() {
    let database = TestDatabase::sqlite();
    let mut user = orbita(&database.url)
        .args(["user", "create", "--email", "bot@example.com", "--name", "Bot", "--role", "manager"])
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("runs");
    user.stdin.take().expect("stdin").write_all(b"long enough password\n").expect("write");
    assert!(user.wait().expect("user create").success());
    let token = |expires: &str| {
        orbita(&database.url)
            .args(["token", "create", "--email", "bot@example.com", "--name", "ETL", "--read-only"])
            .args(["--expires", expires])
            .output()
            .expect("token create")
    };

    let day = std::time::Duration::from_secs(24 * 60 * 60);
    let tomorrow = (orbita_domain::now() + day).format("%Y-%m-%d").to_string();
    let made = token(&tomorrow);
    let stdout = String::from_utf8_lossy(&made.stdout);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    assert!(stdout.contains(&format!("(read_only, expires: {tomorrow}T00:00:00+00:00)")), "{stdout}");
    assert!(stdout.lines().last().is_some_and(|line| line.starts_with("orb_")), "{stdout}");

    let past = token("2000-01-01");
    assert!(!past.status.success());
    assert!(String::from_utf8_lossy(&past.stderr).contains("expires_at: Choose a date after today"));
}

/// Kills the writer with SIGKILL mid-burst; every id it acknowledged must be there after a
/// restart of `orbita serve`.
async fn acknowledged_writes_survive_sigkill(database: &TestDatabase) {
    let mut writer = orbita(&database.url)
        .args(["debug-write-burst"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("writer starts");
    let mut lines = BufReader::new(writer.stdout.take().expect("stdout")).lines();
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 300 {
        match lines.next() {
            Some(Ok(line)) => {
                acknowledged.push(line.strip_prefix("ack ").expect("ack line").parse::<i64>().expect("id"))
            }
            other => panic!("writer stopped early: {other:?}"),
        }
    }
    writer.kill().expect("SIGKILL");
    writer.wait().expect("reaped");
    // Whatever was printed after our last read is acknowledged too.
    acknowledged
        .extend(lines.map_while(Result::ok).filter_map(|l| l.strip_prefix("ack ")?.parse::<i64>().ok()));

    let (mut server, address, _) = start_server(&database.url, &[]);
    assert_eq!(get(&address, "/readyz").0, "HTTP/1.1 200 OK");
    terminate(&mut server);
    let db = database.open().await;
    for id in &acknowledged {
        companies::get(&db, orbita_domain::CompanyId(*id))
            .await
            .unwrap_or_else(|e| panic!("acknowledged company {id} lost: {e}"));
    }
    db.close().await;
}

#[tokio::test]
async fn crash_test_sqlite() {
    acknowledged_writes_survive_sigkill(&TestDatabase::sqlite()).await;
}

#[tokio::test]
async fn crash_test_postgres() {
    let Some(database) = TestDatabase::postgres("crash").await else {
        eprintln!("ORBITA_TEST_POSTGRES_URL is not set: skipped");
        return;
    };
    acknowledged_writes_survive_sigkill(&database).await;
    database.drop_database().await;
}
