//! Background exports through the real router, on SQLite and PostgreSQL: a manager starts a
//! filtered companies export from the list's form, follows the redirect to the progress page,
//! polls it until done and downloads a file holding exactly the filtered list; the page counts
//! rows in Russian with the right plural; the job and its file do not exist for anyone else; a
//! user without the export right is refused at once; each job is audited once.

use std::io::Cursor as IoCursor;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use http_body_util::BodyExt;
use orbita_app::{Access, RequestContext, admin, companies, setup, users};
use orbita_domain::audit::AuditAction;
use orbita_domain::company::CompanyInput;
use orbita_storage::Db;
use orbita_storage::audit::AuditFilter;
use orbita_storage::companies::{CompanyFilter, CompanySort};
use orbita_testkit::on_both;
use orbita_web::{AppState, router};
use tower::ServiceExt;

const PASSWORD: &str = "a good long password";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

/// A browser: the session cookie and the last CSRF token seen; bodies kept as bytes, so
/// downloads can be read back.
struct Client {
    app: Router,
    /// The server's database: the test runs its job queue, as a server's worker would.
    db: Db,
    cookie: String,
    csrf: String,
}

impl Client {
    async fn signed_in(db: &Db, email: &str) -> Client {
        let mut client = Client {
            app: router(AppState::new(db.clone()), orbita_api::router(db.clone(), false)),
            db: db.clone(),
            cookie: String::new(),
            csrf: String::new(),
        };
        let reply = client.send("POST", "/login", Some(&[("email", email), ("password", PASSWORD)])).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "sign-in of {email}");
        client.get("/account/password").await;
        assert!(!client.csrf.is_empty(), "a page carries the CSRF token");
        client
    }

    async fn send(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Reply {
        let mut request = Request::builder().method(method).uri(path).header(header::HOST, "localhost");
        if !self.cookie.is_empty() {
            request = request.header(header::COOKIE, &self.cookie);
        }
        let body = match form {
            Some(fields) => {
                request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                let mut fields = fields.to_vec();
                if !self.csrf.is_empty() {
                    fields.push(("csrf_token", &self.csrf));
                }
                Body::from(serde_urlencoded::to_string(&fields).expect("form"))
            }
            None => Body::empty(),
        };
        let response =
            self.app.clone().oneshot(request.body(body).expect("request")).await.expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(set) = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default();
            if pair.starts_with("orbita_session=") && pair.len() > "orbita_session=".len() {
                self.cookie = pair.to_owned();
            }
        }
        let bytes = response.into_body().collect().await.expect("body").to_bytes().to_vec();
        let reply = Reply { status, headers, bytes };
        if reply.header(header::CONTENT_TYPE).starts_with("text/html") {
            let html = reply.text();
            let marker = "name=\"csrf_token\" value=\"";
            if let Some(start) = html.find(marker).map(|i| i + marker.len())
                && let Some(end) = html[start..].find('"')
            {
                self.csrf = html[start..start + end].to_owned();
            }
        }
        reply
    }

    async fn get(&mut self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.send("POST", path, Some(form)).await
    }

    /// Starts an export as the list's form does; returns the progress page's address.
    async fn start_export(&mut self, list: &str, format: &str, query: &str) -> String {
        let reply = self.post("/exports", &[("list", list), ("format", format), ("query", query)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "a job starts: {}", reply.text());
        let location = reply.header(header::LOCATION).to_owned();
        assert!(location.starts_with("/exports/"), "to the progress page: {location}");
        location
    }

    /// Polls the status fragment, as htmx does every second, until the job ends.
    async fn wait_for(&mut self, page: &str) -> String {
        for _ in 0..600 {
            orbita_web::run_due_jobs(&self.db).await;
            let reply = self.get(&format!("{page}/status")).await;
            assert_eq!(reply.status, StatusCode::OK);
            let html = reply.text();
            if !html.contains("hx-trigger") {
                return html;
            }
            assert!(html.contains("every 1s"), "a running job polls");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the export did not finish in 30 s");
    }
}

async fn person(db: &Db, email: &str, role: &str) -> Access {
    let id =
        users::create_user(db, &RequestContext::system(), email, email, role, PASSWORD).await.expect("user");
    Access::load(db, id, None).await.expect("access")
}

fn read_xlsx(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(IoCursor::new(bytes)).expect("valid xlsx");
    let names = workbook.sheet_names();
    let range = workbook.worksheet_range(&names[0]).expect("sheet");
    let text = |cell: &Data| match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    };
    range.rows().map(|row| row.iter().map(text).collect()).collect()
}

fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a UTF-8 BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(b';')
        .from_reader(body)
        .records()
        .map(|r| r.expect("valid csv").iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn a_manager_exports_a_filtered_list_in_the_background_and_only_they_can_download_it() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let anna = person(&t.db, "anna@x.ru", "manager").await;
        let boris = person(&t.db, "boris@x.ru", "manager").await;
        person(&t.db, "reader@x.ru", "read_only").await;
        for (who, name) in [
            (&anna, "ООО «Ромашка»"),
            (&anna, "Ромашка Север"),
            (&anna, "Лютик"),
            (&anna, "Василёк"),
            (&boris, "Ромашка Юг"),
        ] {
            let input =
                CompanyInput { name: name.into(), region: "Москва".into(), ..CompanyInput::default() };
            companies::create(&t.db, who, &input, None).await.expect("company");
        }
        // What Anna's list shows for the search, in the list's order.
        let filter = CompanyFilter { q: Some("Ромашка".into()), ..CompanyFilter::default() };
        let expected: Vec<String> =
            companies::list(&t.db, &anna, &filter, CompanySort::Name, true, None, 100)
                .await
                .expect("list")
                .items
                .into_iter()
                .map(|c| c.fields.name)
                .collect();
        assert_eq!(expected, ["Ромашка Север", "ООО «Ромашка»"], "{}", t.name);
        let query = "q=%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0&sort=-name";

        let mut client = Client::signed_in(&t.db, "anna@x.ru").await;
        let list = client.get(&format!("/companies?{query}")).await.text();
        assert!(list.contains("action=\"/exports\""), "{}: the list's export form", t.name);
        assert!(list.contains("name=\"list\" value=\"companies\""));

        // XLSX: start, follow the redirect, poll, download.
        let page = client.start_export("companies", "xlsx", query).await;
        let first = client.get(&page).await;
        assert_eq!(first.status, StatusCode::OK, "{}", t.name);
        assert!(first.text().contains("Выгрузка файла"));
        let done = client.wait_for(&page).await;
        assert!(done.contains("2 строки записаны"), "{}: the count in Russian: {done}", t.name);
        assert!(done.contains(&format!("{page}/file")), "the download link");
        let whole = client.get(&page).await.text();
        assert!(whole.contains("2 строки записаны") && whole.contains("Готово"));

        let file = client.get(&format!("{page}/file")).await;
        assert_eq!(file.status, StatusCode::OK, "{}", t.name);
        assert_eq!(file.header(header::CONTENT_TYPE), XLSX);
        let disposition = file.header(header::CONTENT_DISPOSITION).to_owned();
        assert!(
            disposition.starts_with("attachment; filename=\"companies-") && disposition.ends_with(".xlsx\"")
        );
        assert_eq!(file.header(header::CONTENT_LENGTH), file.bytes.len().to_string());
        let rows = read_xlsx(file.bytes);
        assert_eq!(rows[0][0], "Название", "headers in the user's language");
        let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(names, expected, "{}: the filtered list, in its order", t.name);

        // CSV, one row: the singular.
        let page_csv = client.start_export("companies", "csv", "q=%D0%9B%D1%8E%D1%82%D0%B8%D0%BA").await;
        let done = client.wait_for(&page_csv).await;
        assert!(done.contains("1 строка записана"), "{}: {done}", t.name);
        let file = client.get(&format!("{page_csv}/file")).await;
        assert!(file.header(header::CONTENT_TYPE).starts_with("text/csv"));
        let rows = read_csv(&file.bytes);
        assert_eq!(rows.len(), 2, "{}: the header and Лютик", t.name);
        assert_eq!(rows[1][0], "Лютик");

        // "My exports" lists both, newest first.
        let mine = client.get("/exports").await.text();
        let (xlsx_at, csv_at) =
            (mine.find(&format!("href=\"{page}\"")), mine.find(&format!("href=\"{page_csv}\"")));
        assert!(xlsx_at.is_some() && csv_at < xlsx_at, "{}: {mine}", t.name);

        // Each job is audited once, as a direct download is.
        let events = admin::audit_log(
            &t.db,
            &person(&t.db, "admin@x.ru", "administrator").await,
            &AuditFilter { action: Some(AuditAction::Export), ..AuditFilter::default() },
            None,
            50,
        )
        .await
        .expect("audit")
        .items;
        assert_eq!(events.len(), 2, "{}: one event per job", t.name);
        assert!(events.iter().all(|e| e.actor_id == Some(anna.user_id()) && e.entity == "companies"));
        assert!(
            events
                .iter()
                .any(|e| e.changes.iter().any(|c| c.field == "rows" && c.after.as_deref() == Some("2")))
        );

        // Someone else: no such job, status or file.
        let mut other = Client::signed_in(&t.db, "boris@x.ru").await;
        for path in [page.clone(), format!("{page}/status"), format!("{page}/file")] {
            assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND, "{}: {path}", t.name);
        }
        assert!(!other.get("/exports").await.text().contains(&page));

        // No export right: refused at once, no job.
        let mut reader = Client::signed_in(&t.db, "reader@x.ru").await;
        let refused =
            reader.post("/exports", &[("list", "companies"), ("format", "xlsx"), ("query", query)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", t.name);
        assert!(!reader.get("/exports").await.text().contains("/exports/"), "{}: no job", t.name);
        // Neither a list nor a format that does not exist starts anything.
        let unknown =
            client.post("/exports", &[("list", "secrets"), ("format", "xlsx"), ("query", "")]).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        let unknown =
            client.post("/exports", &[("list", "companies"), ("format", "pdf"), ("query", "")]).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);

        // The direct download stays for the API and bookmarks.
        let direct = client.get(&format!("/companies.xlsx?{query}")).await;
        assert_eq!(direct.status, StatusCode::OK, "{}", t.name);
        let names: Vec<String> = read_xlsx(direct.bytes)[1..].iter().map(|r| r[0].clone()).collect();
        assert_eq!(names, expected);
        t
    })
    .await;
}

#[tokio::test]
async fn the_progress_page_speaks_english_to_an_english_browser() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let anna = person(&t.db, "anna@x.ru", "manager").await;
        let input = CompanyInput { name: "Acme".into(), ..CompanyInput::default() };
        companies::create(&t.db, &anna, &input, None).await.expect("company");
        let mut client = Client::signed_in(&t.db, "anna@x.ru").await;
        let page = client.start_export("companies", "csv", "").await;
        client.wait_for(&page).await;
        // The language comes from the browser for a user who has not chosen one.
        let request = Request::builder()
            .uri(&page)
            .header(header::HOST, "localhost")
            .header(header::COOKIE, &client.cookie)
            .header(header::ACCEPT_LANGUAGE, "en")
            .body(Body::empty())
            .expect("request");
        let response = client.app.clone().oneshot(request).await.expect("response");
        let html = String::from_utf8(response.into_body().collect().await.expect("body").to_bytes().to_vec())
            .expect("utf-8");
        assert!(html.contains("1 row written") && html.contains("Download"), "{}: {html}", t.name);
        t
    })
    .await;
}

/// The value of the hidden `query` field of a page's export form for `list`.
fn export_query_of(html: &str, list: &str) -> String {
    let form = html
        .find(&format!("name=\"list\" value=\"{list}\""))
        .map(|at| &html[at..])
        .unwrap_or_else(|| panic!("the page has an export form for {list}"));
    let marker = "name=\"query\" value=\"";
    let start = form.find(marker).expect("a query field") + marker.len();
    let end = form[start..].find('"').expect("the field's end");
    form[start..start + end].replace("&amp;", "&").replace("&#x3D;", "=").replace("&#61;", "=")
}

#[tokio::test]
async fn tasks_activities_and_the_audit_log_export_exactly_what_their_pages_show() {
    use orbita_domain::activity::{ActivityInput, ActivityKind};
    use orbita_domain::task::TaskInput;

    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let anna = person(&t.db, "anna@x.ru", "manager").await;
        let admin = person(&t.db, "admin@x.ru", "administrator").await;
        let now = orbita_domain::now();
        let day = chrono::Duration::days(1);
        let client_company = companies::create(
            &t.db,
            &anna,
            &CompanyInput { name: "Ромашка".into(), ..CompanyInput::default() },
            None,
        )
        .await
        .expect("company");
        for (title, due) in [("Позвонить вчера", now - day), ("Отправить КП", now + day * 3)]
        {
            let input = TaskInput {
                title: title.into(),
                description: String::new(),
                due_at: Some(due),
                assignee_id: anna.user_id(),
                priority: None,
                company_id: None,
                contact_id: None,
                deal_id: None,
            };
            orbita_app::tasks::create(&t.db, &anna, &input).await.expect("task");
        }
        for (kind, subject) in
            [(ActivityKind::Call, "Обсудили цену"), (ActivityKind::Meeting, "Встреча в офисе")]
        {
            let input = ActivityInput {
                kind,
                direction: None,
                status: None,
                occurred_at: now - day,
                duration_minutes: None,
                subject: subject.into(),
                responsible_id: anna.user_id(),
                company_id: Some(client_company.id),
                contact_id: None,
                deal_id: None,
            };
            orbita_app::activities::log(&t.db, &anna, &input, None).await.expect("activity");
        }
        let mut client = Client::signed_in(&t.db, "anna@x.ru").await;

        // Overdue tasks: the form carries the filter, the file holds the overdue one only.
        let page = client.get("/tasks?overdue=1").await.text();
        let query = export_query_of(&page, "tasks");
        assert_eq!(query, "overdue=1", "{}", t.name);
        let job = client.start_export("tasks", "csv", &query).await;
        client.wait_for(&job).await;
        let rows = read_csv(&client.get(&format!("{job}/file")).await.bytes);
        let titles: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(titles, ["Позвонить вчера"], "{}", t.name);

        // Calls only: the meeting stays out.
        let page = client.get("/activities?kind=call").await.text();
        let query = export_query_of(&page, "activities");
        assert_eq!(query, "kind=call", "{}", t.name);
        let job = client.start_export("activities", "xlsx", &query).await;
        client.wait_for(&job).await;
        let rows = read_xlsx(client.get(&format!("{job}/file")).await.bytes);
        assert_eq!(rows.len(), 2, "{}: the header and the call: {rows:?}", t.name);
        assert!(rows[1].iter().any(|cell| cell == "Обсудили цену"), "{}: {rows:?}", t.name);

        // The audit log filtered to tasks: as many rows as the page's filter finds.
        let mut admin_client = Client::signed_in(&t.db, "admin@x.ru").await;
        let page = admin_client.get("/admin/audit?entity=task").await.text();
        let query = export_query_of(&page, "audit");
        assert_eq!(query, "entity=task", "{}", t.name);
        let job = admin_client.start_export("audit", "csv", &query).await;
        admin_client.wait_for(&job).await;
        let rows = read_csv(&admin_client.get(&format!("{job}/file")).await.bytes);
        let filter = AuditFilter { entity: Some("task".into()), ..AuditFilter::default() };
        let events = admin::audit_log(&t.db, &admin, &filter, None, 100).await.expect("audit").items;
        assert_eq!(events.len(), 2, "{}: two tasks created", t.name);
        assert_eq!(rows.len() - 1, events.len(), "{}: {rows:?}", t.name);

        // A user without the export right sees no export form.
        person(&t.db, "reader@x.ru", "read_only").await;
        let mut reader = Client::signed_in(&t.db, "reader@x.ru").await;
        assert!(!reader.get("/tasks").await.text().contains("name=\"list\" value=\"tasks\""));
        t
    })
    .await;
}

/// Finding 8: past the allowance the export form answers 429 with `Retry-After` and a page
/// that says why, and no job is added.
#[tokio::test]
async fn a_fourth_export_at_once_is_refused_with_a_reason() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let anna = person(&t.db, "anna@x.ru", "manager").await;
        let mut tx = t.db.begin().await.expect("begin");
        for _ in 0..orbita_app::export_jobs::MAX_RUNNING_PER_USER {
            let new = orbita_storage::export_jobs::NewExportJob {
                user_id: anna.user_id(),
                list: "companies",
                format: "csv",
                query: "",
                rows_total: None,
            };
            orbita_storage::export_jobs::insert(&mut tx, &new, orbita_domain::now()).await.expect("job");
        }
        tx.commit().await.expect("commit");
        let mut client = Client::signed_in(&t.db, "anna@x.ru").await;
        let reply = client.post("/exports", &[("list", "companies"), ("format", "csv"), ("query", "")]).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", t.name);
        assert_eq!(reply.header(header::RETRY_AFTER), "10", "{}", t.name);
        assert!(reply.text().contains("Уже выполняются 3 выгрузки"), "{}: {}", t.name, reply.text());
        let jobs = orbita_storage::export_jobs::list_for_user(&t.db, anna.user_id(), 10).await.expect("jobs");
        assert_eq!(jobs.len(), 3, "{}: nothing added", t.name);
        t
    })
    .await;
}
