//! The report pages, the targets grid and the downloads through the real router: a head of
//! sales reads the summary report of their group (figures as the service computes them, each a
//! link to its list), sets targets in place, sees the funnel; a manager may not set targets;
//! every list downloads as XLSX and CSV holding exactly what the list shows, only the rows the
//! user may see, and the download is audited.

use std::io::Cursor as IoCursor;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, Days, Months, NaiveDate};
use http_body_util::BodyExt;
use orbita_app::reports::{self, SummaryParams};
use orbita_app::{Access, RequestContext, admin, companies, deals, setup, targets, users};
use orbita_domain::audit::AuditAction;
use orbita_domain::company::CompanyInput;
use orbita_domain::deal::DealInput;
use orbita_domain::pipeline::StageKind;
use orbita_domain::validation::Money;
use orbita_domain::{UserId, now};
use orbita_storage::Db;
use orbita_storage::audit::AuditFilter;
use orbita_storage::companies::{CompanyFilter, CompanySort};
use orbita_storage::targets::Month;
use orbita_testkit::{TestDb, on_both};
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
    cookie: String,
    csrf: String,
}

impl Client {
    async fn signed_in(db: &Db, email: &str) -> Client {
        let mut client = Client {
            app: router(AppState::new(db.clone()), orbita_api::router(db.clone(), false)),
            cookie: String::new(),
            csrf: String::new(),
        };
        let reply =
            client.send("POST", "/login", Some(&[("email", email), ("password", PASSWORD)]), false).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "sign-in of {email}");
        client.get("/account/password").await;
        assert!(!client.csrf.is_empty(), "a page carries the CSRF token");
        client
    }

    async fn send(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>, htmx: bool) -> Reply {
        let mut request = Request::builder().method(method).uri(path).header(header::HOST, "localhost");
        if !self.cookie.is_empty() {
            request = request.header(header::COOKIE, &self.cookie);
        }
        if htmx {
            request = request.header("hx-request", "true");
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
        self.send("GET", path, None, false).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)], htmx: bool) -> Reply {
        self.send("POST", path, Some(form), htmx).await
    }
}

struct Team {
    admin: Access,
    head: Access,
    m1: Access,
    m2: Access,
}

async fn person(db: &Db, email: &str, role: &str) -> UserId {
    users::create_user(db, &RequestContext::system(), email, email, role, PASSWORD).await.expect("user")
}

/// The head and manager 1 in team A, manager 2 in team B.
async fn team(db: &Db) -> Team {
    setup::bootstrap(db).await.expect("bootstrap");
    let admin = person(db, "admin@x.ru", "administrator").await;
    let head = person(db, "head@x.ru", "head_of_sales").await;
    let m1 = person(db, "m1@x.ru", "manager").await;
    let m2 = person(db, "m2@x.ru", "manager").await;
    let mut tx = db.begin().await.expect("begin");
    let a = orbita_storage::users::insert_group(&mut tx, "Team A", now()).await.expect("group");
    let b = orbita_storage::users::insert_group(&mut tx, "Team B", now()).await.expect("group");
    for (group, user) in [(a, head), (a, m1), (b, m2)] {
        orbita_storage::users::add_to_group(&mut tx, group, user, now()).await.expect("member");
    }
    tx.commit().await.expect("commit");
    let load = |id| async move { Access::load(db, id, None).await.expect("access") };
    Team { admin: load(admin).await, head: load(head).await, m1: load(m1).await, m2: load(m2).await }
}

/// A deal of `who`, moved to the won or lost stage now (`None`: left open).
async fn deal(db: &Db, who: &Access, title: &str, amount: &str, close: Option<StageKind>) {
    let input = DealInput { title: title.into(), amount: amount.into(), ..DealInput::default() };
    let created = deals::create(db, who, &input, None, None, None).await.expect("deal");
    if let Some(kind) = close {
        let (_, stages) = deals::pipelines_and_stages(db).await.expect("stages");
        let stage =
            stages.iter().find(|s| s.kind == kind && s.pipeline_id == created.pipeline_id).expect("stage");
        deals::move_stage(db, who, created.id, stage.id, "Дорого", None).await.expect("moved");
    }
}

/// `href` as askama writes it (`&` escaped).
fn href(path: &str) -> String {
    format!("href=\"{}\"", path.replace('&', "&#38;"))
}

/// This month in the organisation's zone (Moscow), as the report's default period.
fn this_month() -> (NaiveDate, NaiveDate) {
    let today = now().with_timezone(&chrono_tz::Europe::Moscow).date_naive();
    let first = today.with_day(1).expect("first");
    let last = first.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).expect("last");
    (first, last)
}

fn money(m: &Money) -> String {
    m.format_ru()
}

#[tokio::test]
async fn the_summary_report_shows_the_services_figures_and_links_each_to_its_list() {
    let t = TestDb::sqlite().await;
    let team = team(&t.db).await;
    deal(&t.db, &team.m1, "Окна для склада", "120 000", Some(StageKind::Won)).await;
    deal(&t.db, &team.m1, "Витражи для офиса", "30 000,50", Some(StageKind::Won)).await;
    deal(&t.db, &team.m1, "Балкон", "9 000", Some(StageKind::Lost)).await;
    deal(&t.db, &team.m1, "Остекление цеха", "500 000", None).await;
    deal(&t.db, &team.m2, "Чужая сделка", "777 000", Some(StageKind::Won)).await;

    let (first, last) = this_month();
    let params =
        SummaryParams { from: first, to: last.checked_add_days(Days::new(1)).expect("day"), group: None };
    let report = reports::summary(&t.db, &team.head, &params).await.expect("report");
    let m1 = report.rows.iter().find(|r| r.user_id == Some(team.m1.user_id())).expect("m1's row");
    assert_eq!((m1.won_count, m1.lost_count), (2, 1));

    let mut head = Client::signed_in(&t.db, "head@x.ru").await;
    let page = head.get("/reports").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.text();
    assert!(body.contains("m1@x.ru") && body.contains("head@x.ru"), "the group's people");
    assert!(!body.contains("m2@x.ru"), "another group's manager is not in the head's report");
    for figure in
        [money(&m1.won_amount), money(&m1.open_amount), money(&m1.forecast), money(&report.total.won_amount)]
    {
        assert!(body.contains(&figure), "the page shows {figure}");
    }
    assert!(body.contains("Дорого (1)"), "the lost reason");
    let (from, to) = (first.format("%Y-%m-%d").to_string(), last.format("%Y-%m-%d").to_string());
    let won = format!("/deals?owner={}&status=won&closed_from={from}&closed_to={to}", team.m1.user_id());
    assert!(body.contains(&href(&won)), "the won count opens the won deals of m1: {won}");
    let lost = format!("/deals?owner={}&status=lost&closed_from={from}&closed_to={to}", team.m1.user_id());
    assert!(body.contains(&href(&lost)));
    assert!(body.contains(&href(&format!("/deals?owner={}&status=open", team.m1.user_id()))));
    assert!(body.contains("action=\"/exports\"") && body.contains("name=\"list\" value=\"summary\""));

    // The link opens exactly the deals the figure counts.
    let list = head.get(&won).await.text();
    assert!(list.contains("Окна для склада") && list.contains("Витражи для офиса"));
    assert!(!list.contains("Балкон") && !list.contains("Остекление цеха") && !list.contains("Чужая сделка"));

    // Another period through the URL; a reversed one is refused with a message, not a crash.
    let january = head.get("/reports?from=2020-01-01&to=2020-01-31").await;
    assert_eq!(january.status, StatusCode::OK);
    assert!(!january.text().contains(&money(&m1.won_amount)));
    let reversed = head.get("/reports?from=2020-02-01&to=2020-01-01").await;
    assert_eq!(reversed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reversed.text().contains("Конец периода раньше начала"));

    // The report's own download: the same rows and the total.
    let file = head.get(&format!("/reports/summary.xlsx?from={from}&to={to}")).await;
    assert_eq!(file.status, StatusCode::OK);
    let rows = read_xlsx(file.bytes);
    assert_eq!(rows.len(), report.rows.len() + 2, "header, a row per employee, the total");
    assert_eq!(cell_text(&rows[rows.len() - 1][0]), "Итого");
    t.cleanup().await;
}

#[tokio::test]
async fn a_head_sets_targets_in_place_and_a_refused_amount_stays_as_typed() {
    let t = TestDb::sqlite().await;
    let team = team(&t.db).await;
    let month = Month::of(now().with_timezone(&chrono_tz::Europe::Moscow).date_naive()).expect("month");
    let (m1, month_text) = (team.m1.user_id().to_string(), month.to_string());
    let mut head = Client::signed_in(&t.db, "head@x.ru").await;
    let grid = head.get("/reports/targets").await;
    assert_eq!(grid.status, StatusCode::OK);
    let body = grid.text();
    assert!(body.contains(&format!("id=\"target-{m1}-{month_text}\"")), "m1's cell this month");
    assert!(body.contains("class=\"target-form\""), "the head may edit");
    assert!(!body.contains("m2@x.ru"));

    // Without a script: a round trip.
    let fields = [("user_id", m1.as_str()), ("month", month_text.as_str()), ("amount", "150 000")];
    let saved = head.post("/reports/targets", &fields, false).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let grid = head.get(saved.header(header::LOCATION)).await.text();
    assert!(grid.contains("value=\"150\u{a0}000\"") && grid.contains("План сохранён"));
    let service = targets::grid(&t.db, &team.head, month, month).await.expect("grid");
    let row = service.rows.iter().find(|r| r.user_id == team.m1.user_id()).expect("row");
    assert_eq!(row.cells[0].target.as_ref().map(Money::to_minor), Some(15_000_000));

    // With htmx: just the cell, saved or refused with what was typed.
    let cell = head
        .post("/reports/targets", &[("user_id", &m1), ("month", &month_text), ("amount", "200000")], true)
        .await;
    assert_eq!(cell.status, StatusCode::OK);
    let cell = cell.text();
    assert!(
        cell.trim_start().starts_with("<td")
            && cell.contains("value=\"200\u{a0}000\"")
            && cell.contains("Сохранено")
    );
    let refused = head
        .post("/reports/targets", &[("user_id", &m1), ("month", &month_text), ("amount", "1234,567")], true)
        .await;
    assert_eq!(refused.status, StatusCode::OK, "htmx swaps only successful answers");
    let refused = refused.text();
    assert!(
        refused.contains("value=\"1234,567\"") && refused.contains("Не больше двух знаков после запятой")
    );
    assert!(refused.contains("aria-invalid=\"true\""));
    let page = head
        .post("/reports/targets", &[("user_id", &m1), ("month", &month_text), ("amount", "1,234.567")], false)
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = page.text();
    assert!(page.contains("value=\"1,234.567\"") && page.contains("Введите сумму, например"));
    let unchanged = targets::grid(&t.db, &team.head, month, month).await.expect("grid");
    let row = unchanged.rows.iter().find(|r| r.user_id == team.m1.user_id()).expect("row");
    assert_eq!(row.cells[0].target.as_ref().map(Money::to_minor), Some(20_000_000));

    // Copy into the next month.
    let next = month.next().expect("next month").to_string();
    let copied = head
        .post(&format!("/reports/targets/copy?month={next}"), &[("from", &month_text), ("to", &next)], false)
        .await;
    assert_eq!(copied.status, StatusCode::SEE_OTHER);
    let grid = head.get(copied.header(header::LOCATION)).await.text();
    assert!(grid.contains(&format!("id=\"target-{m1}-{next}\"")));
    assert!(grid.contains("Скопирован"));
    t.cleanup().await;
}

#[tokio::test]
async fn a_manager_sees_their_targets_but_cannot_set_them() {
    let t = TestDb::sqlite().await;
    let team = team(&t.db).await;
    let month = Month::of(now().with_timezone(&chrono_tz::Europe::Moscow).date_naive()).expect("month");
    targets::set(&t.db, &team.head, team.m1.user_id(), &month.to_string(), "1000").await.expect("target");
    let mut manager = Client::signed_in(&t.db, "m1@x.ru").await;
    let grid = manager.get("/reports/targets").await;
    assert_eq!(grid.status, StatusCode::OK);
    let body = grid.text();
    assert!(body.contains("1\u{a0}000,00\u{a0}₽"), "their own target");
    assert!(!body.contains("class=\"target-form\"") && !body.contains("target-copy"), "no forms");
    let m1 = team.m1.user_id().to_string();
    let month = month.to_string();
    let refused = manager
        .post("/reports/targets", &[("user_id", &m1), ("month", &month), ("amount", "5000")], false)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let copy = manager.post(&format!("/reports/targets/copy?month={month}"), &[], false).await;
    assert_eq!(copy.status, StatusCode::FORBIDDEN);
    let _ = team.m2;
    t.cleanup().await;
}

#[tokio::test]
async fn the_funnel_is_an_svg_with_a_bar_per_stage() {
    let t = TestDb::sqlite().await;
    let team = team(&t.db).await;
    deal(&t.db, &team.m1, "Первая", "100", Some(StageKind::Won)).await;
    deal(&t.db, &team.m1, "Вторая", "100", Some(StageKind::Lost)).await;
    deal(&t.db, &team.m1, "Третья", "100", None).await;
    let (pipelines, stages) = deals::pipelines_and_stages(&t.db).await.expect("stages");
    let pipeline = pipelines.iter().find(|p| p.is_default).unwrap_or(&pipelines[0]);
    let shown = stages.iter().filter(|s| s.pipeline_id == pipeline.id && s.kind != StageKind::Lost).count();
    let mut head = Client::signed_in(&t.db, "head@x.ru").await;
    let page = head.get("/reports/funnel").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.text();
    assert!(body.contains("<svg class=\"chart chart--funnel\""));
    assert_eq!(body.matches("class=\"funnel-bar\"").count(), shown, "one bar per stage");
    assert!(body.contains("chart--plan"), "plan versus actual per employee");
    assert!(body.contains("Дорого (1)"), "the lost reason at its stage");
    let other = head
        .get(&format!("/reports/funnel?pipeline={}&owner={}&source=site", pipeline.id, team.m1.user_id()))
        .await;
    assert_eq!(other.status, StatusCode::OK);
    t.cleanup().await;
}

/// A company of `who` in a region and an industry with `deals` open deals.
async fn client_with_deals(db: &Db, who: &Access, name: &str, region: &str, industry: &str, deals: usize) {
    let input = CompanyInput {
        name: name.into(),
        region: region.into(),
        industry: industry.into(),
        ..Default::default()
    };
    let company = companies::create(db, who, &input, None).await.expect("company").id;
    for i in 0..deals {
        let input =
            DealInput { title: format!("{name} {i}"), company_id: Some(company), ..DealInput::default() };
        deals::create(db, who, &input, None, None, None).await.expect("deal");
    }
}

/// `Москва` as a URL carries it.
fn encoded(value: &str) -> String {
    value.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn the_funnel_slices_by_region_and_industry_and_exports_in_the_background() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        client_with_deals(&t.db, &team.m1, "Ромашка", "Москва", "Ритейл", 2).await;
        client_with_deals(&t.db, &team.m1, "Лютик", "Казань", "Ритейл", 1).await;
        client_with_deals(&t.db, &team.m2, "Василёк", "Москва", "ИТ", 1).await;
        let (pipelines, _) = deals::pipelines_and_stages(&t.db).await.expect("stages");
        let pipeline = pipelines.iter().find(|p| p.is_default).unwrap_or(&pipelines[0]).id;

        let mut admin = Client::signed_in(&t.db, "admin@x.ru").await;
        let moscow = format!("region={}", encoded("Москва"));
        let page = admin.get(&format!("/reports/funnel?{moscow}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", t.name);
        let body = page.text();
        assert!(
            body.contains("name=\"region\" type=\"text\" value=\"Москва\""),
            "{}: the region kept",
            t.name
        );
        assert!(
            body.contains("name=\"industry\" type=\"text\" value=\"\""),
            "{}: the industry field",
            t.name
        );
        assert!(body.contains("class=\"counter\">1</span>"), "{}: one company slice set", t.name);
        assert!(body.contains("3 сделки</a>"), "{}: Moscow's three deals: {body}", t.name);
        // The figure opens the deals list of exactly those three: the slice goes with the link.
        let link = body.split("3 сделки</a>").next().and_then(|before| before.rsplit("<a href=\"").next());
        let href = link.and_then(|l| l.split('"').next()).unwrap_or_default().replace("&#38;", "&");
        assert!(href.starts_with("/deals?") && href.contains(&moscow), "{}: {href}", t.name);
        let list = admin.get(&href).await.text();
        let titles = ["Ромашка 0", "Ромашка 1", "Василёк 0"];
        assert!(titles.iter().all(|d| list.contains(d)) && !list.contains("Лютик 0"), "{}: {list}", t.name);
        // The export form: the funnel, with the pipeline shown and the slice.
        assert!(body.contains("action=\"/exports\"") && body.contains("name=\"list\" value=\"funnel\""));
        assert!(
            body.contains("name=\"format\" value=\"xlsx\"") && body.contains("name=\"format\" value=\"csv\"")
        );
        let export_query = format!("{moscow}&pipeline={pipeline}");
        assert!(
            body.contains(&format!("name=\"query\" value=\"{}\"", export_query.replace('&', "&#38;"))),
            "{}: {body}",
            t.name
        );

        // The background export: started as the form does, polled, downloaded.
        let started = admin
            .post("/exports", &[("list", "funnel"), ("format", "xlsx"), ("query", &export_query)], false)
            .await;
        assert_eq!(started.status, StatusCode::SEE_OTHER, "{}: a job starts: {}", t.name, started.text());
        let job = started.header(header::LOCATION).to_owned();
        assert!(job.starts_with("/exports/"), "{job}");
        let mut finished = false;
        for _ in 0..600 {
            orbita_web::run_due_jobs(&t.db).await;
            if !admin.get(&format!("{job}/status")).await.text().contains("hx-trigger") {
                finished = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(finished, "{}: the export finished", t.name);
        assert!(
            admin.get(&job).await.text().contains("href=\"/reports/funnel?"),
            "{}: back to the funnel",
            t.name
        );
        let file = admin.get(&format!("{job}/file")).await;
        assert_eq!((file.status, file.header(header::CONTENT_TYPE)), (StatusCode::OK, XLSX), "{}", t.name);
        assert!(file.header(header::CONTENT_DISPOSITION).contains("funnel-report-"));
        let sheet = read_xlsx(file.bytes);
        assert_eq!(cell_text(&sheet[0][0]), "Этап", "{}: headers in Russian", t.name);
        let total = &sheet[sheet.len() - 1];
        assert_eq!(
            (cell_text(&total[0]), total[1].clone()),
            ("Итого".to_owned(), Data::Float(3.0)),
            "{}",
            t.name
        );

        // The direct download reads the same query as the page: industry only, default pipeline.
        let csv = admin.get(&format!("/reports/funnel.csv?industry={}", encoded("Ритейл"))).await;
        assert_eq!(csv.status, StatusCode::OK, "{}", t.name);
        assert_eq!(csv_first_column(&csv.bytes).last().map(String::as_str), Some("Итого"));
        assert!(csv.text().trim_end().ends_with("Итого;3;;;0;"), "{}: {}", t.name, csv.text());

        // A manager sees their funnel, without export buttons (no report export right).
        let mut m1 = Client::signed_in(&t.db, "m1@x.ru").await;
        let own = m1.get("/reports/funnel").await.text();
        assert!(own.contains("name=\"region\"") && !own.contains("value=\"funnel\""), "{}", t.name);
        t
    })
    .await;
}

fn read_xlsx(bytes: Vec<u8>) -> Vec<Vec<Data>> {
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(IoCursor::new(bytes)).expect("valid xlsx");
    let names = workbook.sheet_names();
    let range = workbook.worksheet_range(&names[0]).expect("sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The first column of a `;`-separated UTF-8 CSV with a BOM (names without `;` or quotes).
fn csv_first_column(bytes: &[u8]) -> Vec<String> {
    let text =
        String::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a BOM").to_vec()).expect("utf-8");
    text.lines().map(|line| line.split(';').next().unwrap_or_default().trim_matches('"').to_owned()).collect()
}

#[tokio::test]
async fn exports_hold_what_the_list_shows_only_what_the_user_may_see_and_are_audited() {
    let t = TestDb::sqlite().await;
    let team = team(&t.db).await;
    let company =
        |name: &str| CompanyInput {
            name: name.into(), region: "Москва".into(), ..CompanyInput::default()
        };
    for (who, name) in [
        (&team.m1, "ООО «Ромашка»"),
        (&team.m1, "Ромашка Север"),
        (&team.m1, "Василёк"),
        (&team.m2, "Ромашка Юг"),
        (&team.m2, "Лютик"),
    ] {
        companies::create(&t.db, who, &company(name), None).await.expect("company");
    }
    let query = "q=%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0&sort=-name";
    let filter = CompanyFilter { q: Some("Ромашка".into()), ..CompanyFilter::default() };
    let expected: Vec<String> =
        companies::list(&t.db, &team.admin, &filter, CompanySort::Name, true, None, 100)
            .await
            .expect("list")
            .items
            .into_iter()
            .map(|c| c.fields.name)
            .collect();
    assert_eq!(expected.len(), 3);

    let mut admin = Client::signed_in(&t.db, "admin@x.ru").await;
    let list = admin.get(&format!("/companies?{query}")).await.text();
    for name in &expected {
        assert!(list.contains(name.as_str()), "the list shows {name}");
    }
    let file = admin.get(&format!("/companies.xlsx?{query}")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header(header::CONTENT_TYPE), XLSX);
    let disposition = file.header(header::CONTENT_DISPOSITION).to_owned();
    assert!(disposition.starts_with("attachment; filename=\"companies-") && disposition.ends_with(".xlsx\""));
    let rows = read_xlsx(file.bytes);
    assert_eq!(cell_text(&rows[0][0]), "Название", "headers in the user's language");
    let names: Vec<String> = rows[1..].iter().map(|r| cell_text(&r[0])).collect();
    assert_eq!(names, expected, "the same rows in the same order");

    let csv = admin.get(&format!("/companies.csv?{query}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header(header::CONTENT_TYPE).starts_with("text/csv"));
    let names = csv_first_column(&csv.bytes);
    assert_eq!(&names[1..], expected.as_slice());

    // A manager's download holds their rows only.
    let mut manager = Client::signed_in(&t.db, "m1@x.ru").await;
    let mine = read_xlsx(manager.get("/companies.xlsx").await.bytes);
    let mut names: Vec<String> = mine[1..].iter().map(|r| cell_text(&r[0])).collect();
    names.sort();
    assert_eq!(names, ["Василёк", "ООО «Ромашка»", "Ромашка Север"]);

    // Every download is in the audit log, with its filter and row count.
    let filter = AuditFilter { action: Some(AuditAction::Export), ..AuditFilter::default() };
    let events = admin::audit_log(&t.db, &team.admin, &filter, None, 50).await.expect("audit").items;
    assert_eq!(events.len(), 3, "two by the administrator, one by the manager");
    let by_manager = events.iter().find(|e| e.actor_id == Some(team.m1.user_id())).expect("the manager's");
    assert_eq!(by_manager.entity, "companies");
    assert!(by_manager.changes.iter().any(|c| c.field == "rows" && c.after.as_deref() == Some("3")));

    // The other lists download too, with their own query strings.
    for path in [
        "/contacts.xlsx",
        "/deals.xlsx?status=won",
        "/deals.csv",
        "/tasks.xlsx?assignee=all",
        "/activities.csv?kind=call",
        "/admin/audit.xlsx?action=export",
        "/reports/summary.csv",
    ] {
        let reply = admin.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.header(header::CONTENT_DISPOSITION).starts_with("attachment;"), "{path}");
    }
    // A manager may not download the audit log.
    assert_eq!(manager.get("/admin/audit.xlsx").await.status, StatusCode::FORBIDDEN);
    let _ = (team.head, team.m2);
    t.cleanup().await;
}
