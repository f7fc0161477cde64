//! One manager never sees another manager's deal, whatever the way in: the pages (list, list
//! search, the header's search and its suggestions, the card, the kanban board, the summary
//! report), the downloads (direct and background) and the REST API (list, search, record,
//! download, report). Both delivery layers are driven in-process through the one router the
//! binary serves, on SQLite and PostgreSQL. Every refusal is paired with the owner's own view
//! of the same address, so a page that shows nothing at all cannot pass for a private one.
//! And a deactivated user is out everywhere: session and API token.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use orbita_app::admin::{self, UserEdit};
use orbita_app::api_tokens::TokenInput;
use orbita_app::{Access, RequestContext, api_tokens, companies, deals, setup, users};
use orbita_domain::company::CompanyInput;
use orbita_domain::deal::DealInput;
use orbita_domain::validation::{Currency, Money};
use orbita_storage::Db;
use orbita_testkit::on_both;
use orbita_web::{AppState, router};
use serde_json::Value;
use tower::ServiceExt;

const PASSWORD: &str = "a good long password";
/// Bronislava's deal, her company and her name: none may reach Anna.
const DEAL: &str = "Quokka turbine retrofit";
const COMPANY: &str = "Zyxel Quokka Holdings";
const OWNER: &str = "Bronislava Zvezdina";
/// Anna's own deal and company: what her pages do show.
const OWN_DEAL: &str = "Anna window fitting";
const OWN_COMPANY: &str = "Anna Glazing Works";
const OWN_NAME: &str = "Anna Petrova";

struct Reply {
    status: StatusCode,
    location: String,
    bytes: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }
}

/// A browser (session cookie, CSRF token of the last page) or an API client (bearer token).
struct Client {
    app: Router,
    /// The server's database: the test runs its job queue, as a server's worker would.
    db: Db,
    cookie: String,
    csrf: String,
    bearer: Option<String>,
}

impl Client {
    async fn signed_in(db: &Db, email: &str) -> Client {
        let mut client = Client {
            app: router(AppState::new(db.clone()), orbita_api::router(db.clone(), false)),
            db: db.clone(),
            cookie: String::new(),
            csrf: String::new(),
            bearer: None,
        };
        let reply = client.send("POST", "/login", Some(&[("email", email), ("password", PASSWORD)])).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "sign-in of {email}");
        client.get("/account/password").await;
        assert!(!client.csrf.is_empty(), "a page carries the CSRF token");
        client
    }

    async fn api(db: &Db, email: &str) -> Client {
        let token =
            api_tokens::create_for_email(db, &RequestContext::system(), email, &TokenInput::named("tests"))
                .await
                .expect("token");
        Client {
            app: router(AppState::new(db.clone()), orbita_api::router(db.clone(), false)),
            db: db.clone(),
            cookie: String::new(),
            csrf: String::new(),
            bearer: Some(token.secret),
        }
    }

    async fn send(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Reply {
        let mut request = Request::builder().method(method).uri(path).header(header::HOST, "localhost");
        if !self.cookie.is_empty() {
            request = request.header(header::COOKIE, &self.cookie);
        }
        if let Some(token) = &self.bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
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
        let location =
            headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let bytes = response.into_body().collect().await.expect("body").to_bytes().to_vec();
        let reply = Reply { status, location, bytes };
        let html = reply.text();
        let marker = "name=\"csrf_token\" value=\"";
        if let Some(start) = html.find(marker).map(|i| i + marker.len())
            && let Some(end) = html[start..].find('"')
        {
            self.csrf = html[start..start + end].to_owned();
        }
        reply
    }

    async fn get(&mut self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    /// Starts a background export as a list's form does, waits for it and downloads the file.
    async fn export_in_background(&mut self, list: &str, query: &str) -> Reply {
        let started =
            self.send("POST", "/exports", Some(&[("list", list), ("format", "csv"), ("query", query)])).await;
        assert_eq!(started.status, StatusCode::SEE_OTHER, "a job starts: {}", started.text());
        let page = started.location;
        for _ in 0..600 {
            orbita_web::run_due_jobs(&self.db).await;
            let status = self.get(&format!("{page}/status")).await;
            assert_eq!(status.status, StatusCode::OK);
            if !status.text().contains("hx-trigger") {
                let file = self.get(&format!("{page}/file")).await;
                assert_eq!(file.status, StatusCode::OK, "the finished file of {page}");
                return file;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the export did not finish in 30 s");
    }
}

async fn person(db: &Db, email: &str, name: &str, role: &str) -> Access {
    let id =
        users::create_user(db, &RequestContext::system(), email, name, role, PASSWORD).await.expect("user");
    Access::load(db, id, None).await.expect("access")
}

fn rub(minor: i64) -> Money {
    Money::from_minor(minor, Currency::parse("RUB").expect("currency"))
}

#[tokio::test]
async fn a_manager_never_sees_another_managers_deal_through_any_page_file_or_api_route() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let anna = person(&t.db, "anna@x.ru", OWN_NAME, "manager").await;
        let bronislava = person(&t.db, "bronislava@x.ru", OWNER, "manager").await;
        let company = CompanyInput { name: COMPANY.into(), ..Default::default() };
        let company = companies::create(&t.db, &bronislava, &company, None).await.expect("company");
        let deal = DealInput {
            title: DEAL.into(),
            amount: "987654.32".into(),
            company_id: Some(company.id),
            ..Default::default()
        };
        let deal = deals::create(&t.db, &bronislava, &deal, None, None, None).await.expect("deal");
        let own_company = CompanyInput { name: OWN_COMPANY.into(), ..Default::default() };
        let own_company = companies::create(&t.db, &anna, &own_company, None).await.expect("company");
        let own_deal = DealInput {
            title: OWN_DEAL.into(),
            amount: "1000.00".into(),
            company_id: Some(own_company.id),
            ..Default::default()
        };
        deals::create(&t.db, &anna, &own_deal, None, None, None).await.expect("deal");

        // Everything that would give Bronislava's deal away: its title, its company, links to
        // its card or its company's, its amount and the total it would make. (Her name is not
        // one: the owner pickers of the lists name every colleague; the reports must not.)
        let (amount, with_it) = (rub(98_765_432), rub(98_865_432));
        let secrets = [
            DEAL.to_owned(),
            COMPANY.to_owned(),
            format!("/deals/{}\"", deal.id),
            format!("/companies/{}\"", company.id),
            amount.format_ru(),
            amount.format_en(),
            with_it.format_ru(),
            with_it.format_en(),
        ];
        let leaks = |body: &str| -> Vec<String> {
            secrets.iter().filter(|secret| body.contains(secret.as_str())).cloned().collect()
        };

        let (own_amount, their_amount) = (rub(100_000).format_ru(), amount.format_ru());
        let mut anna_web = Client::signed_in(&t.db, "anna@x.ru").await;
        let mut bronislava_web = Client::signed_in(&t.db, "bronislava@x.ru").await;
        // Each address: what Anna sees of her own there, what Bronislava sees of hers.
        let pages = [
            ("/deals", OWN_DEAL, DEAL),
            ("/deals?q=turbine+retro", "", DEAL),
            ("/deals?q=Quokka+turb", "", DEAL),
            ("/companies", OWN_COMPANY, COMPANY),
            ("/companies?q=Zyxel+Quokka", "", COMPANY),
            ("/search?q=turbine+retro", "", DEAL),
            ("/search/suggest?q=turbine+retro", "", DEAL),
            ("/search?q=Zyxel+Quokka", "", COMPANY),
            ("/search/suggest?q=Zyxel+Quokka", "", COMPANY),
            ("/search?q=window+fitting", OWN_DEAL, ""),
            ("/deals/kanban", OWN_DEAL, DEAL),
            ("/reports", OWN_NAME, OWNER),
            ("/reports", own_amount.as_str(), their_amount.as_str()),
            ("/deals.csv", OWN_DEAL, DEAL),
            ("/deals.csv?q=turbine+retro", "", DEAL),
            ("/companies.csv", OWN_COMPANY, COMPANY),
        ];
        for (path, own, theirs) in pages {
            let page = anna_web.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{} Anna {path}", t.name);
            let body = page.text();
            assert_eq!(leaks(&body), Vec::<String>::new(), "{} Anna {path}: {body}", t.name);
            assert!(body.contains(own), "{} Anna {path} shows her own {own:?}", t.name);
            let control = bronislava_web.get(path).await;
            assert_eq!(control.status, StatusCode::OK, "{} Bronislava {path}", t.name);
            assert!(control.text().contains(theirs), "{} Bronislava {path} shows her {theirs:?}", t.name);
        }
        // The report has no row for Bronislava; a manager may not download it at all.
        let body = anna_web.get("/reports").await.text();
        assert!(!body.contains(OWNER), "{} Anna /reports: {body}", t.name);
        let refused = anna_web.get("/reports/summary.csv").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}: a manager does not export reports", t.name);

        // The cards, and the edit form, do not exist for her.
        for path in [
            format!("/deals/{}", deal.id),
            format!("/deals/{}/edit", deal.id),
            format!("/companies/{}", company.id),
        ] {
            let card = anna_web.get(&path).await;
            assert_eq!(card.status, StatusCode::NOT_FOUND, "{} Anna {path}", t.name);
            assert_eq!(leaks(&card.text()), Vec::<String>::new(), "{} Anna {path}", t.name);
            assert_eq!(
                bronislava_web.get(&path).await.status,
                StatusCode::OK,
                "{} Bronislava {path}",
                t.name
            );
        }

        // The background export the list page starts.
        let file = anna_web.export_in_background("deals", "").await.text();
        assert_eq!(leaks(&file), Vec::<String>::new(), "{}: {file}", t.name);
        assert!(file.contains(OWN_DEAL), "{}: {file}", t.name);
        let control = bronislava_web.export_in_background("deals", "").await.text();
        assert!(control.contains(DEAL), "{}: {control}", t.name);

        // The REST API.
        let mut anna_api = Client::api(&t.db, "anna@x.ru").await;
        let mut bronislava_api = Client::api(&t.db, "bronislava@x.ru").await;
        let titles = |reply: Reply| -> Vec<String> {
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
            reply.json()["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|d| d["title"].as_str().or_else(|| d["name"].as_str()).unwrap_or_default().to_owned())
                .collect()
        };
        assert_eq!(titles(anna_api.get("/api/v1/deals").await), [OWN_DEAL], "{}", t.name);
        assert!(titles(bronislava_api.get("/api/v1/deals").await).contains(&DEAL.to_owned()));
        for query in ["q=turbine+retro", "q=Quokka", &format!("company_id={}", company.id)] {
            let path = format!("/api/v1/deals?{query}");
            assert_eq!(titles(anna_api.get(&path).await), Vec::<String>::new(), "{} Anna {path}", t.name);
            assert_eq!(titles(bronislava_api.get(&path).await), [DEAL], "{} Bronislava {path}", t.name);
        }
        let path = "/api/v1/companies?q=Zyxel+Quokka";
        assert_eq!(titles(anna_api.get(path).await), Vec::<String>::new(), "{} Anna {path}", t.name);
        assert_eq!(titles(bronislava_api.get(path).await), [COMPANY], "{} Bronislava {path}", t.name);
        for path in [format!("/api/v1/deals/{}", deal.id), format!("/api/v1/companies/{}", company.id)] {
            let record = anna_api.get(&path).await;
            assert_eq!(record.status, StatusCode::NOT_FOUND, "{} Anna {path}", t.name);
            assert_eq!(leaks(&record.text()), Vec::<String>::new(), "{} Anna {path}", t.name);
            assert_eq!(
                bronislava_api.get(&path).await.status,
                StatusCode::OK,
                "{} Bronislava {path}",
                t.name
            );
        }
        for path in ["/api/v1/deals.csv", "/api/v1/companies.csv"] {
            let file = anna_api.get(path).await;
            assert_eq!(file.status, StatusCode::OK, "{} Anna {path}", t.name);
            assert_eq!(leaks(&file.text()), Vec::<String>::new(), "{} Anna {path}", t.name);
            let control = bronislava_api.get(path).await.text();
            assert!([DEAL, COMPANY, OWNER].iter().any(|s| control.contains(s)), "{path}: {control}");
        }
        let refused = anna_api.get("/api/v1/reports/summary.csv").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}: a manager does not export reports", t.name);
        let report = anna_api.get("/api/v1/reports/summary").await;
        assert_eq!(report.status, StatusCode::OK, "{}", t.name);
        let report = report.json();
        let people: Vec<i64> =
            report["rows"].as_array().expect("rows").iter().filter_map(|r| r["user_id"].as_i64()).collect();
        assert_eq!(people, [anna.user_id().0], "{}: only Anna's row", t.name);
        assert!(!report.to_string().contains(OWNER), "{}: {report}", t.name);
        assert_eq!(report["total"]["deals_created"], 1, "{}: {report}", t.name);
        assert_eq!(report["total"]["open_count"], 1, "{}: {report}", t.name);
        assert_eq!(report["total"]["open_amount"], "1000.00", "{}: {report}", t.name);
        let theirs = bronislava_api.get("/api/v1/reports/summary").await.json();
        assert_eq!(theirs["total"]["open_amount"], "987654.32", "{}: {theirs}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_deactivated_user_is_signed_out_of_the_pages_and_refused_by_the_api() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let admin = person(&t.db, "admin@x.ru", "Admin", "administrator").await;
        let gleb = person(&t.db, "gleb@x.ru", "Gleb", "manager").await;
        let mut browser = Client::signed_in(&t.db, "gleb@x.ru").await;
        let mut api = Client::api(&t.db, "gleb@x.ru").await;
        assert_eq!(browser.get("/deals").await.status, StatusCode::OK, "{}", t.name);
        assert_eq!(api.get("/api/v1/deals").await.status, StatusCode::OK, "{}", t.name);

        let (user, groups) = admin::user(&t.db, &admin, gleb.user_id()).await.expect("user");
        let edit = UserEdit {
            email: user.email.as_str(),
            name: &user.name,
            role_id: user.role_id,
            is_active: false,
            locale: None,
            groups: &groups,
        };
        admin::update_user(&t.db, &admin, gleb.user_id(), &edit).await.expect("deactivate");

        let page = browser.get("/deals").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}: the session ended", t.name);
        assert!(page.location.starts_with("/login"), "{}: {}", t.name, page.location);
        let refused = api.get("/api/v1/deals").await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}: {}", t.name, refused.text());
        t
    })
    .await;
}
