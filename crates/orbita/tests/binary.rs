//! The real `orbita` binary: configuration errors, serving with demo data on both databases,
//! the first run's set-up link, graceful shutdown, user creation, and the crash test (SIGKILL
//! in a burst of writes).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use orbita_storage::companies::{self, CompanyFilter, CompanySort};
use orbita_storage::{ConnectOptions, DatabaseUrl, Db};

const ORBITA: &str = env!("CARGO_BIN_EXE_orbita");

/// A database for one test: a SQLite file in a temp dir, or a fresh PostgreSQL database.
struct TestDatabase {
    url: String,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

impl TestDatabase {
    fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("data").join("orbita.db").display());
        TestDatabase { url, _dir: Some(dir), pg_admin: None }
    }

    async fn postgres(name: &str) -> Option<TestDatabase> {
        let admin_url = std::env::var("ORBITA_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())?;
        let database = format!("orbita_{name}_{}", std::process::id());
        let admin = sqlx::PgPool::connect(&admin_url).await.expect("PostgreSQL answers");
        let drop = format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&admin).await.expect("drop old");
        let create = format!("CREATE DATABASE {database}");
        sqlx::query(sqlx::AssertSqlSafe(create)).execute(&admin).await.expect("create database");
        admin.close().await;
        let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base);
        let url = format!("{base}/{database}");
        Some(TestDatabase { url, _dir: None, pg_admin: Some((admin_url, database)) })
    }

    async fn open(&self) -> Db {
        let url: DatabaseUrl = self.url.parse().expect("url");
        Db::connect(&url, &ConnectOptions::default()).await.expect("connect")
    }

    async fn drop_database(self) {
        if let Some((admin_url, database)) = self.pg_admin {
            let admin = sqlx::PgPool::connect(&admin_url).await.expect("PostgreSQL answers");
            let drop = format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            let _ = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&admin).await;
            admin.close().await;
        }
    }
}

fn orbita(database_url: &str) -> Command {
    let mut command = Command::new(ORBITA);
    command.env("ORBITA_DATABASE_URL", database_url).env("ORBITA_LOG", "warn").env_remove("ORBITA_LISTEN");
    command
}

/// Starts `orbita serve` on a free port and waits for the line that says where it serves.
fn start_server(database_url: &str, args: &[&str]) -> (Child, String, Vec<String>) {
    let mut child = orbita(database_url)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("orbita starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(rest) = line.split("serving at http://").nth(1) {
            let address = rest.split('/').next().expect("address").to_owned();
            return (child, address, seen);
        }
        seen.push(line);
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("orbita serve did not start; it printed: {seen:?}");
}

/// A plain HTTP/1.1 GET: status line and body.
fn get(address: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response.lines().next().unwrap_or_default().to_owned();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (status, body)
}

/// A plain HTTP/1.1 POST of a form: status line and the `Location` header, if any.
fn post_form(address: &str, path: &str, fields: &[(&str, &str)]) -> (String, String) {
    let body = fields
        .iter()
        .map(|(name, value)| format!("{name}={}", form_encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response.lines().next().unwrap_or_default().to_owned();
    let location = response
        .lines()
        .take_while(|line| !line.is_empty())
        .find_map(|line| line.strip_prefix("location: ").or_else(|| line.strip_prefix("Location: ")))
        .unwrap_or_default()
        .to_owned();
    (status, location)
}

/// `application/x-www-form-urlencoded`: unreserved bytes as they are, the rest as `%XX`.
fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill -TERM");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "orbita did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

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
