//! Browser tests: the real `orbita serve --demo` driven through Debian's headless Chromium
//! (chromedriver). They play the brief's scenarios end to end. Slow, so they run only with
//! `ORBITA_BROWSER_TESTS=1` (CI sets it and installs chromium and chromium-driver).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
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

    /// Finds the element and acts on it, again on a fresh one while the page swaps it out (htmx
    /// results, a reload): a stale element is a moment of the page, not a failure.
    async fn with_element<T, F, Fut>(&self, locator: Locator<'_>, action: F) -> T
    where
        F: Fn(Element) -> Fut,
        Fut: Future<Output = Result<T, CmdError>>,
    {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let element =
                self.browser.wait().for_element(locator).await.unwrap_or_else(|e| panic!("{locator:?}: {e}"));
            match action(element).await {
                Ok(value) => return value,
                Err(e) if e.is_stale_element_reference() && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("{locator:?}: {e}"),
            }
        }
    }

    async fn fill(&self, css: &str, text: &str) {
        self.with_element(Locator::Css(css), |field| async move {
            field.clear().await?;
            field.send_keys(text).await
        })
        .await;
    }

    async fn click(&self, css: &str) {
        self.with_element(Locator::Css(css), |element| async move { element.click().await }).await;
    }

    async fn click_link(&self, text: &str) {
        self.with_element(Locator::LinkText(text), |link| async move { link.click().await }).await;
    }

    async fn text(&self, css: &str) -> String {
        self.with_element(Locator::Css(css), |element| async move { element.text().await }).await
    }

    async fn value(&self, css: &str) -> String {
        self.with_element(Locator::Css(css), |field| async move { field.prop("value").await })
            .await
            .unwrap_or_default()
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

    /// Sets a field's value as its picker would (a `datetime-local` input takes no typing that
    /// works the same in every locale).
    async fn set_value(&self, css: &str, value: &str) {
        self.browser.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        let script = "document.querySelector(arguments[0]).value = arguments[1];";
        self.browser.execute(script, vec![css.into(), value.into()]).await.expect("sets the value");
    }

    /// The element's text once it contains `needle` (a page swapped in by htmx or reloaded after
    /// a move takes a moment); spaces normalised, as money is printed with no-break spaces.
    async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = match self.browser.find(Locator::Css(css)).await {
                Ok(element) => plain(&element.text().await.unwrap_or_default()),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return text;
            }
            assert!(Instant::now() < deadline, "{css} never showed {needle:?}: {text}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The number at the end of the current URL's path (`/deals/42` → 42).
    async fn id_in_url(&self) -> i64 {
        let url = self.browser.current_url().await.expect("url");
        let id = url.path().rsplit('/').next().unwrap_or_default().to_owned();
        id.parse().unwrap_or_else(|_| panic!("no id in {url}"))
    }

    /// From a company's card: "+ Сделка", a title and a budget, saved; the deal's id.
    async fn add_deal_from_company_card(&self, title: &str, budget: &str) -> i64 {
        self.click(".page-actions a[href^='/deals/new?company_id=']").await;
        self.wait_for_url_with("/deals/new").await;
        self.fill("#f-title", title).await;
        self.fill("#f-amount", budget).await;
        self.click("form[action='/deals'] button[type=submit]").await;
        self.wait_for_url_without("/deals/new").await;
        self.id_in_url().await
    }

    /// On the deal's card: the pre-sale call, logged with its follow-up task.
    async fn log_call_with_task(&self, subject: &str, task: &str, due: &str) {
        self.fill("#call-subject", subject).await;
        self.fill("#call-task-title", task).await;
        self.set_value("#call-task-due", due).await;
        self.click("form[action='/activities'] button[type=submit]").await;
    }

    /// On the kanban board, the card's "Этап" menu (the keyboard's way, no dragging): moves the
    /// deal to the named stage, with a reason when the stage is a lost one, and waits for the
    /// board to show the card in that stage's column.
    async fn move_on_kanban(&self, deal: i64, stage: &str, reason: Option<&str>) {
        self.open("/deals/kanban").await;
        let card = format!("li.kanban-card[data-deal='{deal}']");
        self.click(&format!("{card} details.kanban-card__menu > summary")).await;
        let forms = self
            .browser
            .find_all(Locator::Css(&format!("{card} .popover__panel form")))
            .await
            .expect("the menu's forms");
        for form in forms {
            let button = form.find(Locator::Css("button.move-item")).await.expect("a target");
            if button.text().await.expect("text").trim() != stage {
                continue;
            }
            let target = form.find(Locator::Css("input[name=stage_id]")).await.expect("stage id");
            let target = target.prop("value").await.expect("value").unwrap_or_default();
            if let Some(reason) = reason {
                let field =
                    form.find(Locator::Css("textarea[name=lost_reason]")).await.expect("reason field");
                field.send_keys(reason).await.expect("type");
            }
            button.click().await.expect("moves");
            let moved = format!("{card}[data-stage='{target}']");
            self.browser
                .wait()
                .for_element(Locator::Css(&moved))
                .await
                .unwrap_or_else(|e| panic!("the card never reached {stage}: {e}"));
            return;
        }
        panic!("no {stage:?} in the move menu of deal {deal}");
    }

    async fn stop(self) {
        let _ = self.browser.clone().close().await;
    }

    /// The server's database, opened beside it: the test moves the background clock (the
    /// overdue scan and the jobs take the time to run at) without sleeping.
    async fn database(&self) -> (orbita_storage::Db, String) {
        let url = format!("sqlite://{}", self._dir.path().join("orbita.db").display());
        let parsed = url.parse().expect("database url");
        let db =
            orbita_storage::Db::connect(&parsed, &Default::default()).await.expect("the server's database");
        (db, url)
    }
}

/// Text as a reader sees it: no-break spaces (money, "15 минут") as plain ones.
fn plain(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
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

/// The brief's "incoming request" and "closing" (won): a manager searches Companies by INN,
/// does not find the client, adds it (name, INN, KPP), finds it by INN and by KPP, adds a deal
/// with a budget from its card, logs the pre-sale call that sets a follow-up task, moves the
/// deal on the kanban board and wins it.
#[tokio::test]
async fn incoming_request_to_a_won_deal() {
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
        s.wait_for_text("#list-results", "ПАО Сбербанк").await;
    }

    // Found: open it, and add the deal from its card.
    s.click_link("ПАО Сбербанк").await;
    s.wait_for_text(".page-title", "ПАО Сбербанк").await;
    let deal = s.add_deal_from_company_card("Остекление офиса на Вавилова", "1 500 000,00").await;
    let head = s.wait_for_text(".page-head", "Остекление офиса на Вавилова").await;
    assert!(head.contains("1 500 000,00 ₽") && head.contains("Новая заявка"), "{head}");
    let details = s.text(".deal-layout__details").await;
    assert!(details.contains("ПАО Сбербанк"), "the company by name: {details}");

    // The pre-sale call goes to the deal's history and sets the next task.
    s.log_call_with_task("Обсудили объём остекления", "Отправить КП Сбербанку", "2030-06-14T10:00").await;
    s.wait_for_text(".deal-layout__history", "Обсудили объём остекления").await;
    s.wait_for_text("body", "Отправить КП Сбербанку").await;
    s.open("/tasks").await;
    s.wait_for_text("main", "Отправить КП Сбербанку").await;

    // On the board: on to the proposal, then won.
    s.move_on_kanban(deal, "Коммерческое предложение", None).await;
    let card = plain(&s.text(&format!("li.kanban-card[data-deal='{deal}']")).await);
    assert!(card.contains("ПАО Сбербанк") && card.contains("Отправить КП Сбербанку"), "{card}");
    s.open(&format!("/deals/{deal}")).await;
    let head = s.wait_for_text(".page-head", "Коммерческое предложение").await;
    assert!(head.contains("В работе"), "{head}");

    s.move_on_kanban(deal, "Успешно реализовано", None).await;
    let amount = s.text(&format!("li.kanban-card[data-deal='{deal}'] .kanban-card__amount")).await;
    assert_eq!(plain(&amount), "1 500 000,00 ₽");
    s.open(&format!("/deals/{deal}")).await;
    let head = s.wait_for_text(".page-head", "Выиграна").await;
    assert!(head.contains("1 500 000,00 ₽") && head.contains("Успешно реализовано"), "{head}");
    s.open("/deals?status=won&q=%D0%92%D0%B0%D0%B2%D0%B8%D0%BB%D0%BE%D0%B2%D0%B0").await;
    let won = s.wait_for_text("main", "Остекление офиса на Вавилова").await;
    assert!(won.contains("1 500 000,00 ₽") && won.contains("ПАО Сбербанк"), "{won}");
    s.stop().await;
}

/// The brief's "closing" when the client refuses: a new client found by KPP after it is added,
/// a deal with a budget, the call and its task, a move on the board, then "Закрыто и не
/// реализовано" with the reason, which the deal's card shows.
#[tokio::test]
async fn incoming_request_to_a_lost_deal_with_its_reason() {
    if !enabled() {
        return;
    }
    let s = Scenario::start(1366, 900).await;
    s.sign_in("manager@demo.orbita.local").await;
    s.open("/companies?q=%D0%A1%D1%82%D0%B5%D0%BA%D0%BB%D0%BE%D0%B4%D0%BE%D0%BC").await;
    s.wait_for_url_with("q=").await;
    assert!(!s.page_text().await.contains("Стеклодом"), "not yet in the base");

    s.open("/companies/new").await;
    s.fill("#f-name", "ООО «Стеклодом»").await;
    s.fill("#f-inn", "7736050003").await;
    s.fill("#f-kpp", "772801001").await;
    s.click("form.form--page button[type=submit]").await;
    s.wait_for_url_without("/companies/new").await;

    s.open("/companies").await;
    s.fill("#list-q", "772801001").await;
    s.wait_for_text("#list-results", "ООО «Стеклодом»").await;
    s.click_link("ООО «Стеклодом»").await;
    s.wait_for_text(".page-title", "ООО «Стеклодом»").await;
    let deal = s.add_deal_from_company_card("Витражи для склада", "320 000").await;
    let head = s.wait_for_text(".page-head", "Витражи для склада").await;
    assert!(head.contains("320 000,00 ₽"), "{head}");

    s.log_call_with_task("Клиент сомневается в цене", "Перезвонить по скидке", "2030-06-15T11:30").await;
    s.wait_for_text(".deal-layout__history", "Клиент сомневается в цене").await;
    s.open("/tasks").await;
    s.wait_for_text("main", "Перезвонить по скидке").await;

    s.move_on_kanban(deal, "Переговоры", None).await;
    s.open(&format!("/deals/{deal}")).await;
    s.wait_for_text(".page-head", "Переговоры").await;

    s.move_on_kanban(deal, "Закрыто и не реализовано", Some("Выбрали конкурента: дешевле на 15%")).await;
    s.open(&format!("/deals/{deal}")).await;
    let head = s.wait_for_text(".page-head", "Проиграна").await;
    assert!(head.contains("Закрыто и не реализовано") && head.contains("320 000,00 ₽"), "{head}");
    let details = s.text(".deal-layout__details").await;
    assert!(details.contains("Выбрали конкурента: дешевле на 15%"), "the reason on the card: {details}");
    s.stop().await;
}

/// A task's deal and contact are found by name in the form's pickers, on a phone: Enter in a
/// search box does not send the half-filled form, a click on a match picks it, and the saved
/// task names both in My tasks.
#[tokio::test]
async fn a_task_is_linked_to_a_deal_and_a_contact_found_by_name() {
    if !enabled() {
        return;
    }
    let s = Scenario::start(390, 844).await;
    s.sign_in("manager@demo.orbita.local").await;
    s.open("/deals/new").await;
    s.fill("#f-title", "Остекление веранды").await;
    s.fill("#f-amount", "180 000").await;
    s.click("form[action='/deals'] button[type=submit]").await;
    s.wait_for_url_without("/deals/new").await;
    s.open("/contacts/new").await;
    s.fill("#f-last_name", "Верандов").await;
    s.fill("#f-first_name", "Пётр").await;
    s.click("form.form--page button[type=submit]").await;
    s.wait_for_url_without("/contacts/new").await;

    s.open("/tasks/new").await;
    s.fill("#f-title", "Согласовать замер веранды").await;
    s.fill("#f-deal_q", "Остекление веранды\n").await;
    s.wait_for_text("#deal-found", "Остекление веранды").await;
    assert!(s.browser.current_url().await.expect("url").path().ends_with("/tasks/new"), "Enter sent nothing");
    s.click("#deal-found .picker__option input[type=radio]").await;
    s.fill("#f-contact_q", "Верандов").await;
    let found = s.wait_for_text("#contact-found", "Верандов Пётр").await;
    assert!(!found.contains("Ничего не найдено"), "{found}");
    s.click("#contact-found .picker__option input[type=radio]").await;
    s.click("form[action='/tasks'] button[type=submit]").await;
    s.wait_for_url_without("/tasks/new").await;
    let row = s.wait_for_text("main", "Согласовать замер веранды").await;
    assert!(row.contains("Остекление веранды") && row.contains("Верандов Пётр"), "{row}");
    s.stop().await;
}

/// Finding 7: an administrator ticks two groups on a user's page and saves; the page comes back
/// saved (not 422) with both boxes ticked.
#[tokio::test]
async fn an_administrator_saves_a_user_with_two_groups() {
    if !enabled() {
        return;
    }
    let s = Scenario::start(1366, 900).await;
    s.sign_in("admin@demo.orbita.local").await;
    // The small demo has one sales group; a second one is added the way an administrator would.
    s.open("/admin/groups").await;
    s.fill("#f-name", "Отдел сервиса").await;
    s.click("form[action='/admin/groups'] button[type=submit]").await;
    s.wait_for_text("table.table", "Отдел сервиса").await;
    s.open("/admin/users").await;
    s.click("table.table tbody tr:nth-child(2) a").await;
    s.wait_for_url_with("/admin/users/").await;
    let boxes = "input[type=checkbox][name=group]";
    let tick = format!(
        "const b = document.querySelectorAll('{boxes}'); b.forEach((x, i) => x.checked = i < 2); return b.length;"
    );
    let count = s.browser.execute(&tick, vec![]).await.expect("script");
    assert!(count.as_u64().unwrap_or(0) >= 2, "the demo has two groups: {count:?}");
    s.click(".form-actions button[type=submit]").await;
    s.wait_for_text(".flashes", "Изменения сохранены").await;
    let ticked = format!("return document.querySelectorAll('{boxes}:checked').length;");
    let ticked = s.browser.execute(&ticked, vec![]).await.expect("script");
    assert_eq!(ticked.as_u64(), Some(2), "{}", s.page_text().await);
    s.stop().await;
}

/// A head of sales narrows the deals by a custom field on a phone: the list's "Условия" opens
/// the builder, choosing the field brings its comparisons and values (htmx), "Показать" goes
/// back to the list with the condition, and its badge opens the builder with the row kept.
#[tokio::test]
async fn a_head_of_sales_builds_a_condition_on_a_custom_field() {
    if !enabled() {
        return;
    }
    let s = Scenario::start(390, 900).await;
    s.sign_in("head@demo.orbita.local").await;
    s.open("/deals").await;
    s.click_link("Условия").await;
    s.wait_for_url_with("/conditions").await;
    let pick = |css: &'static str, value: &'static str| {
        let s = &s;
        async move {
            s.with_element(Locator::Css(css), |select| async move { select.select_by_value(value).await })
                .await;
        }
    };
    pick("#c0-field", "custom.window_type").await;
    // The form comes back with the list's comparisons and its options as the value.
    s.wait_for_text("#c0-value", "ПВХ").await;
    pick("#c0-value", "ПВХ").await;
    s.click(".form-actions button[name=apply]").await;
    s.wait_for_url_with("filter=").await;
    assert!(s.browser.current_url().await.expect("url").path() == "/deals");
    s.wait_for_text(".filter-tree", "Условие отбора").await;
    s.click(".filter-tree a.badge").await;
    s.wait_for_url_with("/conditions").await;
    assert_eq!(s.value("#c0-field").await, "custom.window_type");
    assert_eq!(s.value("#c0-value").await, "ПВХ");
    s.stop().await;
}

impl Scenario {
    /// Chooses the option of a `<select>` whose text is `text` (or starts with it and " · ",
    /// as a stage with its probability).
    async fn choose(&self, css: &str, text: &str) {
        self.browser.wait().for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        let script = "const select = document.querySelector(arguments[0]);
            const option = [...select.options].find(o => o.text.trim() === arguments[1]
                || o.text.trim().startsWith(arguments[1] + ' · '));
            if (!option) { return false; }
            select.value = option.value;
            return true;";
        let chosen = self.browser.execute(script, vec![css.into(), text.into()]).await.expect("chooses");
        assert_eq!(chosen, serde_json::Value::Bool(true), "no option {text:?} in {css}");
    }

    /// Reloads `path` until its text holds `needle`: work a background job does shows up
    /// within the worker's poll (two seconds), without the page asking for it.
    async fn wait_on_page_for(&self, path: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.open(path).await;
            let text = plain(&self.page_text().await);
            if text.contains(needle) {
                return text;
            }
            assert!(Instant::now() < deadline, "{path} never showed {needle:?}: {text}");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

/// The window company of the product brief: a request from the site gets its "call the
/// client" task from the pipeline's robot, the manager hears of it in the bell, moving the
/// deal to Замер gives the measurer their visit, and at Монтаж the installer gets the fitting.
#[tokio::test]
async fn the_window_companys_robots_set_the_call_the_measuring_and_the_fitting() {
    if !enabled() {
        return;
    }
    let s = Scenario::start(1366, 900).await;
    s.sign_in("manager@demo.orbita.local").await;
    s.open("/deals/new").await;
    s.fill("#f-title", "Окна на дачу Смирновых").await;
    s.fill("#f-amount", "185000").await;
    s.choose("#f-stage_id", "Окна: Заявка с сайта").await;
    s.click("form[action='/deals'] button[type=submit]").await;
    s.wait_for_url_without("/deals/new").await;
    let deal = s.id_in_url().await;
    let card = format!("/deals/{deal}");
    s.wait_on_page_for(&card, "Позвонить клиенту: Окна на дачу Смирновых").await;
    let bell = s
        .wait_on_page_for("/notifications", "Вам поручена задача: Позвонить клиенту: Окна на дачу Смирновых")
        .await;
    // (The demo's requests from the site's form were given to them: those they are told of.)
    assert!(
        !bell.contains("Вам передана сделка: Окна на дачу Смирновых"),
        "not told of their own deal: {bell}"
    );

    // Nobody calls. Past the call's deadline (15 working minutes, read off the task) the
    // overdue scan, run with its clock there, tells the manager in the bell, and the
    // pipeline's robot tells the head of sales.
    let (db, url) = s.database().await;
    let pool = sqlx::SqlitePool::connect(&url).await.expect("the server's database");
    let due: orbita_domain::Timestamp = sqlx::query_scalar(
        "SELECT due_at FROM tasks WHERE title = 'Позвонить клиенту: Окна на дачу Смирновых'",
    )
    .fetch_one(&pool)
    .await
    .expect("the call's deadline");
    pool.close().await;
    let late = due + Duration::from_secs(60);
    orbita_app::notifications::scan_overdue(&db, late).await.expect("overdue scan");
    orbita_app::jobs::run_due_at(&db, "browser-test", late).await.expect("the robot's job");
    s.wait_on_page_for("/notifications", "Просрочена задача: Позвонить клиенту: Окна на дачу Смирновых")
        .await;

    // The card's stage bar: one click on the stage.
    s.open(&card).await;
    s.click("button.stages__chip[data-stage='Замер']").await;
    s.wait_on_page_for(&card, "Этап Заявка с сайта → Замер").await;
    // The visit is the measurer's, theirs to see (the manager's scope is their own records).
    s.browser.delete_all_cookies().await.expect("signs out");
    s.sign_in("measurer@demo.orbita.local").await;
    s.wait_on_page_for("/tasks", "Замер: Окна на дачу Смирновых").await;
    s.wait_on_page_for("/notifications", "Вам поручена задача: Замер: Окна на дачу Смирновых").await;
    s.browser.delete_all_cookies().await.expect("signs out");
    s.sign_in("head@demo.orbita.local").await;
    s.wait_on_page_for("/notifications", "Просрочена задача по заказу: Окна на дачу Смирновых").await;

    // The measuring done and the price agreed, the head of sales moves the order on to Монтаж:
    // the least-loaded installer gets the fitting, due in three days, and sees it.
    for stage in ["Согласование", "Оплата", "Монтаж"] {
        s.open(&card).await;
        s.click(&format!("button.stages__chip[data-stage='{stage}']")).await;
        s.wait_on_page_for(&card, &format!("→ {stage}")).await;
        if stage == "Согласование" {
            // A stage's robot acts while the deal is there: the calculation is set first.
            s.wait_on_page_for(&card, "Рассчитать стоимость и перезвонить").await;
        }
    }
    s.browser.delete_all_cookies().await.expect("signs out");
    s.sign_in("installer@demo.orbita.local").await;
    s.wait_on_page_for("/tasks", "Монтаж: Окна на дачу Смирновых").await;
    s.wait_on_page_for("/notifications", "Вам поручена задача: Монтаж: Окна на дачу Смирновых").await;

    // Who got each task, and when each is due, as the robots said.
    let pool = sqlx::SqlitePool::connect(&url).await.expect("the server's database");
    let set: Vec<(String, String, orbita_domain::Timestamp, orbita_domain::Timestamp)> = sqlx::query_as(
        "SELECT t.title, u.email, t.created_at, t.due_at FROM tasks t JOIN users u ON u.id = t.assignee_id \
         WHERE t.title LIKE '%Окна на дачу Смирновых%' ORDER BY t.id",
    )
    .fetch_all(&pool)
    .await
    .expect("the robots' tasks");
    pool.close().await;
    let of = |prefix: &str| {
        set.iter()
            .find(|(title, ..)| title.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}: {set:?}"))
    };
    let hours =
        |(_, _, set_at, due): &(String, String, orbita_domain::Timestamp, orbita_domain::Timestamp)| {
            (*due - *set_at).num_minutes() as f64 / 60.0
        };
    assert_eq!(of("Позвонить клиенту").1, "manager@demo.orbita.local");
    let visit = of("Замер");
    assert_eq!(visit.1, "measurer@demo.orbita.local");
    assert!((hours(visit) - 24.0).abs() < 0.1, "the visit is due in a day: {visit:?}");
    let approval = of("Рассчитать стоимость");
    assert_eq!(approval.1, "manager@demo.orbita.local", "the calculation is the manager's");
    let fitting = of("Монтаж");
    assert_eq!(fitting.1, "installer@demo.orbita.local");
    assert!((hours(fitting) - 72.0).abs() < 0.1, "the fitting is due in three days: {fitting:?}");
    db.close().await;
    s.stop().await;
}

/// The duplicate dead end: a manager adding a client a colleague keeps is told whose it is and
/// asks for access; the colleague opens the notice, shares the company in one choice and one
/// click, and the manager finds it in the list.
#[tokio::test]
async fn a_hidden_duplicate_is_asked_for_and_shared() {
    if !enabled() {
        return;
    }
    let s = Scenario::start(1366, 900).await;
    let (_, url) = s.database().await;
    let pool = sqlx::SqlitePool::connect(&url).await.expect("the server's database");
    let (name, inn, kpp, owner_email, owner_name): (String, String, String, String, String) = sqlx::query_as(
        "SELECT c.name, c.inn, c.kpp, u.email, u.name FROM companies c JOIN users u ON u.id = c.owner_id
         WHERE c.inn IS NOT NULL AND c.kpp IS NOT NULL AND u.email LIKE '%.%@demo.orbita.local'
         ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("a colleague's client");

    s.sign_in("manager@demo.orbita.local").await;
    s.open("/companies/new").await;
    s.fill("#f-name", "Новый клиент").await;
    s.fill("#f-inn", &inn).await;
    s.fill("#f-kpp", &kpp).await;
    s.click("form[action='/companies'] button.btn--primary").await;
    let told = plain(&s.wait_for_text(".duplicates", "Ответственный").await);
    assert!(told.contains(&owner_name) && !told.contains(&name), "whose, and nothing more: {told}");
    s.click("button[formaction='/companies/access-requests']").await;
    s.wait_for_url_with("notice=access-requested").await;

    s.browser.delete_all_cookies().await.expect("signs out");
    s.sign_in(&owner_email).await;
    s.open("/notifications").await;
    let notice = plain(&s.text(".notice__text").await);
    assert!(notice.contains(&name) && notice.contains("Иван Петров"), "{notice}");
    s.click(".notice__text").await;
    s.wait_for_url_with("/companies/").await;
    s.choose("form[action$='/shares'] select", "Иван Петров").await;
    s.click("form[action$='/shares'] button[type=submit]").await;
    s.wait_for_url_with("notice=shared").await;

    s.browser.delete_all_cookies().await.expect("signs out");
    s.sign_in("manager@demo.orbita.local").await;
    s.open(&format!("/companies?q={inn}")).await;
    assert!(plain(&s.page_text().await).contains(&name), "the shared client is in the manager's list");
    s.stop().await;
}

#[tokio::test]
async fn a_buyer_sends_the_sites_form_from_a_phone_and_the_manager_gets_the_deal() {
    if !enabled() {
        return;
    }
    let s = Scenario::start(390, 844).await;
    s.open("/f/demo-zamer").await;
    let page = s.page_text().await;
    assert!(page.contains("Заявка на замер") && page.contains("Ваше имя"), "the hosted page: {page}");
    let script = "return document.documentElement.scrollWidth <= window.innerWidth;";
    let fits = s.browser.execute(script, vec![]).await;
    assert_eq!(fits.expect("measured"), serde_json::Value::Bool(true), "nothing scrolls sideways on a phone");
    s.fill("#f-name", "Мария Ковалёва").await;
    s.fill("#f-phone", "+7 916 700-80-90").await;
    s.fill("#f-comment", "Два окна на кухню").await;
    s.click("input[name=_consent]").await;
    // A person takes a few seconds over a form; a post within 2.5 s of the page is a robot's.
    tokio::time::sleep(Duration::from_secs(3)).await;
    s.click("form[action='/f/demo-zamer'] button[type=submit]").await;
    s.wait_for_text(".public-form__thanks", "Перезвоним в течение 15 минут").await;

    s.sign_in("manager@demo.orbita.local").await;
    let deals = s.wait_on_page_for("/deals", "Заявка на замер: Мария Ковалёва").await;
    assert!(deals.contains("Заявка на замер"), "{deals}");
    s.click_link("Заявка на замер: Мария Ковалёва").await;
    s.wait_for_url_with("/deals/").await;
    let card = format!("/deals/{}", s.id_in_url().await);
    // The pipeline's robot sets the call once the server's worker has run its job.
    let shown = s.wait_on_page_for(&card, "Позвонить клиенту: Заявка на замер: Мария Ковалёва").await;
    assert!(shown.contains("+79167008090") || shown.contains("Ковалёва"), "{shown}");
    s.stop().await;
}

/// "My day" at phone width: a manager lands on it after signing in, ticks off a task of the
/// day with one click (the row turns done in place); a head of sales finds the team's figures.
#[tokio::test]
async fn my_day_is_the_home_page_a_task_is_done_in_one_click_and_a_head_sees_the_team() {
    if !enabled() {
        return;
    }
    let s = Scenario::start(390, 844).await;
    s.sign_in("manager@demo.orbita.local").await;
    s.wait_for_text("h1.page-title", "Мой день").await;
    let first = s.text(".task-list .task-row .task-row__title").await;
    s.click(".task-list .task-row .check-button").await;
    s.wait_for_text(".task-list .task-row", "Выполнена").await;
    assert!(s.text(".task-list .task-row").await.contains(&first), "{first}");

    s.browser.delete_all_cookies().await.expect("signed out");
    s.sign_in("head@demo.orbita.local").await;
    let team = s.wait_for_text("table.day-team", "Иван Петров").await;
    assert!(team.contains("Сотрудник"), "{team}");
    s.stop().await;
}
