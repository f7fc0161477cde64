//! The lists' group filter (`group=<id>`): companies, contacts, deals (and their board), tasks
//! and activities narrowed to the records of a user group's members, always within the user's
//! scope; the select of the groups the user may pick; the files (direct and background) holding
//! exactly those records; and the summary report's group total opening the group's list. On
//! SQLite and PostgreSQL, through the real router.

mod support;

use std::time::Duration;

use axum::http::StatusCode;
use orbita_app::Access;
use orbita_domain::activity::{ActivityInput, ActivityKind};
use orbita_domain::company::CompanyInput;
use orbita_domain::contact::ContactInput;
use orbita_domain::deal::DealInput;
use orbita_domain::task::TaskInput;
use orbita_domain::{GroupId, UserId, now};
use orbita_storage::Db;
use orbita_testkit::on_both;
use support::{Browser, PASSWORD, hidden_value, with_user};

/// Each person's records carry their mark in every name, title and subject.
const ANNA: &str = "Annamark";
const BORIS: &str = "Borismark";
const HEAD: &str = "Headmark";
const LISTS: [&str; 6] = ["/companies", "/contacts", "/deals", "/deals/kanban", "/tasks", "/activities"];

/// Team A: the head of sales and manager Anna; team B: manager Boris. The administrator is in
/// no group.
struct Org {
    team_a: GroupId,
    team_b: GroupId,
    anna: UserId,
    boris: UserId,
}

async fn org(db: &Db) -> Org {
    with_user(db, "admin@x.ru", "administrator").await;
    let head = with_user(db, "head@x.ru", "head_of_sales").await;
    let anna = with_user(db, "anna@x.ru", "manager").await;
    let boris = with_user(db, "boris@x.ru", "manager").await;
    let mut tx = db.begin().await.expect("begin");
    let team_a = orbita_storage::users::insert_group(&mut tx, "Team A", now()).await.expect("group");
    let team_b = orbita_storage::users::insert_group(&mut tx, "Team B", now()).await.expect("group");
    for (group, user) in [(team_a, head), (team_a, anna), (team_b, boris)] {
        orbita_storage::users::add_to_group(&mut tx, group, user, now()).await.expect("member");
    }
    tx.commit().await.expect("commit");
    for (user, mark) in [(anna, ANNA), (boris, BORIS), (head, HEAD)] {
        records(db, user, mark).await;
    }
    Org { team_a, team_b, anna, boris }
}

/// A company, a contact, a deal, a task and a call of `user`, each named with `mark`.
async fn records(db: &Db, user: UserId, mark: &str) {
    let access = Access::load(db, user, None).await.expect("access");
    let input = CompanyInput { name: format!("{mark} Ltd"), ..CompanyInput::default() };
    let company = orbita_app::companies::create(db, &access, &input, None).await.expect("company").id;
    let input = ContactInput { last_name: mark.into(), ..ContactInput::default() };
    orbita_app::contacts::create(db, &access, &input, None).await.expect("contact");
    let input =
        DealInput { title: format!("{mark} deal"), company_id: Some(company), ..DealInput::default() };
    orbita_app::deals::create(db, &access, &input, None, None, None).await.expect("deal");
    let input = TaskInput {
        title: format!("{mark} task"),
        description: String::new(),
        due_at: None,
        assignee_id: user,
        priority: None,
        company_id: None,
        contact_id: None,
        deal_id: None,
    };
    orbita_app::tasks::create(db, &access, &input).await.expect("task");
    let input = ActivityInput {
        kind: ActivityKind::Call,
        direction: None,
        status: None,
        occurred_at: now(),
        duration_minutes: None,
        subject: format!("{mark} call"),
        responsible_id: user,
        company_id: Some(company),
        contact_id: None,
        deal_id: None,
    };
    orbita_app::activities::log(db, &access, &input, None).await.expect("activity");
}

/// Which of the marks a page or a file holds.
fn marks(body: &str) -> Vec<&'static str> {
    [ANNA, BORIS, HEAD].into_iter().filter(|mark| body.contains(mark)).collect()
}

async fn signed_in(db: &Db, email: &str) -> Browser {
    let mut browser = Browser::new(db);
    browser.sign_in(email, PASSWORD).await;
    assert!(browser.signed_in(), "{email} signs in");
    browser
}

/// A list's `path` with a query string.
fn with(path: &str, query: &str) -> String {
    format!("{path}?{query}")
}

#[tokio::test]
async fn a_group_narrows_every_list_to_its_members_records() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (a, b) = (org.team_a, org.team_b);
        let mut admin = signed_in(&t.db, "admin@x.ru").await;
        for list in LISTS {
            let all = admin.get(list).await;
            assert_eq!(all.status, StatusCode::OK, "{}: {list}", t.name);
            // The select offers every group to someone who sees everyone's records.
            assert!(all.body.contains("name=\"group\""), "{}: {list} has the group select", t.name);
            assert!(all.body.contains(">Team A<") && all.body.contains(">Team B<"), "{}: {list}", t.name);

            let team_a = admin.get(&with(list, &format!("group={a}"))).await;
            assert_eq!(team_a.status, StatusCode::OK, "{}: {list}", t.name);
            assert_eq!(marks(&team_a.body), [ANNA, HEAD], "{}: {list}?group=A", t.name);
            assert!(team_a.body.contains(&format!("value=\"{a}\" selected")), "{}: {list} shows it", t.name);
            let team_b = admin.get(&with(list, &format!("group={b}"))).await;
            assert_eq!(marks(&team_b.body), [BORIS], "{}: {list}?group=B", t.name);
            // An unknown group has no members: nothing, rather than everything.
            let unknown = admin.get(&with(list, "group=999999")).await;
            assert_eq!(unknown.status, StatusCode::OK, "{}: {list}", t.name);
            assert!(marks(&unknown.body).is_empty(), "{}: {list}?group=999999", t.name);
        }
        // With the owner filter (the assignee's, the responsible user's) both must hold.
        for (list, owner) in [
            ("/companies", "owner"),
            ("/contacts", "owner"),
            ("/deals", "owner"),
            ("/tasks", "assignee"),
            ("/activities", "responsible"),
        ] {
            let both = admin.get(&format!("{list}?group={a}&{owner}={}", org.anna)).await;
            assert_eq!(marks(&both.body), [ANNA], "{}: {list}", t.name);
            let neither = admin.get(&format!("{list}?group={a}&{owner}={}", org.boris)).await;
            assert!(marks(&neither.body).is_empty(), "{}: {list}", t.name);
        }
        // A group chosen on the team's tasks keeps its place when the status changes.
        let tasks = admin.get(&format!("/tasks?group={a}")).await.body;
        assert!(tasks.contains(&format!("group={a}&#38;status=done")), "{}: {tasks}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_group_stays_within_the_users_scope() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (a, b) = (org.team_a, org.team_b);
        // A manager naming their own group still sees only their own records, another group's
        // none; they are offered no groups (a group adds nothing to "mine").
        let mut anna = signed_in(&t.db, "anna@x.ru").await;
        for list in LISTS {
            let plain = anna.get(list).await;
            assert_eq!(marks(&plain.body), [ANNA], "{}: {list}", t.name);
            assert!(!plain.body.contains("name=\"group\""), "{}: {list} offers a manager no groups", t.name);
            let own_team = anna.get(&with(list, &format!("group={a}"))).await;
            assert_eq!(own_team.status, StatusCode::OK, "{}: {list}", t.name);
            assert_eq!(marks(&own_team.body), [ANNA], "{}: {list}?group=A", t.name);
            let other_team = anna.get(&with(list, &format!("group={b}"))).await;
            assert_eq!(other_team.status, StatusCode::OK, "{}: {list}", t.name);
            assert!(marks(&other_team.body).is_empty(), "{}: {list}?group=B", t.name);
        }
        // A head of sales picks among their own groups; another team is outside their scope.
        let mut head = signed_in(&t.db, "head@x.ru").await;
        for list in LISTS {
            let plain = head.get(list).await;
            assert!(
                plain.body.contains(">Team A<") && !plain.body.contains(">Team B<"),
                "{}: {list}",
                t.name
            );
            assert_eq!(marks(&head.get(&with(list, &format!("group={a}"))).await.body), [ANNA, HEAD]);
            let other = head.get(&with(list, &format!("group={b}"))).await.body;
            assert!(marks(&other).is_empty(), "{}: {list}?group=B", t.name);
        }
        t
    })
    .await;
}

/// Starts a background export as a list's form does, waits for it and downloads the file.
async fn export_in_background(browser: &mut Browser, list: &str, query: &str) -> String {
    let started = browser.post("/exports", &[("list", list), ("format", "csv"), ("query", query)]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "a job starts: {}", started.body);
    let page = started.location().to_owned();
    for _ in 0..600 {
        orbita_web::run_due_jobs(&browser.db).await;
        if !browser.get(&format!("{page}/status")).await.body.contains("hx-trigger") {
            let file = browser.get(&format!("{page}/file")).await;
            assert_eq!(file.status, StatusCode::OK, "{list}: the file");
            return file.body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{list}: the export did not finish");
}

#[tokio::test]
async fn exports_hold_the_groups_records() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (a, b) = (org.team_a, org.team_b);
        let mut admin = signed_in(&t.db, "admin@x.ru").await;
        for list in ["companies", "contacts", "deals", "tasks", "activities"] {
            // The page's export form carries the group with the rest of the list's state.
            let page = admin.get(&format!("/{list}?group={a}")).await;
            let form = hidden_value(&page.body, "query").unwrap_or_default().replace("&amp;", "&");
            assert!(form.contains(&format!("group={a}")), "{}: {list}'s export form: {form}", t.name);
            // The direct download and the background job, as the page shows.
            let direct = admin.get(&format!("/{list}.csv?group={a}")).await;
            assert_eq!(direct.status, StatusCode::OK, "{}: {list}", t.name);
            assert_eq!(marks(&direct.body), [ANNA, HEAD], "{}: /{list}.csv?group=A", t.name);
            let job = export_in_background(&mut admin, list, &format!("group={b}")).await;
            assert_eq!(marks(&job), [BORIS], "{}: {list}'s job for group B", t.name);
        }
        // A manager's file of their own group is their own records only.
        let mut anna = signed_in(&t.db, "anna@x.ru").await;
        let own = anna.get(&format!("/deals.csv?group={a}")).await;
        assert_eq!(marks(&own.body), [ANNA], "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_report_group_total_opens_the_groups_list() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let a = org.team_a;
        let mut admin = signed_in(&t.db, "admin@x.ru").await;
        let report = admin.get(&format!("/reports?group={a}")).await;
        assert_eq!(report.status, StatusCode::OK, "{}", t.name);
        // The total's "deals created" figure: this month's deals of the group's two members.
        let link = report
            .body
            .split("href=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap_or_default().replace("&#38;", "&").replace("&amp;", "&"))
            .find(|h| h.starts_with(&format!("/deals?group={a}&")))
            .unwrap_or_else(|| panic!("{}: no group link in {}", t.name, report.body));
        let list = admin.get(&link).await;
        assert_eq!(marks(&list.body), [ANNA, HEAD], "{}: {link}", t.name);
        t
    })
    .await;
}
