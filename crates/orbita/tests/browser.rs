//! Browser tests: the real `orbita serve --demo` driven through Debian's headless Chromium
//! (chromedriver). They play the brief's scenarios end to end. Slow, so they run only with
//! `ORBITA_BROWSER_TESTS=1` (CI sets it and installs chromium and chromium-driver).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

const ORBITA: &str = env!("CARGO_BIN_EXE_orbita");

/// A server with demo data, a chromedriver and a signed-out browser session; all stopped on drop.
struct Scenario {
    server: Child,
    driver: Child,
    base: String,
    browser: Client,
    _dir: tempfile::TempDir,
}

fn enabled() -> bool {
    if std::env::var("ORBITA_BROWSER_TESTS").is_ok_and(|v| v == "1") {
        return true;
    }
    eprintln!("ORBITA_BROWSER_TESTS is not 1: browser test skipped");
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Scenario {
    async fn start(width: u32, height: u32) -> Scenario {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut server = Command::new(ORBITA)
            .env("ORBITA_DATABASE_URL", format!("sqlite://{}", dir.path().join("orbita.db").display()))
            .env("ORBITA_LOG", "warn")
            .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            // Not inherited: a server outliving a failed test would hold the test's output open.
            .stderr(Stdio::null())
            .spawn()
            .expect("orbita starts");
        let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.split("serving at ").nth(1) {
                        break rest
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .trim_end_matches('/')
                            .to_owned();
                    }
                }
                _ => panic!("orbita serve did not start"),
            }
        };
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver) starts");
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", format!("--window-size={width},{height}"),
                ],
                // The users' language: the pages follow the browser's Accept-Language.
                "prefs": { "intl.accept_languages": "ru-RU,ru" },
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("a literal object"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let browser = loop {
            let mut builder = ClientBuilder::new(HttpConnector::new());
            builder.capabilities(capabilities.clone());
            match builder.connect(&format!("http://127.0.0.1:{port}")).await {
                Ok(client) => break client,
                Err(error) if Instant::now() > deadline => panic!("chromedriver did not answer: {error}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Scenario { server, driver, base, browser, _dir: dir }
    }

    async fn open(&self, path: &str) {
        self.browser.goto(&format!("{}{path}", self.base)).await.expect("navigates");
    }

    async fn sign_in(&self, email: &str) {
        self.open("/login").await;
        self.fill("#f-email", email).await;
        self.fill("#f-password", "orbita-demo").await;
        self.click("form[action='/login'] button[type=submit]").await;
        self.wait_for_url_without("/login").await;
    }

    async fn fill(&self, css: &str, text: &str) {
        let field =
            self.browser.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    async fn click(&self, css: &str) {
        let element =
            self.browser.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        element.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    async fn text(&self, css: &str) -> String {
        let element =
            self.browser.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        element.text().await.expect("text")
    }

    async fn value(&self, css: &str) -> String {
        let element =
            self.browser.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        element.prop("value").await.expect("value").unwrap_or_default()
    }

    async fn page_text(&self) -> String {
        self.text("body").await
    }

    async fn wait_for_url_without(&self, fragment: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.browser.current_url().await.expect("url");
            if !url.as_str().contains(fragment) {
                return;
            }
            assert!(Instant::now() < deadline, "still at {url}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait_for_url_with(&self, fragment: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.browser.current_url().await.expect("url");
            if url.as_str().contains(fragment) {
                return;
            }
            assert!(Instant::now() < deadline, "never reached a URL with {fragment}: {url}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn stop(self) {
        let _ = self.browser.clone().close().await;
    }
}

/// Also on a failed assertion: no server or driver outlives its test.
impl Drop for Scenario {
    fn drop(&mut self) {
        for child in [&mut self.driver, &mut self.server] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[tokio::test]
async fn an_administrator_signs_in_and_finds_the_audit_log() {
    if !enabled() {
        return;
    }
    let s = Scenario::start(1366, 900).await;
    s.sign_in("admin@demo.orbita.local").await;
    s.open("/admin/audit").await;
    let text = s.page_text().await;
    assert!(text.contains("Журнал событий") && text.contains("Вход"), "{text}");
    s.stop().await;
}

#[tokio::test]
async fn a_wrong_password_keeps_the_visitor_on_the_sign_in_page() {
    if !enabled() {
        return;
    }
    let s = Scenario::start(390, 844).await;
    s.open("/login").await;
    s.fill("#f-email", "manager@demo.orbita.local").await;
    s.fill("#f-password", "wrong password").await;
    s.click("form[action='/login'] button[type=submit]").await;
    let alert = s.text(".alert").await;
    assert!(alert.contains("Неверный e-mail или пароль"), "{alert}");
    s.stop().await;
}

/// The brief's "incoming request", first half: a manager searches Companies by INN, does not
/// find the client, adds it (name, INN, KPP), then finds it by INN and by KPP.
#[tokio::test]
async fn incoming_request_search_by_inn_then_add_the_company() {
    if !enabled() {
        return;
    }
    let s = Scenario::start(1366, 900).await;
    s.sign_in("manager@demo.orbita.local").await;
    s.open("/companies").await;
    s.fill("#list-q", "7707083893\n").await;
    s.wait_for_url_with("q=7707083893").await;
    assert!(!s.page_text().await.contains("ПАО Сбербанк"), "not yet in the base");

    s.open("/companies/new").await;
    s.fill("#f-name", "ПАО Сбербанк").await;
    s.fill("#f-inn", "7707083894").await;
    s.fill("#f-kpp", "773601001").await;
    s.click("form.form--page button[type=submit]").await;
    // A wrong check digit: the message at the field, the typed values kept.
    let error = s.text("#f-inn-error").await;
    assert!(error.contains("Контрольные цифры"), "{error}");
    assert_eq!(s.value("#f-name").await, "ПАО Сбербанк");
    s.fill("#f-inn", "7707083893").await;
    s.click("form.form--page button[type=submit]").await;
    s.wait_for_url_without("/companies/new").await;
    assert!(s.page_text().await.contains("ПАО Сбербанк"), "the card of the new company");

    for query in ["7707083893", "773601001"] {
        s.open(&format!("/companies?q={query}")).await;
        let text = s.page_text().await;
        assert!(text.contains("ПАО Сбербанк"), "found by {query}: {text}");
    }
    s.stop().await;
}
