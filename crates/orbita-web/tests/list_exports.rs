//! Files as the pages show them, through the real router on SQLite and PostgreSQL: a list's
//! export form carries the columns chosen on screen, and the background job's file (CSV) and the
//! direct download (XLSX) hold the page's headers and rows in the page's order; without a
//! choice, the page's default columns. The sales-targets grid exports from its page.

use std::io::Cursor as IoCursor;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use http_body_util::BodyExt;
use orbita_app::{Access, RequestContext, companies, contacts, deals, setup, targets, users};
use orbita_domain::company::CompanyInput;
use orbita_domain::contact::ContactInput;
use orbita_domain::deal::DealInput;
use orbita_storage::Db;
use orbita_storage::targets::Month;
use orbita_testkit::on_both;
use orbita_web::{AppState, router};
use tower::ServiceExt;

const PASSWORD: &str = "a good long password";

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
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
        let (status, headers) = (response.status(), response.headers().clone());
        if let Some(set) = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default();
            if pair.starts_with("orbita_session=") && pair.len() > "orbita_session=".len() {
                self.cookie = pair.to_owned();
            }
        }
        let bytes = response.into_body().collect().await.expect("body").to_bytes().to_vec();
        let reply = Reply { status, headers, bytes };
        if let Some(token) = hidden(&reply.text(), "csrf_token") {
            self.csrf = token;
        }
        reply
    }

    async fn get(&mut self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    /// Sends the page's export form (list, query) for `format`, waits for the job as the
    /// progress page does, and downloads its file.
    async fn export_from(&mut self, page: &str, format: &str) -> Vec<u8> {
        let form = export_form(page);
        let list = hidden(form, "list").expect("the export form's list");
        let query = hidden(form, "query").unwrap_or_default();
        let reply = self
            .send("POST", "/exports", Some(&[("list", &list), ("format", format), ("query", &query)]))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "a job starts: {}", reply.text());
        let job = reply.headers[header::LOCATION].to_str().expect("location").to_owned();
        for _ in 0..600 {
            orbita_web::run_due_jobs(&self.db).await;
            if !self.get(&format!("{job}/status")).await.text().contains("hx-trigger") {
                let file = self.get(&format!("{job}/file")).await;
                assert_eq!(file.status, StatusCode::OK, "{job}");
                return file.bytes;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the export did not finish in 30 s");
    }
}

/// The HTML of the page's export form (`action="/exports"`).
fn export_form(page: &str) -> &str {
    let start = page.find("action=\"/exports\"").expect("an export form on the page");
    let end = page[start..].find("</form>").map_or(page.len(), |e| start + e);
    &page[start..end]
}

/// The value of the first hidden input `name` in `html`, unescaped.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(unescape(&html[start..start + end]))
}

/// HTML's escapes as askama writes them: named, decimal (`&#38;`) or hexadecimal.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let entity = rest[start + 1..].split_once(';').map(|(e, _)| e).filter(|e| e.len() <= 8);
        let decoded = entity.and_then(|e| match e {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            _ => match e.strip_prefix("#x") {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => e.strip_prefix('#').and_then(|d| d.parse().ok()),
            }
            .and_then(char::from_u32),
        });
        match (entity, decoded) {
            (Some(entity), Some(c)) => {
                out.push(c);
                rest = &rest[start + entity.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[start + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of `html` without its tags, whitespace squeezed; a dash for "empty" is empty.
fn plain(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = unescape(&text).split_whitespace().collect::<Vec<_>>().join(" ");
    if text == "—" { String::new() } else { text }
}

/// The cells between `<open` and `</close>` of `html`, as plain text.
fn cells(html: &str, open: &str, close: &str) -> Vec<String> {
    html.split(open)
        .skip(1)
        .map(|part| {
            let inner = part.find('>').map_or(part, |i| &part[i + 1..]);
            plain(inner.split(close).next().unwrap_or_default())
        })
        .collect()
}

/// The page's table: its header row, then each row, as text.
fn table(page: &str) -> Vec<Vec<String>> {
    let start = page.find("<table").expect("a table");
    let end = page[start..].find("</table>").map_or(page.len(), |e| start + e);
    let table = &page[start..end];
    let (head, body) = table.split_once("</thead>").expect("a head");
    let head = head.replace("<thead", "");
    let mut rows = vec![cells(&head, "<th", "</th>")];
    rows.extend(body.split("<tr").skip(1).map(|row| cells(row, "<td", "</td>")));
    rows
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

fn read_xlsx(bytes: Vec<u8>) -> Vec<Vec<Data>> {
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(IoCursor::new(bytes)).expect("valid xlsx");
    let names = workbook.sheet_names();
    let range = workbook.worksheet_range(&names[0]).expect("sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

async fn person(db: &Db, email: &str, name: &str, role: &str) -> Access {
    let id =
        users::create_user(db, &RequestContext::system(), email, name, role, PASSWORD).await.expect("user");
    Access::load(db, id, None).await.expect("access")
}

/// Anna's clients with a deal and a contact each, and Boris's, which she may not see.
async fn seed(db: &Db, anna: &Access, boris: &Access) {
    for (who, name, region, industry) in [
        (anna, "Ромашка", "Москва", "Ритейл"),
        (anna, "Лютик", "Казань", ""),
        (anna, "Василёк", "", "Стройка"),
        (boris, "Одуванчик", "Москва", "Ритейл"),
    ] {
        let input = CompanyInput {
            name: name.into(),
            region: region.into(),
            industry: industry.into(),
            ..Default::default()
        };
        let company = companies::create(db, who, &input, None).await.expect("company").id;
        let deal = DealInput {
            title: format!("Поставка {name}"),
            amount: "1000".into(),
            company_id: Some(company),
            source: "Сайт".into(),
            ..Default::default()
        };
        deals::create(db, who, &deal, None, None, None).await.expect("deal");
        let contact = ContactInput {
            last_name: format!("Иванов из {name}"),
            company_id: Some(company),
            ..Default::default()
        };
        contacts::create(db, who, &contact, None).await.expect("contact");
    }
}

#[tokio::test]
async fn a_lists_files_hold_the_columns_and_rows_on_screen() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let anna = person(&t.db, "anna@x.ru", "Анна", "manager").await;
        let boris = person(&t.db, "boris@x.ru", "Борис", "manager").await;
        seed(&t.db, &anna, &boris).await;
        let mut client = Client::signed_in(&t.db, "anna@x.ru").await;

        // Companies: the columns chosen out of order, a filter and a sort.
        for path in [
            "/companies?sort=-name&cols=owner&cols=industry,region",
            "/deals?sort=title&col=title&col=source&col=company&col=stage&col=owner",
        ] {
            let page = client.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            let page = page.text();
            let shown = table(&page);
            assert!(shown.len() >= 4, "{}: {path}: the header and Anna's three rows: {shown:?}", t.name);
            assert!(shown.iter().flatten().all(|cell| !cell.contains("Одуванчик")), "{}: Boris's", t.name);

            let job = read_csv(&client.export_from(&page, "csv").await);
            assert_eq!(job, shown, "{}: {path}: the job's file is the table on screen", t.name);

            let query = hidden(export_form(&page), "query").unwrap_or_default();
            let list = path.split('?').next().unwrap_or_default();
            let direct = client.get(&format!("{list}.xlsx?{query}")).await;
            assert_eq!(direct.status, StatusCode::OK, "{path}");
            let sheet: Vec<Vec<String>> = read_xlsx(direct.bytes)
                .iter()
                .map(|r| (0..shown[0].len()).map(|i| r.get(i).map(text).unwrap_or_default()).collect())
                .collect();
            assert_eq!(sheet, shown, "{}: {path}: the direct download is too", t.name);
        }

        // No choice: the page's default columns, in both the page and its file.
        for list in ["/companies", "/contacts", "/deals"] {
            let page = client.get(list).await.text();
            let header = table(&page).remove(0);
            let file = read_csv(&client.export_from(&page, "csv").await);
            assert_eq!(file[0], header, "{}: {list}: the default columns", t.name);
            // The form names the columns on screen, so the file holds them as they are now.
            let query = hidden(export_form(&page), "query").unwrap_or_default();
            let named = match list {
                "/companies" => "cols=name%2Cinn%2Ckpp%2Cregion%2Cphone%2Cowner%2Cupdated",
                "/contacts" => "cols=name%2Cposition%2Ccompany%2Cphone%2Cemail%2Cowner",
                "/deals" => "cols=title%2Ccompany%2Camount%2Cstage%2Cstatus%2Cowner%2Ccreated",
                _ => "",
            };
            assert_eq!(query, named, "{}: {list}", t.name);
        }
        t
    })
    .await;
}

#[tokio::test]
async fn the_targets_grid_exports_from_its_page() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let admin = person(&t.db, "admin@x.ru", "Админ", "administrator").await;
        let anna = person(&t.db, "anna@x.ru", "Анна", "manager").await;
        let march = Month::new(2025, 3).expect("month");
        targets::set(&t.db, &admin, anna.user_id(), "2025-03", "150 000").await.expect("target");
        let mut client = Client::signed_in(&t.db, "admin@x.ru").await;
        let page = client.get("/reports/targets?from=2025-03&to=2025-04").await.text();
        let form = export_form(&page);
        assert_eq!(hidden(form, "list").as_deref(), Some("targets"));
        assert_eq!(hidden(form, "query").as_deref(), Some("from=2025-03&to=2025-04"));
        let rows = read_csv(&client.export_from(&page, "csv").await);
        assert_eq!(
            rows[0][..4],
            ["Сотрудник", "мар 2025: План", "мар 2025: Факт", "мар 2025: % плана"],
            "{}",
            t.name
        );
        assert_eq!(rows[0].len(), 7, "{}: two months of three figures", t.name);
        let anna_row = rows.iter().find(|r| r[0] == "Анна").expect("Анна's row");
        assert_eq!(anna_row[1..4], ["150000,00", "0,00", "0%"], "{}", t.name);
        let grid = targets::grid(&t.db, &admin, march, march.next().expect("april")).await.expect("grid");
        assert_eq!(rows.len(), grid.rows.len() + 2, "{}: the header, the grid's rows, the total", t.name);

        let sheet = read_xlsx(client.get("/reports/targets.xlsx?from=2025-03&to=2025-04").await.bytes);
        let anna_cells = sheet.iter().find(|r| text(&r[0]) == "Анна").expect("Анна's row");
        assert_eq!(anna_cells[1], Data::Float(150_000.0), "{}: a money cell", t.name);
        let bad = client.get("/reports/targets.csv?from=2025-3").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);

        // A manager has no report export: no form, and the file is refused.
        let mut manager = Client::signed_in(&t.db, "anna@x.ru").await;
        let page = manager.get("/reports/targets").await.text();
        assert!(!page.contains("action=\"/exports\""), "{}", t.name);
        assert_eq!(manager.get("/reports/targets.csv").await.status, StatusCode::FORBIDDEN, "{}", t.name);
        t
    })
    .await;
}
