//! The deal, kanban, task and activity pages through the real router: the "incoming request"
//! and "closing" scenarios as a manager clicks through them, and the scope of what a manager
//! may see.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use orbita_app::{Access, RequestContext, activities, companies, contacts, deals, setup, tasks, users};
use orbita_domain::activity::{ActivityInput, ActivityKind, ActivityStatus};
use orbita_domain::company::CompanyInput;
use orbita_domain::contact::ContactInput;
use orbita_domain::deal::DealInput;
use orbita_domain::list::TaskFilter;
use orbita_domain::pipeline::{Stage, StageKind};
use orbita_domain::task::TaskInput;
use orbita_domain::{CompanyId, ContactId, DealId, UserId};
use orbita_storage::Db;
use orbita_testkit::{TestDb, on_both};
use orbita_web::{AppState, router};
use tower::ServiceExt;

const PASSWORD: &str = "a good long password";
/// A no-break space, as money is printed.
const NB: &str = "\u{a0}";

struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

/// A browser in a test: keeps the session cookie and the last CSRF token seen.
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
        let page =
            client.send("POST", "/login", Some(&[("email", email), ("password", PASSWORD)]), &[]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "sign-in of {email}");
        assert!(!client.cookie.is_empty(), "session cookie set");
        client.get("/tasks").await;
        assert!(!client.csrf.is_empty(), "a page carries the CSRF token");
        client
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        form: Option<&[(&str, &str)]>,
        headers: &[(&str, &str)],
    ) -> Page {
        let mut request = Request::builder().method(method).uri(path).header(header::HOST, "localhost");
        if !self.cookie.is_empty() {
            request = request.header(header::COOKIE, &self.cookie);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let body = match form {
            Some(fields) => {
                request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(serde_urlencoded::to_string(fields).expect("form"))
            }
            None => Body::empty(),
        };
        let response =
            self.app.clone().oneshot(request.body(body).expect("request")).await.expect("response");
        let status = response.status();
        if let Some(set) = response.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default();
            if pair.starts_with("orbita_session=") && pair.len() > "orbita_session=".len() {
                self.cookie = pair.to_owned();
            }
        }
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(token) = hidden(&body, "csrf_token") {
            self.csrf = token;
        }
        Page { status, location, body }
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send("GET", path, None, &[]).await
    }

    /// Posts a form with the CSRF token added, as a browser without scripts does.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(path, fields, &[]).await
    }

    async fn post_with(&mut self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let csrf = self.csrf.clone();
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &csrf));
        self.send("POST", path, Some(&fields), headers).await
    }
}

fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

async fn user(db: &Db, email: &str, role: &str) -> UserId {
    setup::bootstrap(db).await.expect("bootstrap");
    users::create_user(db, &RequestContext::system(), email, email, role, PASSWORD).await.expect("user")
}

async fn stages(db: &Db) -> Vec<Stage> {
    deals::pipelines_and_stages(db).await.expect("stages").1
}

fn stage_of(stages: &[Stage], kind: StageKind) -> &Stage {
    stages.iter().find(|s| s.kind == kind).expect("stage of kind")
}

/// Creates a deal through the form and returns its id.
async fn create_deal(client: &mut Client, title: &str, amount: &str) -> i64 {
    client.get("/deals/new").await;
    let page = client.post("/deals", &[("title", title), ("amount", amount), ("currency", "RUB")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let id = page.location.trim_start_matches("/deals/").trim_end_matches("?notice=created");
    id.parse().expect("deal id in the redirect")
}

#[tokio::test]
async fn a_deal_with_a_budget_appears_on_the_list_and_its_card() {
    let t = TestDb::sqlite().await;
    user(&t.db, "anna@x.ru", "manager").await;
    let mut anna = Client::signed_in(&t.db, "anna@x.ru").await;
    let form = anna.get("/deals/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"amount\""));
    let id = create_deal(&mut anna, "Остекление коттеджа", "1 500 000,00").await;

    let list = anna.get("/deals").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Остекление коттеджа"));
    let amount = format!("1{NB}500{NB}000,00{NB}₽");
    assert!(list.body.contains(&amount), "the budget in Russian format");
    assert!(list.body.contains(&format!("/deals/{id}")));
    assert!(
        list.body.contains("action=\"/exports\"") && list.body.contains("name=\"list\" value=\"deals\""),
        "the export form"
    );

    let card = anna.get(&format!("/deals/{id}")).await;
    assert_eq!(card.status, StatusCode::OK);
    assert!(card.body.contains(&amount));
    assert!(card.body.contains("Новая заявка"), "the first stage of the pipeline");
    assert!(card.body.contains("Сделка создана"), "the timeline");

    // Search, sort and columns live in the URL.
    let found = anna.get("/deals?q=%D0%BA%D0%BE%D1%82%D1%82%D0%B5%D0%B4%D0%B6&sort=-amount&col=amount").await;
    assert!(found.body.contains("Остекление коттеджа"));
    assert!(found.body.contains("aria-sort=\"descending\""));
    let none = anna.get("/deals?q=%D1%81%D0%BA%D0%BB%D0%B0%D0%B4").await;
    assert!(!none.body.contains("Остекление коттеджа"));
    let won_only = anna.get("/deals?status=won").await;
    assert!(!won_only.body.contains("Остекление коттеджа"));

    // Editing keeps the version; a second save of the same version is refused as stale.
    let edit = anna.get(&format!("/deals/{id}/edit")).await;
    let version = hidden(&edit.body, "version").expect("version");
    let fields =
        [("title", "Остекление коттеджа, 14 окон"), ("amount", "1 600 000"), ("version", version.as_str())];
    let saved = anna.post(&format!("/deals/{id}"), &fields).await;
    assert_eq!(
        (saved.status, saved.location.as_str()),
        (StatusCode::SEE_OTHER, format!("/deals/{id}?notice=saved").as_str())
    );
    let stale = anna.post(&format!("/deals/{id}"), &fields).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("другой пользователь"));
}

#[tokio::test]
async fn a_bad_amount_is_shown_next_to_the_field_with_the_typed_values_kept() {
    let t = TestDb::sqlite().await;
    user(&t.db, "anna@x.ru", "manager").await;
    let mut anna = Client::signed_in(&t.db, "anna@x.ru").await;
    anna.get("/deals/new").await;
    let page = anna
        .post(
            "/deals",
            &[("title", "Окна для склада"), ("amount", "12,345"), ("source", "Сайт"), ("company_id", "abc")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Не больше двух знаков после запятой"), "the amount's message");
    assert!(page.body.contains("Введите номер записи цифрами"), "the company number's message");
    assert!(page.body.contains("value=\"Окна для склада\""));
    assert!(page.body.contains("value=\"12,345\""));
    assert!(page.body.contains("value=\"Сайт\""));
    assert!(page.body.contains("aria-invalid=\"true\""));
    assert!(!anna.get("/deals").await.body.contains("Окна для склада"), "nothing was saved");
}

#[tokio::test]
async fn a_call_logged_on_the_card_creates_its_follow_up_task() {
    let t = TestDb::sqlite().await;
    user(&t.db, "anna@x.ru", "manager").await;
    let mut anna = Client::signed_in(&t.db, "anna@x.ru").await;
    let id = create_deal(&mut anna, "Окна в новый корпус", "640 000").await;
    let card = anna.get(&format!("/deals/{id}")).await;
    assert!(card.body.contains("name=\"task_title\""), "the call form offers a follow-up task");
    let deal = id.to_string();
    let back = format!("/deals/{id}");
    let logged = anna
        .post(
            "/activities",
            &[
                ("kind", "call"),
                ("direction", "outgoing"),
                ("status", "done"),
                ("occurred_at", "2026-11-23T14:05"),
                ("duration_minutes", "15"),
                ("subject", "Обсудили сроки монтажа"),
                ("deal_id", &deal),
                ("task_title", "Отправить КП"),
                ("task_due_at", "2026-11-25T10:00"),
                ("return_to", &back),
            ],
        )
        .await;
    // "Звонок записан": the card says so.
    let told = format!("{back}?notice=call-logged");
    assert_eq!((logged.status, logged.location.as_str()), (StatusCode::SEE_OTHER, told.as_str()));
    assert!(anna.get(&told).await.body.contains("Звонок записан."));

    let card = anna.get(&back).await;
    assert!(card.body.contains("Обсудили сроки монтажа"), "the call is in the timeline");
    assert!(card.body.contains("15 минут"));
    assert!(card.body.contains("Отправить КП"), "the task is on the card");
    let tasks = anna.get("/tasks").await;
    assert!(tasks.body.contains("Отправить КП"), "and in My tasks");
    assert!(tasks.body.contains("Просроченные") || tasks.body.contains("Предстоящие"));

    let register = anna.get("/activities").await;
    assert!(register.body.contains("Обсудили сроки монтажа"));
    assert!(register.body.contains("Исходящий"));

    // A bad follow-up time comes back with both forms' values.
    let bad = anna
        .post(
            "/activities",
            &[("kind", "call"), ("deal_id", &deal), ("task_title", "Позвонить"), ("task_due_at", "завтра")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"Позвонить\"") && bad.body.contains("value=\"завтра\""));
}

#[tokio::test]
async fn stages_move_and_lost_needs_a_reason() {
    let t = TestDb::sqlite().await;
    user(&t.db, "anna@x.ru", "manager").await;
    let stages = stages(&t.db).await;
    let mut anna = Client::signed_in(&t.db, "anna@x.ru").await;
    let id = create_deal(&mut anna, "Витражи для офиса", "320 000").await;
    let path = format!("/deals/{id}/stage");
    let second =
        stages.iter().find(|s| s.kind == StageKind::Open && s.position > 1).expect("a second open stage");
    let second_id = second.id.to_string();

    let moved = anna.post(&path, &[("stage_id", &second_id)]).await;
    assert_eq!(
        (moved.status, moved.location.clone()),
        (StatusCode::SEE_OTHER, format!("/deals/{id}?notice=stage-moved"))
    );
    let card = anna.get(&format!("/deals/{id}")).await;
    assert!(card.body.contains("aria-current=\"step\""));
    assert!(
        card.body.contains(&format!("Новая заявка → {}", second.name_ru)),
        "the timeline names the stages"
    );

    let lost = stage_of(&stages, StageKind::Lost).id.to_string();
    let refused = anna.post(&path, &[("stage_id", &lost), ("lost_reason", " ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Заполните это поле"));
    // A script (the kanban board) gets the message as a status.
    let script = anna.post_with(&path, &[("stage_id", &lost)], &[("x-requested-with", "fetch")]).await;
    assert_eq!(script.status, StatusCode::UNPROCESSABLE_ENTITY);

    let closed = anna.post(&path, &[("stage_id", &lost), ("lost_reason", "Дорого")]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let card = anna.get(&format!("/deals/{id}")).await;
    assert!(card.body.contains("Проиграна") && card.body.contains("Дорого"));

    let won = stage_of(&stages, StageKind::Won).id.to_string();
    let by_script = anna.post_with(&path, &[("stage_id", &won)], &[("x-requested-with", "fetch")]).await;
    assert_eq!(by_script.status, StatusCode::NO_CONTENT);
    let card = anna.get(&format!("/deals/{id}")).await;
    assert!(card.body.contains("Выиграна"));
    assert!(anna.get("/deals?status=won").await.body.contains("Витражи для офиса"));

    // A stale version from an old card is refused, not applied.
    let old = anna.post(&path, &[("stage_id", &second_id), ("version", "1")]).await;
    assert_eq!(old.status, StatusCode::CONFLICT);
}

/// The card's stage bar offers every stage; winning from it with "close the open tasks" ticked
/// marks the deal's open tasks done in the same step, those of the deal a manager may edit.
#[tokio::test]
async fn winning_from_the_stage_bar_closes_the_deals_open_tasks() {
    on_both(|t| async move {
        let anna_id = user(&t.db, "anna@x.ru", "manager").await;
        let boris_id = user(&t.db, "boris@x.ru", "manager").await;
        let stages = stages(&t.db).await;
        let mut anna = Client::signed_in(&t.db, "anna@x.ru").await;
        let id = create_deal(&mut anna, "Окна в дом", "90 000").await;
        let card = anna.get(&format!("/deals/{id}")).await;
        for stage in stages.iter().filter(|s| s.pipeline_id == stages[0].pipeline_id) {
            let value = format!("name=\"stage_id\" value=\"{}\"", stage.id);
            assert!(
                stage.position == 1 || card.body.contains(&value),
                "{}: the bar offers {}",
                t.name,
                stage.name_ru
            );
        }
        let anna_access = Access::load(&t.db, anna_id, None).await.expect("access");
        let boris_access = Access::load(&t.db, boris_id, None).await.expect("access");
        let task = |title: &str, who: UserId| TaskInput {
            title: title.into(),
            description: String::new(),
            due_at: None,
            assignee_id: who,
            priority: None,
            company_id: None,
            contact_id: None,
            deal_id: Some(DealId(id)),
        };
        for title in ["Выставить счёт", "Согласовать монтаж"] {
            tasks::create(&t.db, &anna_access, &task(title, anna_id)).await.expect("task");
        }
        // A colleague's task on her deal (set by a robot, say): not hers to close.
        let fields = task("Замер", boris_id).validate().expect("task");
        let mut tx = t.db.begin().await.expect("begin");
        let borises =
            orbita_storage::tasks::insert(&mut tx, &fields, None, orbita_domain::now()).await.expect("task");
        tx.commit().await.expect("commit");
        let card = anna.get(&format!("/deals/{id}")).await;
        assert!(card.body.contains("Закрыть и 2 открытые задачи сделки"), "{}", t.name);

        let won = stage_of(&stages, StageKind::Won).id.to_string();
        let closed =
            anna.post(&format!("/deals/{id}/stage"), &[("stage_id", &won), ("close_tasks", "1")]).await;
        assert_eq!(
            (closed.status, closed.location.as_str()),
            (StatusCode::SEE_OTHER, format!("/deals/{id}?notice=closed-with-tasks").as_str()),
            "{}",
            t.name
        );
        let open = TaskFilter { deal_id: Some(DealId(id)), done: Some(false), ..TaskFilter::default() };
        let left = tasks::list(&t.db, &anna_access, &open, None, 10).await.expect("tasks").items;
        assert!(left.is_empty(), "{}: {left:?}", t.name);
        let his = tasks::list(&t.db, &boris_access, &open, None, 10).await.expect("tasks").items;
        assert_eq!(his.iter().map(|t| t.id).collect::<Vec<_>>(), [borises], "{}: Boris's stays open", t.name);
        assert!(anna.get(&closed.location).await.body.contains("открытые задачи отмечены выполненными"));
        t
    })
    .await;
}

#[tokio::test]
async fn the_kanban_board_counts_sums_and_moves_without_a_script() {
    let t = TestDb::sqlite().await;
    user(&t.db, "anna@x.ru", "manager").await;
    let stages = stages(&t.db).await;
    let mut anna = Client::signed_in(&t.db, "anna@x.ru").await;
    let first = create_deal(&mut anna, "Балкон", "100").await;
    create_deal(&mut anna, "Лоджия", "250,50").await;

    let board = anna.get("/deals/kanban").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(board.body.contains("Балкон") && board.body.contains("Лоджия"));
    assert!(board.body.contains(&format!("350,50{NB}₽")), "the column's sum");
    assert!(board.body.contains("title=\"2 сделки\">2</span>"), "the column's count");
    assert!(board.body.contains("kanban.js"), "the drag-and-drop script");
    assert!(
        board.body.contains("action=\"/deals/") && board.body.contains("/stage\""),
        "the move menu's forms"
    );

    // The menu's form works without JavaScript and comes back to the board.
    let target = stages.iter().find(|s| s.kind == StageKind::Open && s.position > 1).expect("stage");
    let here = hidden(&board.body, "return_to").expect("return_to");
    let moved = anna
        .post(&format!("/deals/{first}/stage"), &[("stage_id", &target.id.to_string()), ("return_to", &here)])
        .await;
    let joint = if here.contains('?') { '&' } else { '?' };
    let told = format!("{here}{joint}notice=stage-moved");
    assert_eq!((moved.status, moved.location.as_str()), (StatusCode::SEE_OTHER, told.as_str()));
    let board = anna.get(&here).await;
    assert!(board.body.contains(&format!("250,50{NB}₽")));
    assert!(board.body.contains("title=\"1 сделка\">1</span>"));

    let filtered = anna.get("/deals/kanban?q=%D0%9B%D0%BE%D0%B4%D0%B6").await;
    assert!(filtered.body.contains("Лоджия") && !filtered.body.contains(">Балкон<"));
}

#[tokio::test]
async fn a_task_is_done_in_one_click() {
    let t = TestDb::sqlite().await;
    user(&t.db, "anna@x.ru", "manager").await;
    let mut anna = Client::signed_in(&t.db, "anna@x.ru").await;
    anna.get("/tasks/new").await;
    let created =
        anna.post("/tasks", &[("title", "Позвонить клиенту"), ("due_at", "2020-01-10T09:00")]).await;
    assert_eq!(
        (created.status, created.location.as_str()),
        (StatusCode::SEE_OTHER, "/tasks?notice=task-added")
    );
    let list = anna.get("/tasks").await;
    assert!(list.body.contains("Позвонить клиенту"));
    assert!(list.body.contains("Просроченные"), "a task due in 2020 is overdue");
    let marker = "id=\"task-";
    let start = list.body.find(marker).expect("a task row") + marker.len();
    let id: String = list.body[start..].chars().take_while(char::is_ascii_digit).collect();

    // htmx gets the row back, marked done.
    let row = anna.post_with(&format!("/tasks/{id}/done"), &[], &[("hx-request", "true")]).await;
    assert_eq!(row.status, StatusCode::OK);
    assert!(row.body.starts_with("<li") && row.body.contains("is-done"), "{}", row.body);
    assert!(!anna.get("/tasks").await.body.contains("Позвонить клиенту"), "no longer open");
    assert!(anna.get("/tasks?status=done").await.body.contains("Позвонить клиенту"));

    // Without a script: back to the list.
    let reopened = anna.post(&format!("/tasks/{id}/reopen"), &[("return_to", "/tasks")]).await;
    assert_eq!((reopened.status, reopened.location.as_str()), (StatusCode::SEE_OTHER, "/tasks"));
    let done = anna.post(&format!("/tasks/{id}/done"), &[]).await;
    assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/tasks"));
}

#[tokio::test]
async fn a_manager_never_sees_another_managers_deal() {
    let t = TestDb::sqlite().await;
    user(&t.db, "anna@x.ru", "manager").await;
    let boris = user(&t.db, "boris@x.ru", "manager").await;
    let access = Access::load(&t.db, boris, None).await.expect("access");
    let input =
        DealInput {
            title: "Секретная сделка Бориса".into(), amount: "999".into(), ..Default::default()
        };
    let theirs = deals::create(&t.db, &access, &input, None, None, None).await.expect("deal").id;
    let DealId(theirs) = theirs;

    let mut anna = Client::signed_in(&t.db, "anna@x.ru").await;
    assert!(!anna.get("/deals").await.body.contains("Секретная сделка"));
    assert!(!anna.get("/deals/kanban").await.body.contains("Секретная сделка"));
    assert_eq!(anna.get(&format!("/deals/{theirs}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(anna.get(&format!("/deals/{theirs}/edit")).await.status, StatusCode::NOT_FOUND);
    let stages = stages(&t.db).await;
    let won = stage_of(&stages, StageKind::Won).id.to_string();
    assert_eq!(
        anna.post(&format!("/deals/{theirs}/stage"), &[("stage_id", &won)]).await.status,
        StatusCode::NOT_FOUND
    );

    let mut boris = Client::signed_in(&t.db, "boris@x.ru").await;
    assert!(boris.get("/deals").await.body.contains("Секретная сделка"));
    assert!(boris.get("/deals/kanban").await.body.contains("Секретная сделка"));
}

#[tokio::test]
async fn saved_views_keep_the_filters() {
    let t = TestDb::sqlite().await;
    user(&t.db, "anna@x.ru", "manager").await;
    let mut anna = Client::signed_in(&t.db, "anna@x.ru").await;
    let list = anna.get("/deals?status=won&sort=-amount").await;
    // The "save this view" form's (the export form's also names the columns on screen).
    let form = list.body.split("action=\"/deals/views\"").nth(1).expect("the view form");
    let query = hidden(form, "query").expect("the view's query");
    assert_eq!(query, "status=won&#38;sort=-amount");
    let saved =
        anna.post("/deals/views", &[("name", "Выигранные"), ("query", "status=won&sort=-amount")]).await;
    assert_eq!(
        (saved.status, saved.location.as_str()),
        (StatusCode::SEE_OTHER, "/deals?status=won&sort=-amount")
    );
    let list = anna.get("/deals").await;
    assert!(
        list.body.contains("Выигранные") && list.body.contains("href=\"/deals?status=won&#38;sort=-amount\"")
    );
    let twice = anna.post("/deals/views", &[("name", "Выигранные"), ("query", "status=open")]).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("У вас уже есть представление с таким названием"));
}

#[tokio::test]
async fn a_head_of_sales_sees_the_teams_tasks() {
    let t = TestDb::sqlite().await;
    user(&t.db, "head@x.ru", "head_of_sales").await;
    let mut head = Client::signed_in(&t.db, "head@x.ru").await;
    let page = head.get("/tasks").await;
    assert!(page.body.contains("Команда"), "the team tab");
    assert_eq!(head.get("/tasks?assignee=all").await.status, StatusCode::OK);
    user(&t.db, "anna@x.ru", "manager").await;
    let mut anna = Client::signed_in(&t.db, "anna@x.ru").await;
    assert!(!anna.get("/tasks").await.body.contains("Команда"), "a manager has only their own");
}

/// The deals list, the kanban board, the deal's card and form, and the activities register
/// name a deal's company (one lookup per page); a company the user may not see, on a deal
/// they do see, is shown by number only, never by name.
#[tokio::test]
async fn pages_name_the_deals_company_and_only_a_visible_one() {
    let t = TestDb::sqlite().await;
    let anna_id = user(&t.db, "anna@x.ru", "manager").await;
    let admin = user(&t.db, "root@x.ru", "administrator").await;
    let anna = Access::load(&t.db, anna_id, None).await.expect("access");
    let theirs = Access::load(&t.db, admin, None).await.expect("access");
    let company = |name: &str, inn: &str| CompanyInput {
        name: name.into(),
        inn: inn.into(),
        kpp: "770101001".into(),
        ..Default::default()
    };
    let ours = companies::create(&t.db, &anna, &company("ООО «Ромашка»", "7707083893"), None)
        .await
        .expect("company")
        .id;
    let hidden = companies::create(&t.db, &theirs, &company("АО «Тайна»", "7736050003"), None)
        .await
        .expect("company")
        .id;
    let deal = |title: &str, company: CompanyId| DealInput {
        title: title.into(),
        amount: "1000".into(),
        company_id: Some(company),
        ..Default::default()
    };
    let with_ours = deals::create(&t.db, &anna, &deal("Окна для Ромашки", ours), None, None, None)
        .await
        .expect("deal")
        .id;
    // The administrator gives Anna a deal of a company she may not see.
    let with_hidden =
        deals::create(&t.db, &theirs, &deal("Окна для тайного клиента", hidden), None, None, Some(anna_id))
            .await
            .expect("deal")
            .id;
    let mut client = Client::signed_in(&t.db, "anna@x.ru").await;
    let company_id = ours.to_string();
    let logged = client
        .post(
            "/activities",
            &[
                ("kind", "call"),
                ("status", "done"),
                ("subject", "Звонок в Ромашку"),
                ("company_id", &company_id),
            ],
        )
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.body);
    let by_number = format!("Компания № {hidden}");
    for path in ["/deals?col=title&col=company", "/deals/kanban"] {
        let page = client.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("Окна для Ромашки") && page.body.contains("Окна для тайного клиента"));
        assert!(page.body.contains("ООО «Ромашка»"), "{path}: the company by name");
        assert!(page.body.contains(&by_number), "{path}: the hidden company by number");
        assert!(!page.body.contains("Тайна"), "{path}: a hidden company's name never shows");
    }
    let card = client.get(&format!("/deals/{with_ours}")).await;
    assert!(card.body.contains("ООО «Ромашка»"));
    let card = client.get(&format!("/deals/{with_hidden}")).await;
    assert!(card.body.contains(&by_number) && !card.body.contains("Тайна"), "the card agrees with the list");
    let form = client.get(&format!("/deals/{with_ours}/edit")).await;
    assert!(form.body.contains("ООО «Ромашка»"), "the form names the linked company");
    let register = client.get("/activities").await;
    assert!(register.body.contains("Звонок в Ромашку") && register.body.contains("ООО «Ромашка»"));
}

/// The deals list's contact column, the activities register and card, and the tasks list name
/// the linked contacts and deals (one lookup per kind per page); those the user may not see, on
/// records they do see, are shown by number only, never by name.
#[tokio::test]
async fn pages_name_the_linked_contacts_and_deals_and_only_visible_ones() {
    on_both(|t| async move {
        let anna_id = user(&t.db, "anna@x.ru", "manager").await;
        let admin = user(&t.db, "root@x.ru", "administrator").await;
        let anna = Access::load(&t.db, anna_id, None).await.expect("access");
        let theirs = Access::load(&t.db, admin, None).await.expect("access");
        let person = |last: &str| ContactInput {
            last_name: last.into(),
            first_name: "Иван".into(),
            ..Default::default()
        };
        let ours = contacts::create(&t.db, &anna, &person("Петров"), None).await.expect("contact").id;
        let hidden = contacts::create(&t.db, &theirs, &person("Секретов"), None).await.expect("contact").id;
        let deal = |title: &str, contact: Option<ContactId>| DealInput {
            title: title.into(),
            amount: "1000".into(),
            contact_id: contact,
            ..Default::default()
        };
        let with_ours = deals::create(&t.db, &anna, &deal("Окна для Петрова", Some(ours)), None, None, None)
            .await
            .expect("deal")
            .id;
        // The administrator gives Anna a deal with a contact she may not see, and links her
        // activities and tasks to a deal she may not see either.
        deals::create(
            &t.db,
            &theirs,
            &deal("Окна для скрытого клиента", Some(hidden)),
            None,
            None,
            Some(anna_id),
        )
        .await
        .expect("deal");
        let hidden_deal = deals::create(&t.db, &theirs, &deal("Тайная сделка", None), None, None, None)
            .await
            .expect("deal")
            .id;
        let activity = |subject: &str, contact: ContactId, deal: DealId| ActivityInput {
            kind: ActivityKind::Call,
            direction: None,
            status: Some(ActivityStatus::Done),
            occurred_at: orbita_domain::now(),
            duration_minutes: None,
            subject: subject.into(),
            responsible_id: anna_id,
            company_id: None,
            contact_id: Some(contact),
            deal_id: Some(deal),
        };
        activities::log(&t.db, &theirs, &activity("Звонок по окнам", ours, with_ours), None)
            .await
            .expect("activity");
        let (hidden_call, _) =
            activities::log(&t.db, &theirs, &activity("Звонок скрытому", hidden, hidden_deal), None)
                .await
                .expect("activity");
        let task = TaskInput {
            title: "Перезвонить скрытому".into(),
            description: String::new(),
            due_at: None,
            assignee_id: anna_id,
            priority: None,
            company_id: None,
            contact_id: Some(hidden),
            deal_id: Some(hidden_deal),
        };
        tasks::create(&t.db, &theirs, &task).await.expect("task");

        let mut client = Client::signed_in(&t.db, "anna@x.ru").await;
        let contact_number = format!("Контакт № {hidden}");
        let deal_number = format!("Сделка № {hidden_deal}");
        let list = client.get("/deals?col=title&col=contact").await;
        assert_eq!(list.status, StatusCode::OK, "{}", t.name);
        assert!(list.body.contains("Петров Иван"), "{}: the contact by name", t.name);
        assert!(list.body.contains(&contact_number), "{}: the hidden contact by number", t.name);
        for path in ["/activities".to_owned(), format!("/activities/{}", hidden_call.id), "/tasks".to_owned()]
        {
            let page = client.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{}: {path}", t.name);
            assert!(page.body.contains(&contact_number), "{}: {path}: the hidden contact by number", t.name);
            assert!(page.body.contains(&deal_number), "{}: {path}: the hidden deal by number", t.name);
            assert!(
                !page.body.contains("Секретов"),
                "{}: {path}: a hidden contact's name never shows",
                t.name
            );
            assert!(
                !page.body.contains("Тайная сделка"),
                "{}: {path}: a hidden deal's title never shows",
                t.name
            );
        }
        let register = client.get("/activities").await;
        assert!(
            register.body.contains("Петров Иван") && register.body.contains("Окна для Петрова"),
            "{}",
            t.name
        );
        assert!(!list.body.contains("Секретов"), "{}: a hidden contact's name never shows", t.name);
        t
    })
    .await;
}
