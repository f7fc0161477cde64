//! The companies, contacts and search pages in-process, signed in through `/login` like a
//! browser: lists search by INN and KPP, sort and page; forms keep what was typed and say
//! what is wrong at the field; duplicates and stale edits are caught; the card logs a call
//! with its follow-up task; a manager never sees another manager's company anywhere; saved
//! views round-trip; every text the pages name exists in both languages.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use orbita_app::{Access, Db, RequestContext, companies, setup, tasks, users};
use orbita_domain::UserId;
use orbita_domain::company::{Company, CompanyInput};
use orbita_domain::validation::Inn;
use orbita_storage::tasks::TaskFilter;
use orbita_testkit::TestDb;
use orbita_web::{AppState, router};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";

struct Reply {
    status: StatusCode,
    location: String,
    body: String,
}

/// A signed-in browser: its session cookie and the session's CSRF token.
struct Browser {
    state: AppState,
    cookie: String,
    csrf: String,
    /// `Accept-Language`: the users here have no language of their own set.
    language: &'static str,
}

impl Browser {
    async fn sign_in(state: &AppState, email: &str) -> Browser {
        let body = serde_urlencoded::to_string([("email", email), ("password", PASSWORD)]).expect("form");
        let request = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        let response = router(state.clone(), orbita_api::router(state.db.clone(), false))
            .oneshot(request)
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "sign-in of {email}");
        let cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let token = cookie.split_once('=').map(|(_, t)| t.to_owned()).expect("cookie value");
        let session = orbita_app::auth::authenticate(&state.db, &token, None)
            .await
            .expect("authenticates")
            .expect("a session");
        Browser { state: state.clone(), cookie, csrf: session.csrf_token, language: "ru" }
    }

    async fn send(&self, request: axum::http::request::Builder, body: Body) -> Reply {
        let request = request
            .header(header::COOKIE, &self.cookie)
            .header(header::ACCEPT_LANGUAGE, self.language)
            .body(body)
            .expect("request");
        let response = router(self.state.clone(), orbita_api::router(self.state.db.clone(), false))
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let location =
            response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Reply { status, location, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path), Body::empty()).await
    }

    /// As htmx asks: only the fragment comes back.
    async fn get_fragment(&self, path: &str) -> Reply {
        self.send(Request::get(path).header("hx-request", "true"), Body::empty()).await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut pairs = vec![("csrf_token", self.csrf.as_str())];
        pairs.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&pairs).expect("form");
        let request = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(request, Body::from(body)).await
    }
}

struct World {
    _test: TestDb,
    db: Db,
    state: AppState,
}

async fn world() -> World {
    let test = TestDb::sqlite().await;
    let db = test.db.clone();
    setup::bootstrap(&db).await.expect("bootstrap");
    World { state: AppState::new(db.clone()), db, _test: test }
}

async fn user(db: &Db, email: &str, name: &str, role: &str) -> UserId {
    users::create_user(db, &RequestContext::system(), email, name, role, PASSWORD).await.expect("user")
}

/// A valid organisation INN from a 9-digit body.
fn inn(body: u32) -> String {
    Inn::with_check_digits(&format!("{body:09}")).expect("nine digits").as_str().to_owned()
}

async fn company(db: &Db, owner: UserId, name: &str, inn: &str, kpp: &str) -> Company {
    let input =
        CompanyInput { name: name.into(), inn: inn.into(), kpp: kpp.into(), ..CompanyInput::default() };
    companies::create_as(db, &RequestContext::system(), &input, owner).await.expect("company")
}

/// `href` values as they appear in the HTML (askama escapes `&` as `&#38;`).
fn href(path: &str) -> String {
    format!("href=\"{}\"", path.replace('&', "&#38;"))
}

#[tokio::test]
async fn the_list_finds_a_company_by_inn_and_by_kpp() {
    let w = world().await;
    let admin = user(&w.db, "admin@example.ru", "Анна Админ", "administrator").await;
    let romashka = company(&w.db, admin, "ООО «Ромашка»", &inn(770_152_601), "770101001").await;
    company(&w.db, admin, "АО «Вектор»", &inn(540_681_590), "540601001").await;
    company(&w.db, admin, "ООО «Берёзка»", &inn(231_003_082), "231001001").await;
    let browser = Browser::sign_in(&w.state, "admin@example.ru").await;

    let all = browser.get("/companies").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.starts_with("<!doctype html>"));
    for name in ["Ромашка", "Вектор", "Берёзка"] {
        assert!(all.body.contains(name), "{name} in the list");
    }

    let by_inn = browser.get(&format!("/companies?q={}", inn(770_152_601))).await;
    assert!(by_inn.body.contains(&href(&format!("/companies/{}", romashka.id))));
    assert!(!by_inn.body.contains("Вектор") && !by_inn.body.contains("Берёзка"));
    // The search box keeps the query; the export form carries the same filters.
    assert!(by_inn.body.contains(&format!("value=\"{}\"", inn(770_152_601))));
    assert!(by_inn.body.contains("action=\"/exports\""));
    assert!(by_inn.body.contains(&format!("name=\"query\" value=\"q={}\"", inn(770_152_601))));

    let by_kpp = browser.get("/companies?q=540601001").await;
    assert!(by_kpp.body.contains("Вектор") && !by_kpp.body.contains("Ромашка"));
    // A fragment of a name, in Cyrillic, in any case.
    let by_name = browser.get("/companies?q=%D0%B1%D0%B5%D1%80%D1%91%D0%B7").await;
    assert!(by_name.body.contains("Берёзка") && !by_name.body.contains("Вектор"));

    // htmx asks for the results only.
    let fragment = browser.get_fragment("/companies?q=540601001").await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(!fragment.body.contains("<html") && fragment.body.contains("<table"));
    assert!(fragment.body.contains("Вектор"));

    let nothing = browser.get("/companies?q=nothing-like-this").await;
    assert!(nothing.body.contains("Ничего не найдено"));
    // Not found by INN: "Add company" opens the form with that INN typed in.
    let unknown = inn(123_456_789);
    let not_found = browser.get(&format!("/companies?q={unknown}")).await;
    assert!(not_found.body.contains(&href(&format!("/companies/new?inn={unknown}"))));
    let form = browser.get(&format!("/companies/new?inn={unknown}")).await;
    assert!(form.body.contains(&format!("value=\"{unknown}\"")));
}

#[tokio::test]
async fn the_list_sorts_and_pages_by_keyset() {
    let w = world().await;
    let admin = user(&w.db, "admin@example.ru", "Анна Админ", "administrator").await;
    for n in 1..=55 {
        let name = format!("Компания {n:03}");
        let input = CompanyInput { name, ..CompanyInput::default() };
        companies::create_as(&w.db, &RequestContext::system(), &input, admin).await.expect("company");
    }
    let browser = Browser::sign_in(&w.state, "admin@example.ru").await;

    let first = browser.get("/companies?sort=-name&cols=name&cols=inn&cols=created").await;
    assert_eq!(first.status, StatusCode::OK);
    let position = |body: &str, needle: &str| body.find(needle).unwrap_or(usize::MAX);
    assert!(position(&first.body, "Компания 055") < position(&first.body, "Компания 054"));
    assert!(first.body.contains("Компания 006") && !first.body.contains("Компания 005"));
    assert!(first.body.contains("aria-sort=\"descending\""));
    // Chosen columns only: no region column, a created column.
    let head =
        first.body.split("<thead>").nth(1).and_then(|h| h.split("</thead>").next()).expect("a table head");
    assert!(head.contains("Создано") && head.contains("ИНН") && !head.contains("Регион"), "{head}");

    let next = first
        .body
        .split("rel=\"next\"")
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .and_then(|rest| rest.split('"').next())
        .expect("a next page link")
        .replace("&#38;", "&");
    assert!(next.starts_with("/companies?sort=-name&cols=name&cols=inn&cols=created&after="), "{next}");
    let second = browser.get(&next).await;
    for n in 1..=5 {
        assert!(second.body.contains(&format!("Компания {n:03}")));
    }
    assert!(!second.body.contains("Компания 006") && !second.body.contains("rel=\"next\""));
    // "First page" goes back without the cursor and keeps the rest.
    assert!(second.body.contains(&href("/companies?sort=-name&cols=name&cols=inn&cols=created")));

    let ascending = browser.get("/companies?sort=name").await;
    assert!(ascending.body.contains("Компания 001") && !ascending.body.contains("Компания 055"));
}

#[tokio::test]
async fn a_refused_form_keeps_what_was_typed_and_names_the_field() {
    let w = world().await;
    user(&w.db, "admin@example.ru", "Анна Админ", "administrator").await;
    let browser = Browser::sign_in(&w.state, "admin@example.ru").await;

    let form = browser.get("/companies/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"inn\"") && form.body.contains("name=\"owner_id\""));

    let reply = browser
        .post(
            "/companies",
            &[
                ("name", "ООО «Вектор Плюс»"),
                ("inn", "7728948211"),
                ("kpp", "772801001"),
                ("region", "Москва"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("Контрольные цифры ИНН не совпадают"));
    assert!(reply.body.contains("aria-invalid=\"true\" aria-describedby=\"f-inn-error"));
    assert!(reply.body.contains("href=\"#f-inn\""), "the summary links to the field");
    for typed in
        ["value=\"ООО «Вектор Плюс»\"", "value=\"7728948211\"", "value=\"772801001\"", "value=\"Москва\""]
    {
        assert!(reply.body.contains(typed), "{typed} kept");
    }
}

/// The duplicate dead end: a manager who cannot see a colleague's client is told whose it is
/// (the owner's name, nothing more of it) when creating it again is refused.
#[tokio::test]
async fn a_duplicate_the_user_cannot_see_names_whom_to_ask() {
    let w = world().await;
    let olga = user(&w.db, "olga@example.ru", "Ольга Борисова", "manager").await;
    user(&w.db, "ivan@example.ru", "Иван Петров", "manager").await;
    let taken = inn(502_483_016);
    company(&w.db, olga, "ООО «Окна Комфорт»", &taken, "502401001").await;
    let ivan = Browser::sign_in(&w.state, "ivan@example.ru").await;
    let again = ivan.post("/companies", &[("name", "Окна"), ("inn", &taken), ("kpp", "502401001")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("Компания с такими ИНН и КПП уже есть"), "{}", again.body);
    assert!(again.body.contains("Ольга Борисова"), "whose it is");
    assert!(!again.body.contains("Окна Комфорт") && !again.body.contains("/companies/1\""), "nothing more");

    // "Ask for access" tells the owner once, however often it is pressed, and is audited.
    assert!(again.body.contains("formaction=\"/companies/access-requests\""), "the button");
    let typed = [("name", "Окна"), ("inn", taken.as_str()), ("kpp", "502401001")];
    for _ in 0..2 {
        let asked = ivan.post("/companies/access-requests", &typed).await;
        assert_eq!(
            (asked.status, asked.location.as_str()),
            (StatusCode::SEE_OTHER, "/companies?notice=access-requested")
        );
    }
    let told =
        orbita_storage::notifications::list(&w.db, olga, false, None, 10).await.expect("notifications");
    assert_eq!(told.len(), 1, "once");
    assert_eq!(told[0].kind.as_str(), "access_requested");
    assert!(told[0].subject.contains("Окна Комфорт") && told[0].subject.contains("Иван Петров"));
    let filter = orbita_domain::list::AuditFilter { entity: Some("company".into()), ..Default::default() };
    let events = orbita_storage::audit::list(&w.db, &filter, None, 10).await.expect("audit").items;
    assert!(events.iter().any(|e| e.action.as_str() == "access_request"), "audited");
    // A company one may see, or none, is not found.
    let none = ivan
        .post("/companies/access-requests", &[("name", "X"), ("inn", &inn(111_111_111)), ("kpp", "")])
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_same_inn_and_kpp_twice_is_refused_with_a_link() {
    let w = world().await;
    let admin = user(&w.db, "admin@example.ru", "Анна Админ", "administrator").await;
    let taken = inn(502_483_016);
    let first = company(&w.db, admin, "ООО «Окна Комфорт»", &taken, "502401001").await;
    let browser = Browser::sign_in(&w.state, "admin@example.ru").await;
    let link = href(&format!("/companies/{}", first.id));

    let again =
        browser.post("/companies", &[("name", "Окна-2"), ("inn", &taken), ("kpp", "502401001")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("Компания с такими ИНН и КПП уже есть") && again.body.contains(&link));
    assert!(!again.body.contains("name=\"save_anyway\""), "no way around the database's refusal");
    // Ticking "Save anyway" by hand changes nothing: the database refuses, the link stays.
    let forced = browser
        .post(
            "/companies",
            &[("name", "Окна-2"), ("inn", &taken), ("kpp", "502401001"), ("save_anyway", "1")],
        )
        .await;
    assert_eq!(forced.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(forced.body.contains("id=\"f-inn-error\"") && forced.body.contains(&link));

    // A branch (same INN, another KPP) is another registration: saved.
    let saved =
        browser.post("/companies", &[("name", "Окна, филиал"), ("inn", &taken), ("kpp", "502402001")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(saved.location.starts_with("/companies/") && saved.location.ends_with("?notice=created"));

    // The live check as the user types.
    let live = browser.get_fragment(&format!("/companies/duplicates?inn={taken}&kpp=502401001")).await;
    assert!(live.body.contains(&link) && !live.body.contains("<html"));
    let none = browser.get_fragment(&format!("/companies/duplicates?inn={}&kpp=", inn(123_456_789))).await;
    assert!(none.body.trim().is_empty(), "{}", none.body);
}

#[tokio::test]
async fn an_edit_against_an_old_version_is_refused_and_keeps_the_typing() {
    let w = world().await;
    let admin = user(&w.db, "admin@example.ru", "Анна Админ", "administrator").await;
    let original = company(&w.db, admin, "ООО «Старое»", &inn(390_660_913), "390601001").await;
    let browser = Browser::sign_in(&w.state, "admin@example.ru").await;

    let form = browser.get(&format!("/companies/{}/edit", original.id)).await;
    assert!(form.body.contains(&format!("name=\"version\" value=\"{}\"", original.version)));

    // Someone else saves first.
    let access = Access::load(&w.db, admin, None).await.expect("access");
    let theirs =
        CompanyInput { region: "Калининград".into(), ..CompanyInput::from(&original.fields) };
    companies::update(&w.db, &access, original.id, &theirs, None).await.expect("their edit");

    let version = original.version.to_string();
    let mine = [
        ("name", "ООО «Новое»"),
        ("inn", original.fields.inn.as_ref().map(|i| i.as_str()).unwrap_or_default()),
        ("kpp", "390601001"),
        ("version", version.as_str()),
    ];
    let reply = browser.post(&format!("/companies/{}", original.id), &mine).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert!(reply.body.contains("Запись изменил кто-то другой"));
    assert!(reply.body.contains("value=\"ООО «Новое»\""));
    assert!(reply.body.contains(&format!("name=\"version\" value=\"{}\"", original.version + 1)));

    // Saving again from that form goes through.
    let again = [("version", (original.version + 1).to_string())];
    let mut fields: Vec<(&str, &str)> = mine[..3].to_vec();
    fields.push(("version", again[0].1.as_str()));
    let saved = browser.post(&format!("/companies/{}", original.id), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let card = browser.get(&format!("/companies/{}", original.id)).await;
    assert!(card.body.contains("ООО «Новое»"));
    // The edit is in the history with before → after.
    assert!(card.body.contains("<del>ООО «Старое»</del> → <ins>ООО «Новое»</ins>"), "{}", card.body);
}

#[tokio::test]
async fn a_logged_call_with_a_follow_up_shows_on_the_card() {
    let w = world().await;
    let admin = user(&w.db, "admin@example.ru", "Анна Админ", "administrator").await;
    let client = company(&w.db, admin, "ООО «Клиент»", &inn(631_690_996), "631601001").await;
    let browser = Browser::sign_in(&w.state, "admin@example.ru").await;
    let card_path = format!("/companies/{}", client.id);

    let logged = browser
        .post(
            &format!("{card_path}/activities"),
            &[
                ("kind", "call"),
                ("direction", "outgoing"),
                ("occurred_at", "2026-11-23T14:05"),
                ("duration_minutes", "15"),
                ("subject", "Обсудили замер окон"),
                ("task_title", "Перезвонить в пятницу"),
                ("task_due_at", "2026-11-27T10:00"),
            ],
        )
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER);
    assert_eq!(logged.location, format!("{card_path}?notice=logged#timeline"));

    let card = browser.get(&format!("{card_path}?notice=logged")).await;
    assert_eq!(card.status, StatusCode::OK);
    for needle in [
        "Обсудили замер окон",
        "Исходящий · 15 минут",
        "23.11.2026 14:05",
        "Новая задача: Перезвонить в пятницу",
        "Записано в историю.",
    ] {
        assert!(card.body.contains(needle), "the card shows {needle:?}");
    }
    // The follow-up is a real task, due at 10:00 Moscow time (07:00 UTC), open on the card.
    let access = Access::load(&w.db, admin, None).await.expect("access");
    let filter = TaskFilter { company_id: Some(client.id), ..TaskFilter::default() };
    let found = tasks::list(&w.db, &access, &filter, None, 10).await.expect("tasks").items;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].fields.title, "Перезвонить в пятницу");
    assert_eq!(found[0].fields.due_at.map(|d| d.to_rfc3339()).as_deref(), Some("2026-11-27T07:00:00+00:00"));

    // A task and a note from the card; a refused note comes back open with its error.
    let task =
        browser.post(&format!("{card_path}/tasks"), &[("title", "Отправить КП"), ("priority", "high")]).await;
    assert_eq!(task.status, StatusCode::SEE_OTHER);
    let note =
        browser.post(&format!("{card_path}/notes"), &[("note", "Директор в отпуске до 1 декабря")]).await;
    assert_eq!(note.status, StatusCode::SEE_OTHER);
    let empty_note = browser.post(&format!("{card_path}/notes"), &[("note", "  ")]).await;
    assert_eq!(empty_note.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty_note.body.contains("id=\"quick-note\" checked")
            && empty_note.body.contains("id=\"f-note-error\"")
    );
    let card = browser.get(&card_path).await;
    assert!(card.body.contains("Отправить КП") && card.body.contains("Директор в отпуске до 1 декабря"));
}

#[tokio::test]
async fn a_manager_never_sees_another_managers_company() {
    let w = world().await;
    let anna = user(&w.db, "anna@example.ru", "Анна", "manager").await;
    user(&w.db, "boris@example.ru", "Борис", "manager").await;
    let hers = company(&w.db, anna, "ООО «Секрет Анны»", &inn(665_846_281), "665801001").await;
    let boris = Browser::sign_in(&w.state, "boris@example.ru").await;
    let anna_browser = Browser::sign_in(&w.state, "anna@example.ru").await;

    assert!(anna_browser.get("/companies").await.body.contains("Секрет Анны"));
    let list = boris.get("/companies").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("Секрет Анны"));
    assert!(!boris.get("/companies?q=665801001").await.body.contains("Секрет Анны"));
    assert_eq!(boris.get(&format!("/companies/{}", hers.id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(boris.get(&format!("/companies/{}/edit", hers.id)).await.status, StatusCode::NOT_FOUND);
    let call = boris.post(&format!("/companies/{}/activities", hers.id), &[("kind", "call")]).await;
    assert_eq!(call.status, StatusCode::NOT_FOUND);
    assert!(!boris.get("/search?q=Секрет").await.body.contains("Секрет Анны"));
    assert!(!boris.get_fragment("/search/suggest?q=Секрет").await.body.contains("Секрет Анны"));
    assert!(!boris.get_fragment("/companies/suggest?q=Секрет").await.body.contains("Секрет Анны"));
    // Nor does a manager's picker offer a colleague as owner.
    let form = boris.get("/companies/new").await;
    assert!(!form.body.contains(">Анна<"));
}

#[tokio::test]
async fn contacts_are_created_and_found_by_phone() {
    let w = world().await;
    let admin = user(&w.db, "admin@example.ru", "Анна Админ", "administrator").await;
    let firm = company(&w.db, admin, "ООО «Ромашка»", &inn(770_152_601), "770101001").await;
    let browser = Browser::sign_in(&w.state, "admin@example.ru").await;

    // From the company card's "Add contact", the company is chosen already.
    let form = browser.get(&format!("/contacts/new?company_id={}", firm.id)).await;
    assert!(form.body.contains(&format!("name=\"company_id\" value=\"{}\" checked", firm.id)));
    assert!(form.body.contains("ООО «Ромашка»"));

    let company_id = firm.id.to_string();
    let fields = [
        ("last_name", "Иванов"),
        ("first_name", "Пётр"),
        ("position", "Директор"),
        ("company_id", company_id.as_str()),
        ("phones", "8 (916) 123-45-67"),
        ("emails", "ivanov@romashka.ru"),
    ];
    let created = browser.post("/contacts", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let card = browser.get(created.location.trim_end_matches("?notice=created")).await;
    assert!(card.body.contains("Иванов Пётр") && card.body.contains("+7 916 123-45-67"));
    assert!(card.body.contains(&href(&format!("/companies/{}", firm.id))));

    let found = browser.get("/contacts?q=9161234567").await;
    assert!(found.body.contains("Иванов Пётр") && found.body.contains("ООО «Ромашка»"));
    assert!(!browser.get("/contacts?q=9160000000").await.body.contains("Иванов Пётр"));
    let by_company = browser.get(&format!("/contacts?company_id={}", firm.id)).await;
    assert!(by_company.body.contains("Иванов Пётр") && by_company.body.contains("class=\"chip\""));
    // The company card lists the contact.
    assert!(browser.get(&format!("/companies/{}", firm.id)).await.body.contains("Иванов Пётр"));

    // The same phone again: a warning with the existing contact, then saved on request.
    let twin = [("last_name", "Иванова"), ("phones", "+79161234567")];
    let warned = browser.post("/contacts", &twin).await;
    assert_eq!(warned.status, StatusCode::OK);
    assert!(
        warned.body.contains("Контакт с таким телефоном") && warned.body.contains("name=\"save_anyway\"")
    );
    let anyway = [("last_name", "Иванова"), ("phones", "+79161234567"), ("save_anyway", "1")];
    assert_eq!(browser.post("/contacts", &anyway).await.status, StatusCode::SEE_OTHER);

    // A bad phone keeps the typing, with the message at the field.
    let bad = browser.post("/contacts", &[("last_name", "Сидоров"), ("phones", "12-34")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"f-phones-error\"") && bad.body.contains("value=\"12-34\""));

    // The company picker answers as the user types.
    let picks = browser.get_fragment("/companies/suggest?company_q=Ромаш").await;
    assert!(picks.body.contains(&format!("name=\"company_id\" value=\"{}\"", firm.id)));
}

#[tokio::test]
async fn the_header_search_suggests_as_the_user_types() {
    let w = world().await;
    let admin = user(&w.db, "admin@example.ru", "Анна Админ", "administrator").await;
    let firm = company(&w.db, admin, "ООО «Ромашка»", &inn(770_152_601), "770101001").await;
    let browser = Browser::sign_in(&w.state, "admin@example.ru").await;

    let suggest = browser.get_fragment("/search/suggest?q=%D1%80%D0%BE%D0%BC%D0%B0%D1%88").await;
    assert_eq!(suggest.status, StatusCode::OK);
    assert!(!suggest.body.contains("<html"));
    assert!(suggest.body.contains(&href(&format!("/companies/{}", firm.id))));
    assert!(suggest.body.contains("/search?q="));
    let by_inn = browser.get_fragment(&format!("/search/suggest?q={}", inn(770_152_601))).await;
    assert!(by_inn.body.contains("ООО «Ромашка»"));
    assert!(browser.get_fragment("/search/suggest?q=%D1%80").await.body.trim().is_empty());

    let page = browser.get("/search?q=%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("ООО «Ромашка»") && page.body.contains("value=\"Ромашка\""));
    let nothing = browser.get("/search?q=zzzzzz").await;
    assert!(nothing.body.contains("Ничего не найдено"));
}

#[tokio::test]
async fn a_saved_view_round_trips() {
    let w = world().await;
    let admin = user(&w.db, "admin@example.ru", "Анна Админ", "administrator").await;
    let access = Access::load(&w.db, admin, None).await.expect("access");
    let moscow =
        CompanyInput {
            name: "ООО «Москва-Сити»".into(), region: "Москва".into(), ..CompanyInput::default()
        };
    companies::create(&w.db, &access, &moscow, None).await.expect("company");
    let kazan =
        CompanyInput {
            name: "ООО «Казань»".into(), region: "Татарстан".into(), ..CompanyInput::default()
        };
    companies::create(&w.db, &access, &kazan, None).await.expect("company");
    let browser = Browser::sign_in(&w.state, "admin@example.ru").await;

    let query = "region=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&sort=-name&after=t1%3A61";
    let saved = browser.post("/views", &[("list", "companies"), ("name", "Москва"), ("query", query)]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let view_path = "/companies?region=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&sort=-name";
    assert_eq!(saved.location, format!("{view_path}&notice=view-saved"), "the cursor is not saved");

    let list = browser.get(&saved.location).await;
    assert!(list.body.contains("Вид сохранён"));
    assert!(list.body.contains(&href(view_path)), "the Views menu links the view");
    assert!(list.body.contains("Москва-Сити") && !list.body.contains("ООО «Казань»"));

    let twice = browser.post("/views", &[("list", "companies"), ("name", "Москва"), ("query", "")]).await;
    assert!(twice.location.ends_with("notice=view-taken"), "{}", twice.location);
    assert!(browser.get(&twice.location).await.body.contains("У вас уже есть представление"));

    let id = list
        .body
        .split("action=\"/views/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("a delete form")
        .to_owned();
    let deleted = browser.post(&format!("/views/{id}/delete"), &[("list", "companies")]).await;
    assert_eq!(deleted.location, "/companies?notice=view-deleted");
    assert!(!browser.get("/companies").await.body.contains(&href(view_path)));
    // Someone else's view (or none) is not found.
    assert_eq!(
        browser.post(&format!("/views/{id}/delete"), &[("list", "companies")]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pages_render_in_english_and_missing_records_are_404() {
    let w = world().await;
    let admin = user(&w.db, "admin@example.ru", "Anna Admin", "administrator").await;
    let firm = company(&w.db, admin, "Romashka LLC", &inn(770_152_601), "770101001").await;
    let mut browser = Browser::sign_in(&w.state, "admin@example.ru").await;
    browser.language = "en";
    for path in [
        "/companies".to_owned(),
        format!("/companies/{}", firm.id),
        format!("/companies/{}/edit", firm.id),
        "/companies/new".to_owned(),
        "/contacts".to_owned(),
        "/contacts/new".to_owned(),
        "/search?q=Rom".to_owned(),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains(['\u{2068}', '\u{2069}']), "{path}: isolation marks");
        assert!(!page.body.contains(" style=\"") && !page.body.contains("<style"), "{path}: inline style");
        assert!(!page.body.contains("<script>"), "{path}: inline script");
    }
    for path in ["/companies/999999", "/companies/abc", "/contacts/999999", "/companies/999999/edit"] {
        assert_eq!(browser.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let english = browser.get("/companies").await;
    assert!(english.body.contains("<html lang=\"en\">") && english.body.contains("Add company"));
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

fn ftl_ids(lang: &str) -> BTreeSet<String> {
    let mut paths = Vec::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../orbita-i18n/locales").join(lang);
    files(&dir, "ftl", &mut paths);
    let mut ids = BTreeSet::new();
    for path in paths {
        let text = fs::read_to_string(&path).expect("ftl");
        for line in text.lines() {
            if let Some((id, _)) = line.split_once(" =")
                && id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                ids.insert(id.to_owned());
            }
        }
    }
    ids
}

/// tests/i18n.rs reads the templates at the top of `templates/`; these pages' templates are in
/// folders, so their keys are checked here, in both languages.
#[test]
fn every_key_of_these_pages_exists_in_both_languages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    for dir in ["templates/companies", "templates/contacts", "templates/search"] {
        files(&root.join(dir), "html", &mut sources);
    }
    for dir in ["src/pages/companies", "src/pages/contacts"] {
        files(&root.join(dir), "rs", &mut sources);
    }
    for file in ["src/pages/companies.rs", "src/pages/contacts.rs", "src/pages/search.rs"] {
        sources.push(root.join(file));
    }
    let mut keys = BTreeSet::new();
    for path in &sources {
        let text = fs::read_to_string(path).expect("source");
        for call in ["t(\"", "t_with(\"", "count(\"", "(FlashKind::Success, \"", "(FlashKind::Error, \""] {
            for (at, _) in text.match_indices(call) {
                // `layout.t("…")`, not `query.get("…")`.
                let before = text[..at].chars().next_back();
                if call.starts_with(|c: char| c.is_alphabetic())
                    && before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                {
                    continue;
                }
                let key = text[at + call.len()..].split('"').next().unwrap_or("");
                if key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !key.is_empty()
                {
                    keys.insert(key.to_owned());
                }
            }
        }
    }
    assert!(keys.len() > 60, "only {} keys found: is the scan broken?", keys.len());
    for lang in ["ru", "en"] {
        let ids = ftl_ids(lang);
        let missing: Vec<_> = keys.iter().filter(|k| !ids.contains(*k)).collect();
        assert!(missing.is_empty(), "missing in locales/{lang}: {missing:?}");
    }
}
