//! What the tests of the real binary share: a database per test, starting `orbita serve` on
//! a free port, and a plain HTTP/1.1 client (no client library: the tests see the bytes a
//! browser would).
#![allow(dead_code, reason = "each test binary uses a part of these helpers")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use orbita_storage::{ConnectOptions, DatabaseUrl, Db};

pub const ORBITA: &str = env!("CARGO_BIN_EXE_orbita");

/// A database for one test: a SQLite file in a temp dir, or a fresh PostgreSQL database.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

impl TestDatabase {
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("data").join("orbita.db").display());
        TestDatabase { url, _dir: Some(dir), pg_admin: None }
    }

    /// A SQLite file at a path the test chose (a small filesystem, say).
    pub fn sqlite_at(path: &std::path::Path) -> TestDatabase {
        TestDatabase { url: format!("sqlite://{}", path.display()), _dir: None, pg_admin: None }
    }

    pub async fn postgres(name: &str) -> Option<TestDatabase> {
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

    pub async fn open(&self) -> Db {
        let url: DatabaseUrl = self.url.parse().expect("url");
        Db::connect(&url, &ConnectOptions::default()).await.expect("connect")
    }

    pub async fn drop_database(self) {
        if let Some((admin_url, database)) = self.pg_admin {
            let admin = sqlx::PgPool::connect(&admin_url).await.expect("PostgreSQL answers");
            let drop = format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            let _ = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&admin).await;
            admin.close().await;
        }
    }
}

pub fn orbita(database_url: &str) -> Command {
    let mut command = Command::new(ORBITA);
    command.env("ORBITA_DATABASE_URL", database_url).env("ORBITA_LOG", "warn").env_remove("ORBITA_LISTEN");
    command
}

/// Starts `orbita serve` on a free port and waits for the line that says where it serves.
pub fn start_server(database_url: &str, args: &[&str]) -> (Child, String, Vec<String>) {
    start_server_with(database_url, args, &[])
}

/// The same with environment variables (`ORBITA_SECRET_KEY`, …).
pub fn start_server_with(
    database_url: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Child, String, Vec<String>) {
    let mut child = orbita(database_url)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
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
pub fn get(address: &str, path: &str) -> (String, String) {
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
pub fn post_form(address: &str, path: &str, fields: &[(&str, &str)]) -> (String, String) {
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
pub fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

pub fn terminate(child: &mut Child) -> std::process::ExitStatus {
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

/// One HTTP/1.1 exchange: status code, headers (names in lower case) and body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Any request: `headers` as written (e.g. `("Authorization", "Bearer …")`), a body or none.
pub fn request(address: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).expect("send");
    stream.write_all(body.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    // Bodies may come chunked; the tests only look for words in them.
    Response { status, headers, body: body.to_owned() }
}
