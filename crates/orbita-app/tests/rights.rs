//! The authorization matrix: every built-in role against every record area and action,
//! through the service functions the UI and the API call. Two managers in two teams, a head
//! of the first team, an administrator and a read-only user; each record area holds one
//! record of each manager.

use chrono::Duration;
use orbita_app::{
    Access, AppError, RequestContext, activities, admin, companies, contacts, deals, setup, tasks, users,
};
use orbita_domain::access::{Action, Area};
use orbita_domain::activity::{ActivityInput, ActivityKind};
use orbita_domain::company::CompanyInput;
use orbita_domain::contact::ContactInput;
use orbita_domain::deal::DealInput;
use orbita_domain::task::TaskInput;
use orbita_domain::{UserId, now};
use orbita_storage::Db;
use orbita_storage::activities::ActivityFilter;
use orbita_storage::audit::AuditFilter;
use orbita_storage::companies::{CompanyFilter, CompanySort};
use orbita_storage::contacts::{ContactFilter, ContactSort};
use orbita_storage::deals::{DealFilter, DealSort};
use orbita_storage::tasks::TaskFilter;
use orbita_testkit::on_both;

struct Team {
    admin: Access,
    head: Access,
    manager1: Access,
    manager2: Access,
    reader: Access,
}

async fn person(db: &Db, email: &str, role: &str) -> UserId {
    users::create_user(db, &RequestContext::system(), email, email, role, "a good long password")
        .await
        .expect("user")
}

async fn team(db: &Db) -> Team {
    setup::bootstrap(db).await.expect("bootstrap");
    let admin = person(db, "admin@x.ru", "administrator").await;
    let head = person(db, "head@x.ru", "head_of_sales").await;
    let manager1 = person(db, "m1@x.ru", "manager").await;
    let manager2 = person(db, "m2@x.ru", "manager").await;
    let reader = person(db, "reader@x.ru", "read_only").await;
    let mut tx = db.begin().await.expect("begin");
    let team_a = orbita_storage::users::insert_group(&mut tx, "Team A", now()).await.expect("group");
    let team_b = orbita_storage::users::insert_group(&mut tx, "Team B", now()).await.expect("group");
    for (group, user) in [(team_a, head), (team_a, manager1), (team_b, manager2)] {
        orbita_storage::users::add_to_group(&mut tx, group, user, now()).await.expect("member");
    }
    tx.commit().await.expect("commit");
    let load = |id| async move { Access::load(db, id, None).await.expect("access") };
    Team {
        admin: load(admin).await,
        head: load(head).await,
        manager1: load(manager1).await,
        manager2: load(manager2).await,
        reader: load(reader).await,
    }
}

/// What each role may do with manager 1's records, and whose records it sees.
struct Expected {
    name: &'static str,
    sees: &'static [&'static str],
    create: bool,
    edit_m1: Result<(), &'static str>,
    delete_m1: Result<(), &'static str>,
}

const EXPECTED: [Expected; 5] = [
    Expected { name: "admin", sees: &["m1", "m2"], create: true, edit_m1: Ok(()), delete_m1: Ok(()) },
    Expected { name: "head", sees: &["m1"], create: true, edit_m1: Ok(()), delete_m1: Ok(()) },
    Expected { name: "manager1", sees: &["m1"], create: true, edit_m1: Ok(()), delete_m1: Err("forbidden") },
    Expected {
        name: "manager2",
        sees: &["m2"],
        create: true,
        edit_m1: Err("not found"),
        delete_m1: Err("not found"),
    },
    Expected {
        name: "reader",
        sees: &["m1", "m2"],
        create: false,
        edit_m1: Err("forbidden"),
        delete_m1: Err("forbidden"),
    },
];

fn outcome<T>(result: Result<T, AppError>) -> Result<(), &'static str> {
    match result {
        Ok(_) => Ok(()),
        Err(AppError::Forbidden) => Err("forbidden"),
        Err(AppError::NotFound) => Err("not found"),
        Err(other) => panic!("unexpected error: {other:?}"),
    }
}

/// Whose record this is: the two managers' records are the fixture; records that other roles
/// created earlier in the same test are "other" and not counted.
fn who(team: &Team, owner: UserId) -> &'static str {
    if owner == team.manager1.user_id() {
        "m1"
    } else if owner == team.manager2.user_id() {
        "m2"
    } else {
        "other"
    }
}

/// The distinct fixture owners ("m1", "m2") among listed records.
fn owners_seen(team: &Team, owners: impl Iterator<Item = UserId>) -> Vec<&'static str> {
    let mut seen: Vec<_> = owners.map(|owner| who(team, owner)).filter(|w| *w != "other").collect();
    seen.sort();
    seen.dedup();
    seen
}

fn accesses(team: &Team) -> [&Access; 5] {
    [&team.admin, &team.head, &team.manager1, &team.manager2, &team.reader]
}

fn company(name: &str) -> CompanyInput {
    CompanyInput { name: name.into(), ..Default::default() }
}

#[tokio::test]
async fn companies_follow_the_matrix() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        for (access, expected) in accesses(&team).into_iter().zip(&EXPECTED) {
            let m1 = companies::create(&t.db, &team.manager1, &company("M1 Ltd"), None).await.expect("m1");
            companies::create(&t.db, &team.manager2, &company("M2 Ltd"), None).await.expect("m2");
            let page = companies::list(
                &t.db,
                access,
                &CompanyFilter::default(),
                CompanySort::Name,
                false,
                None,
                100,
            )
            .await
            .expect("list");
            let seen = owners_seen(&team, page.items.iter().map(|c| c.owner_id));
            assert_eq!(seen, expected.sees, "{} {} list", t.name, expected.name);
            let card = outcome(companies::get(&t.db, access, m1.id).await);
            assert_eq!(card.is_ok(), expected.sees.contains(&"m1"), "{} {} card", t.name, expected.name);
            assert_eq!(
                outcome(companies::create(&t.db, access, &company("New"), None).await).is_ok(),
                expected.create,
                "{} {} create",
                t.name,
                expected.name
            );
            let edit = outcome(companies::update(&t.db, access, m1.id, &company("M1 renamed"), None).await);
            assert_eq!(edit, expected.edit_m1, "{} {} edit", t.name, expected.name);
            let delete = outcome(companies::delete(&t.db, access, m1.id).await);
            assert_eq!(delete, expected.delete_m1, "{} {} delete", t.name, expected.name);
            assert_eq!(
                access.require(Area::Companies, Action::Export).is_ok(),
                expected.name != "reader",
                "{} {} export",
                t.name,
                expected.name
            );
        }
        t
    })
    .await;
}

#[tokio::test]
async fn contacts_deals_tasks_and_activities_follow_the_matrix() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let contact = |name: &str| ContactInput { last_name: name.into(), ..Default::default() };
        let deal =
            |title: &str| DealInput { title: title.into(), amount: "1000".into(), ..Default::default() };
        let task = |title: &str, assignee: UserId| TaskInput {
            title: title.into(),
            description: String::new(),
            due_at: Some(now() + Duration::days(1)),
            assignee_id: assignee,
            priority: None,
            company_id: None,
            contact_id: None,
            deal_id: None,
        };
        for (access, expected) in accesses(&team).into_iter().zip(&EXPECTED) {
            let (m1, m2) = (&team.manager1, &team.manager2);
            let m1_company = companies::create(&t.db, m1, &company("Client"), None).await.expect("company");
            let m2_company = companies::create(&t.db, m2, &company("Client 2"), None).await.expect("company");
            // Each call links to a company its author can see.
            let call = |responsible: UserId, company_id: orbita_domain::CompanyId| ActivityInput {
                kind: ActivityKind::Call,
                direction: None,
                status: None,
                occurred_at: now(),
                duration_minutes: Some(5),
                subject: "Обсудили КП".into(),
                responsible_id: responsible,
                company_id: Some(company_id),
                contact_id: None,
                deal_id: None,
            };
            let label = |what: &str| format!("{} {} {what}", t.name, expected.name);

            // Contacts.
            let c1 = contacts::create(&t.db, m1, &contact("Иванов"), None).await.expect("contact");
            contacts::create(&t.db, m2, &contact("Петров"), None).await.expect("contact");
            let page =
                contacts::list(&t.db, access, &ContactFilter::default(), ContactSort::Name, false, None, 100)
                    .await
                    .expect("list");
            let seen = owners_seen(&team, page.items.iter().map(|c| c.owner_id));
            assert_eq!(seen, expected.sees, "{}", label("contacts list"));
            assert_eq!(
                outcome(contacts::create(&t.db, access, &contact("Новый"), None).await).is_ok(),
                expected.create
            );
            assert_eq!(
                outcome(contacts::update(&t.db, access, c1.id, &contact("Иванов-2"), None).await),
                expected.edit_m1
            );
            assert_eq!(
                outcome(contacts::delete(&t.db, access, c1.id).await),
                expected.delete_m1,
                "{}",
                label("contacts delete")
            );

            // Deals, including the stage move.
            let d1 = deals::create(&t.db, m1, &deal("Окна"), None, None, None).await.expect("deal");
            deals::create(&t.db, m2, &deal("Двери"), None, None, None).await.expect("deal");
            let page =
                deals::list(&t.db, access, &DealFilter::default(), DealSort::CreatedAt, false, None, 100)
                    .await
                    .expect("list");
            let seen = owners_seen(&team, page.items.iter().map(|d| d.owner_id));
            assert_eq!(seen, expected.sees, "{}", label("deals list"));
            assert_eq!(
                outcome(deals::get(&t.db, access, d1.id).await).is_ok(),
                expected.sees.contains(&"m1")
            );
            let (_, stages) = deals::pipelines_and_stages(&t.db).await.expect("stages");
            let moved = outcome(deals::move_stage(&t.db, access, d1.id, stages[1].id, "", None).await);
            assert_eq!(moved, expected.edit_m1, "{}", label("deal stage move"));
            assert_eq!(
                outcome(deals::create(&t.db, access, &deal("Новая"), None, None, None).await).is_ok(),
                expected.create
            );
            assert_eq!(
                outcome(deals::update(&t.db, access, d1.id, &deal("Окна ПВХ"), None).await),
                expected.edit_m1
            );
            assert_eq!(
                outcome(deals::delete(&t.db, access, d1.id).await),
                expected.delete_m1,
                "{}",
                label("deal delete")
            );

            // Tasks, by assignee.
            let t1 = tasks::create(&t.db, m1, &task("Позвонить", m1.user_id())).await.expect("task");
            tasks::create(&t.db, m2, &task("Написать", m2.user_id())).await.expect("task");
            let page = tasks::list(&t.db, access, &TaskFilter::default(), None, 100).await.expect("list");
            let seen = owners_seen(&team, page.items.iter().map(|x| x.fields.assignee_id));
            assert_eq!(seen, expected.sees, "{}", label("tasks list"));
            assert_eq!(
                outcome(tasks::set_done(&t.db, access, t1.id, true).await),
                expected.edit_m1,
                "{}",
                label("task done")
            );
            let own_task = tasks::create(&t.db, access, &task("Своя", access.user_id())).await;
            assert_eq!(outcome(own_task).is_ok(), expected.create, "{}", label("task create"));
            assert_eq!(
                outcome(tasks::delete(&t.db, access, t1.id).await),
                expected.delete_m1,
                "{}",
                label("task delete")
            );

            // Activities, by responsible user.
            let (a1, _) =
                activities::log(&t.db, m1, &call(m1.user_id(), m1_company.id), None).await.expect("activity");
            activities::log(&t.db, m2, &call(m2.user_id(), m2_company.id), None).await.expect("activity");
            let page =
                activities::list(&t.db, access, &ActivityFilter::default(), None, 100).await.expect("list");
            let seen = owners_seen(&team, page.items.iter().map(|a| a.fields.responsible_id));
            assert_eq!(seen, expected.sees, "{}", label("activities list"));
            let own_company = match companies::create(&t.db, access, &company("Own client"), None).await {
                Ok(c) => c.id,
                Err(_) => m1_company.id,
            };
            let own = activities::log(&t.db, access, &call(access.user_id(), own_company), None).await;
            assert_eq!(outcome(own).is_ok(), expected.create, "{}", label("activity create"));
            assert_eq!(outcome(activities::delete(&t.db, access, a1.id).await), expected.delete_m1);
        }
        t
    })
    .await;
}

#[tokio::test]
async fn administration_and_the_audit_log_are_for_administrators_only() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        for (access, expected) in accesses(&team).into_iter().zip(&EXPECTED) {
            let admin_only = expected.name == "admin";
            let label = format!("{} {}", t.name, expected.name);
            assert_eq!(admin::roles(&t.db, access).await.is_ok(), admin_only, "{label} roles");
            assert_eq!(admin::groups(&t.db, access).await.is_ok(), admin_only, "{label} groups");
            let audit = admin::audit_log(&t.db, access, &AuditFilter::default(), None, 10).await;
            assert_eq!(audit.is_ok(), admin_only, "{label} audit log");
            let group = admin::create_group(&t.db, access, &format!("Group of {}", expected.name)).await;
            assert_eq!(group.is_ok(), admin_only, "{label} create group");
        }
        t
    })
    .await;
}

#[tokio::test]
async fn a_shared_company_is_visible_to_a_manager_who_does_not_own_it() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let theirs =
            companies::create(&t.db, &team.manager2, &company("Shared Ltd"), None).await.expect("company");
        assert!(matches!(companies::get(&t.db, &team.manager1, theirs.id).await, Err(AppError::NotFound)));
        let mut tx = t.db.begin().await.expect("begin");
        orbita_storage::access::share_company(&mut tx, theirs.id, team.manager1.user_id(), now())
            .await
            .expect("share");
        tx.commit().await.expect("commit");
        // Rights are loaded per request: the next request after the share sees it.
        let manager1 = Access::load(&t.db, team.manager1.user_id(), None).await.expect("access");
        companies::get(&t.db, &manager1, theirs.id).await.expect("shared: visible");
        let page =
            companies::list(&t.db, &manager1, &CompanyFilter::default(), CompanySort::Name, false, None, 10)
                .await
                .expect("list");
        assert_eq!(page.items.len(), 1, "{}: shared company in the list", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn transferring_ownership_moves_access_with_it() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let first = companies::create(&t.db, &team.manager1, &company("One"), None).await.expect("company");
        let second = companies::create(&t.db, &team.manager1, &company("Two"), None).await.expect("company");
        let m2 = team.manager2.user_id();
        // A manager cannot hand records to someone outside their scope; an administrator can.
        let refused = companies::transfer(&t.db, &team.manager1, &[first.id], m2).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{}: {refused:?}", t.name);
        companies::transfer(&t.db, &team.admin, &[first.id, second.id], m2).await.expect("bulk transfer");
        assert!(matches!(companies::get(&t.db, &team.manager1, first.id).await, Err(AppError::NotFound)));
        companies::get(&t.db, &team.manager2, second.id).await.expect("the new owner sees it");
        let filter =
            AuditFilter { entity: Some("company".into()), entity_id: Some(first.id.0), ..Default::default() };
        let events = admin::audit_log(&t.db, &team.admin, &filter, None, 10).await.expect("audit").items;
        let transfer = events
            .iter()
            .find(|e| e.action == orbita_domain::audit::AuditAction::OwnerChange)
            .expect("event");
        assert_eq!(transfer.changes[0].after.as_deref(), Some(m2.to_string().as_str()), "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn records_cannot_point_at_what_the_user_may_not_see() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let theirs =
            companies::create(&t.db, &team.manager2, &company("Чужая"), None).await.expect("company");
        let contact =
            ContactInput {
                last_name: "Шпион".into(), company_id: Some(theirs.id), ..Default::default()
            };
        match contacts::create(&t.db, &team.manager1, &contact, None).await {
            Err(AppError::Invalid(errors)) => {
                assert_eq!(errors.field("company_id").map(|e| e.code), Some("company-unknown"), "{}", t.name)
            }
            other => panic!("{}: expected a field error, got {other:?}", t.name),
        }
        let deal = DealInput { title: "x".into(), company_id: Some(theirs.id), ..Default::default() };
        let refused = deals::create(&t.db, &team.manager1, &deal, None, None, None).await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{}: {refused:?}", t.name);
        // The owner and an administrator may link to it.
        contacts::create(&t.db, &team.manager2, &contact, None).await.expect("own company");
        contacts::create(&t.db, &team.admin, &contact, None).await.expect("admin sees all");
        t
    })
    .await;
}

// The whole matrix: every built-in role × every area × every action, each cell asked through
// every service function the pages and the API call for it, on a fresh set of manager 1's
// records per role and area.

/// What an entry point answered about manager 1's record (or, for reports, their figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum O {
    /// Allowed, and manager 1's record is in it: the card opens, the change is made, the list,
    /// the search, the board, the file or the report holds it.
    Yes,
    /// `AppError::Forbidden`: the user may not do this (here).
    No,
    /// The record does not exist for the user: a card or a change is `AppError::NotFound`; a
    /// list, search, board, file or report answers without it.
    Hidden,
    /// No use case does this in this area: nothing to call.
    Na,
}
use O::{Hidden, Na, No, Yes};

/// Who acts. Manager 1 and the head of sales are in team A, manager 2 in team B; every
/// cell is about a record (or the figures) of manager 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Administrator,
    /// Head of sales of manager 1's team.
    HeadOfSales,
    /// Manager 1, on their own record.
    ManagerOwn,
    /// Manager 2, on manager 1's record.
    ManagerOther,
    ReadOnly,
}
use Actor::{Administrator, HeadOfSales, ManagerOther, ManagerOwn, ReadOnly};

const ACTORS: [Actor; 5] = [Administrator, HeadOfSales, ManagerOwn, ManagerOther, ReadOnly];
const ACTIONS: [Action; 5] = [Action::View, Action::Create, Action::Edit, Action::Delete, Action::Export];

/// The expected outcome of every cell. Columns: view, create, edit, delete, export.
#[rustfmt::skip]
const MATRIX: [(Area, Actor, [O; 5]); 40] = [
    //                                           view    create  edit    delete  export
    (Area::Companies,        Administrator,     [Yes,    Yes,    Yes,    Yes,    Yes   ]),
    (Area::Companies,        HeadOfSales,       [Yes,    Yes,    Yes,    Yes,    Yes   ]),
    (Area::Companies,        ManagerOwn,        [Yes,    Yes,    Yes,    No,     Yes   ]),
    (Area::Companies,        ManagerOther,      [Hidden, Yes,    Hidden, Hidden, Hidden]),
    (Area::Companies,        ReadOnly,          [Yes,    No,     No,     No,     No    ]),

    (Area::Contacts,         Administrator,     [Yes,    Yes,    Yes,    Yes,    Yes   ]),
    (Area::Contacts,         HeadOfSales,       [Yes,    Yes,    Yes,    Yes,    Yes   ]),
    (Area::Contacts,         ManagerOwn,        [Yes,    Yes,    Yes,    No,     Yes   ]),
    (Area::Contacts,         ManagerOther,      [Hidden, Yes,    Hidden, Hidden, Hidden]),
    (Area::Contacts,         ReadOnly,          [Yes,    No,     No,     No,     No    ]),

    (Area::Deals,            Administrator,     [Yes,    Yes,    Yes,    Yes,    Yes   ]),
    (Area::Deals,            HeadOfSales,       [Yes,    Yes,    Yes,    Yes,    Yes   ]),
    (Area::Deals,            ManagerOwn,        [Yes,    Yes,    Yes,    No,     Yes   ]),
    (Area::Deals,            ManagerOther,      [Hidden, Yes,    Hidden, Hidden, Hidden]),
    (Area::Deals,            ReadOnly,          [Yes,    No,     No,     No,     No    ]),

    (Area::Tasks,            Administrator,     [Yes,    Yes,    Yes,    Yes,    Yes   ]),
    (Area::Tasks,            HeadOfSales,       [Yes,    Yes,    Yes,    Yes,    Yes   ]),
    (Area::Tasks,            ManagerOwn,        [Yes,    Yes,    Yes,    No,     Yes   ]),
    (Area::Tasks,            ManagerOther,      [Hidden, Yes,    Hidden, Hidden, Hidden]),
    (Area::Tasks,            ReadOnly,          [Yes,    No,     No,     No,     No    ]),

    (Area::Activities,       Administrator,     [Yes,    Yes,    Yes,    Yes,    Yes   ]),
    (Area::Activities,       HeadOfSales,       [Yes,    Yes,    Yes,    Yes,    Yes   ]),
    (Area::Activities,       ManagerOwn,        [Yes,    Yes,    Yes,    No,     Yes   ]),
    (Area::Activities,       ManagerOther,      [Hidden, Yes,    Hidden, Hidden, Hidden]),
    (Area::Activities,       ReadOnly,          [Yes,    No,     No,     No,     No    ]),

    // View: the summary report and the funnel; edit: setting manager 1's monthly target;
    // export: the summary report, the funnel and the targets grid as files.
    (Area::Reports,          Administrator,     [Yes,    Na,     Yes,    Na,     Yes   ]),
    (Area::Reports,          HeadOfSales,       [Yes,    Na,     Yes,    Na,     Yes   ]),
    (Area::Reports,          ManagerOwn,        [Yes,    Na,     No,     Na,     No    ]),
    (Area::Reports,          ManagerOther,      [Hidden, Na,     No,     Na,     No    ]),
    (Area::Reports,          ReadOnly,          [Yes,    Na,     No,     Na,     No    ]),

    // Users, groups, roles and the organisation's settings. Users are deactivated (an edit),
    // never deleted; nothing here is exported.
    (Area::UsersAndSettings, Administrator,     [Yes,    Yes,    Yes,    Na,     Na    ]),
    (Area::UsersAndSettings, HeadOfSales,       [No,     No,     No,     Na,     Na    ]),
    (Area::UsersAndSettings, ManagerOwn,        [No,     No,     No,     Na,     Na    ]),
    (Area::UsersAndSettings, ManagerOther,      [No,     No,     No,     Na,     Na    ]),
    (Area::UsersAndSettings, ReadOnly,          [No,     No,     No,     Na,     Na    ]),

    // The audit log is written by the use cases themselves: nobody creates, edits or deletes
    // its events.
    (Area::AuditLog,         Administrator,     [Yes,    Na,     Na,     Na,     Yes   ]),
    (Area::AuditLog,         HeadOfSales,       [No,     Na,     Na,     Na,     No    ]),
    (Area::AuditLog,         ManagerOwn,        [No,     Na,     Na,     Na,     No    ]),
    (Area::AuditLog,         ManagerOther,      [No,     Na,     Na,     Na,     No    ]),
    (Area::AuditLog,         ReadOnly,          [No,     Na,     Na,     Na,     No    ]),
];

/// Manager 1's records for one row of the matrix, each carrying `marker` in its name.
struct Fixture {
    marker: String,
    company: orbita_domain::CompanyId,
    contact: orbita_domain::ContactId,
    deal: orbita_domain::DealId,
    task: orbita_domain::TaskId,
    activity: orbita_domain::ActivityId,
}

fn note(subject: &str, responsible: UserId) -> ActivityInput {
    ActivityInput {
        kind: ActivityKind::Note,
        direction: None,
        status: None,
        occurred_at: now(),
        duration_minutes: None,
        subject: subject.into(),
        responsible_id: responsible,
        company_id: None,
        contact_id: None,
        deal_id: None,
    }
}

fn todo(title: &str, assignee: UserId) -> TaskInput {
    TaskInput {
        title: title.into(),
        description: String::new(),
        due_at: Some(now() + Duration::days(1)),
        assignee_id: assignee,
        priority: None,
        company_id: None,
        contact_id: None,
        deal_id: None,
    }
}

fn person_named(name: &str) -> ContactInput {
    ContactInput { last_name: name.into(), ..Default::default() }
}

fn deal_titled(title: &str) -> DealInput {
    DealInput { title: title.into(), amount: "1000".into(), ..Default::default() }
}

async fn fixture(db: &Db, m1: &Access, marker: String) -> Fixture {
    let company = companies::create(db, m1, &company(&marker), None).await.expect("company").id;
    let contact = contacts::create(db, m1, &person_named(&marker), None).await.expect("contact").id;
    let deal = deals::create(db, m1, &deal_titled(&marker), None, None, None).await.expect("deal").id;
    let task = tasks::create(db, m1, &todo(&marker, m1.user_id())).await.expect("task").id;
    let (activity, _) = activities::log(db, m1, &note(&marker, m1.user_id()), None).await.expect("note");
    Fixture { marker, company, contact, deal, task, activity: activity.id }
}

fn answer<T>(what: &str, result: Result<T, AppError>) -> O {
    match result {
        Ok(_) => Yes,
        Err(AppError::Forbidden) => No,
        Err(AppError::NotFound) => Hidden,
        Err(other) => panic!("{what}: unexpected error {other:?}"),
    }
}

/// A list, search, board or report: whether it holds manager 1's record.
fn holds(what: &str, result: Result<bool, AppError>) -> O {
    match result {
        Ok(true) => Yes,
        Ok(false) => Hidden,
        Err(AppError::Forbidden) => No,
        Err(other) => panic!("{what}: unexpected error {other:?}"),
    }
}

/// An export file: whether it holds the marker.
fn file(
    what: &str,
    marker: &str,
    result: Result<orbita_app::exports::Exported<Vec<u8>>, orbita_app::exports::ExportFailure>,
) -> O {
    match result {
        Ok(done) if String::from_utf8_lossy(&done.out).contains(marker) => Yes,
        Ok(_) => Hidden,
        Err(orbita_app::exports::ExportFailure::App(AppError::Forbidden)) => No,
        Err(other) => panic!("{what}: unexpected error {other:?}"),
    }
}

fn key(key: &str) -> String {
    key.to_owned()
}

fn by_number(_: orbita_domain::org::Locale, key: &str, id: &str) -> String {
    format!("{key} {id}")
}

fn no_progress(_: u64) {}

fn csv_spec() -> orbita_app::exports::ExportSpec<'static> {
    orbita_app::exports::ExportSpec {
        format: orbita_app::exports::Format::Csv,
        locale: orbita_domain::org::Locale::Ru,
        label: &key,
        number: by_number,
        progress: &no_progress,
        tempdir: None,
    }
}

/// Every entry point of one cell, with what it answered; empty for a cell without any.
async fn probe(
    db: &Db,
    team: &Team,
    who: &Access,
    area: Area,
    action: Action,
    f: &Fixture,
) -> Vec<(&'static str, O)> {
    use orbita_app::reports::{self, FunnelParams, SummaryParams};
    use orbita_app::{auth, exports, kanban, search, settings, targets};

    let m1 = team.manager1.user_id();
    let marker = f.marker.as_str();
    let edited = format!("{marker} edited");
    let created = format!("{marker} new by {}", who.user_id());
    let spec = csv_spec();
    let today = chrono::Utc::now().date_naive();
    // A few days around today, so that "now" in the organisation's time zone is inside.
    let summary =
        SummaryParams { from: today - Duration::days(2), to: today + Duration::days(3), group: None };
    let (pipelines, stages) = deals::pipelines_and_stages(db).await.expect("pipelines");
    let funnel = FunnelParams {
        pipeline_id: pipelines[0].id,
        from: summary.from,
        to: summary.to,
        owner: Some(m1),
        group: None,
        source: None,
        region: None,
        industry: None,
    };
    let audited =
        AuditFilter { entity: Some("company".into()), entity_id: Some(f.company.0), ..Default::default() };
    match (area, action) {
        (Area::Companies, Action::View) => vec![
            ("companies::get", answer("companies::get", companies::get(db, who, f.company).await)),
            (
                "companies::list",
                holds(
                    "companies::list",
                    companies::list(db, who, &CompanyFilter::default(), CompanySort::Name, false, None, 1000)
                        .await
                        .map(|page| page.items.iter().any(|c| c.id == f.company)),
                ),
            ),
            (
                "search::global",
                holds(
                    "search::global",
                    search::global(db, who, marker, 20)
                        .await
                        .map(|found| found.companies.iter().any(|c| c.id == f.company)),
                ),
            ),
        ],
        (Area::Companies, Action::Create) => vec![(
            "companies::create",
            answer("companies::create", companies::create(db, who, &company(&created), None).await),
        )],
        (Area::Companies, Action::Edit) => vec![(
            "companies::update",
            answer("companies::update", companies::update(db, who, f.company, &company(&edited), None).await),
        )],
        (Area::Companies, Action::Delete) => vec![(
            "companies::delete",
            answer("companies::delete", companies::delete(db, who, f.company).await),
        )],
        (Area::Companies, Action::Export) => {
            let export = exports::CompanyExport {
                filter: CompanyFilter::default(),
                sort: CompanySort::Name,
                descending: false,
                columns: Vec::new(),
                custom: Vec::new(),
            };
            let out = exports::write(db, who, &export, &spec, Vec::new()).await;
            vec![("exports::companies", file("exports::companies", marker, out))]
        }

        (Area::Contacts, Action::View) => vec![
            ("contacts::get", answer("contacts::get", contacts::get(db, who, f.contact).await)),
            (
                "contacts::list",
                holds(
                    "contacts::list",
                    contacts::list(db, who, &ContactFilter::default(), ContactSort::Name, false, None, 1000)
                        .await
                        .map(|page| page.items.iter().any(|c| c.id == f.contact)),
                ),
            ),
            (
                "search::global",
                holds(
                    "search::global",
                    search::global(db, who, marker, 20)
                        .await
                        .map(|found| found.contacts.iter().any(|c| c.id == f.contact)),
                ),
            ),
        ],
        (Area::Contacts, Action::Create) => vec![(
            "contacts::create",
            answer("contacts::create", contacts::create(db, who, &person_named(&created), None).await),
        )],
        (Area::Contacts, Action::Edit) => vec![(
            "contacts::update",
            answer(
                "contacts::update",
                contacts::update(db, who, f.contact, &person_named(&edited), None).await,
            ),
        )],
        (Area::Contacts, Action::Delete) => {
            vec![("contacts::delete", answer("contacts::delete", contacts::delete(db, who, f.contact).await))]
        }
        (Area::Contacts, Action::Export) => {
            let export = exports::ContactExport {
                filter: ContactFilter::default(),
                sort: ContactSort::Name,
                descending: false,
                columns: Vec::new(),
                custom: Vec::new(),
            };
            let out = exports::write(db, who, &export, &spec, Vec::new()).await;
            vec![("exports::contacts", file("exports::contacts", marker, out))]
        }

        (Area::Deals, Action::View) => vec![
            ("deals::get", answer("deals::get", deals::get(db, who, f.deal).await)),
            (
                "deals::list",
                holds(
                    "deals::list",
                    deals::list(db, who, &DealFilter::default(), DealSort::CreatedAt, true, None, 1000)
                        .await
                        .map(|page| page.items.iter().any(|d| d.id == f.deal)),
                ),
            ),
            (
                "search::global",
                holds(
                    "search::global",
                    search::global(db, who, marker, 20)
                        .await
                        .map(|found| found.deals.iter().any(|d| d.id == f.deal)),
                ),
            ),
            (
                "kanban::board",
                holds(
                    "kanban::board",
                    kanban::board(db, who, pipelines[0].id, &DealFilter::default()).await.map(|columns| {
                        columns.iter().any(|column| column.cards.iter().any(|card| card.deal.id == f.deal))
                    }),
                ),
            ),
        ],
        (Area::Deals, Action::Create) => vec![(
            "deals::create",
            answer("deals::create", deals::create(db, who, &deal_titled(&created), None, None, None).await),
        )],
        (Area::Deals, Action::Edit) => vec![
            (
                "deals::update",
                answer("deals::update", deals::update(db, who, f.deal, &deal_titled(&edited), None).await),
            ),
            (
                "deals::move_stage",
                answer("deals::move_stage", deals::move_stage(db, who, f.deal, stages[1].id, "", None).await),
            ),
        ],
        (Area::Deals, Action::Delete) => {
            vec![("deals::delete", answer("deals::delete", deals::delete(db, who, f.deal).await))]
        }
        (Area::Deals, Action::Export) => {
            let export = exports::DealExport {
                filter: DealFilter::default(),
                sort: DealSort::CreatedAt,
                descending: true,
                columns: Vec::new(),
                custom: Vec::new(),
            };
            let out = exports::write(db, who, &export, &spec, Vec::new()).await;
            vec![("exports::deals", file("exports::deals", marker, out))]
        }

        (Area::Tasks, Action::View) => vec![
            ("tasks::get", answer("tasks::get", tasks::get(db, who, f.task).await)),
            (
                "tasks::list",
                holds(
                    "tasks::list",
                    tasks::list(db, who, &TaskFilter::default(), None, 1000)
                        .await
                        .map(|page| page.items.iter().any(|task| task.id == f.task)),
                ),
            ),
        ],
        (Area::Tasks, Action::Create) => vec![(
            "tasks::create",
            answer("tasks::create", tasks::create(db, who, &todo(&created, who.user_id())).await),
        )],
        (Area::Tasks, Action::Edit) => vec![
            (
                "tasks::update",
                answer("tasks::update", tasks::update(db, who, f.task, &todo(&edited, m1), None).await),
            ),
            ("tasks::set_done", answer("tasks::set_done", tasks::set_done(db, who, f.task, true).await)),
        ],
        (Area::Tasks, Action::Delete) => {
            vec![("tasks::delete", answer("tasks::delete", tasks::delete(db, who, f.task).await))]
        }
        (Area::Tasks, Action::Export) => {
            let out =
                exports::write(db, who, &exports::TaskExport::from(TaskFilter::default()), &spec, Vec::new())
                    .await;
            vec![("exports::tasks", file("exports::tasks", marker, out))]
        }

        (Area::Activities, Action::View) => vec![
            ("activities::get", answer("activities::get", activities::get(db, who, f.activity).await)),
            (
                "activities::list",
                holds(
                    "activities::list",
                    activities::list(db, who, &ActivityFilter::default(), None, 1000)
                        .await
                        .map(|page| page.items.iter().any(|a| a.id == f.activity)),
                ),
            ),
        ],
        (Area::Activities, Action::Create) => vec![(
            "activities::log",
            answer("activities::log", activities::log(db, who, &note(&created, who.user_id()), None).await),
        )],
        (Area::Activities, Action::Edit) => vec![(
            "activities::update",
            answer(
                "activities::update",
                activities::update(db, who, f.activity, &note(&edited, m1), None).await,
            ),
        )],
        (Area::Activities, Action::Delete) => vec![(
            "activities::delete",
            answer("activities::delete", activities::delete(db, who, f.activity).await),
        )],
        (Area::Activities, Action::Export) => {
            let out = exports::write(
                db,
                who,
                &exports::ActivityExport::from(ActivityFilter::default()),
                &spec,
                Vec::new(),
            )
            .await;
            vec![("exports::activities", file("exports::activities", marker, out))]
        }

        (Area::Reports, Action::View) => vec![
            (
                "reports::summary",
                holds(
                    "reports::summary",
                    reports::summary(db, who, &summary).await.map(|report| {
                        report.rows.iter().any(|row| row.user_id == Some(m1) && row.deals_created > 0)
                    }),
                ),
            ),
            (
                "reports::funnel",
                holds("reports::funnel", reports::funnel(db, who, &funnel).await.map(|f| f.deals > 0)),
            ),
        ],
        (Area::Reports, Action::Edit) => {
            let month = today.format("%Y-%m").to_string();
            vec![("targets::set", answer("targets::set", targets::set(db, who, m1, &month, "100000").await))]
        }
        (Area::Reports, Action::Export) => {
            let m1_name = team.manager1.user.name.clone();
            let out = exports::summary_report(db, who, &summary, &spec, Vec::new()).await;
            let summary_file = file("exports::summary_report", &m1_name, out);
            // The funnel file holds stages and counts, no names: being written is the answer.
            let out = exports::funnel_report(db, who, &funnel, &spec, Vec::new()).await;
            let funnel_file = file("exports::funnel_report", "", out);
            let month = {
                use chrono::Datelike;
                orbita_storage::targets::Month::new(today.year(), today.month()).expect("month")
            };
            let out = exports::sales_targets(db, who, month, month, &spec, Vec::new()).await;
            vec![
                ("exports::summary_report", summary_file),
                ("exports::funnel_report", funnel_file),
                ("exports::sales_targets", file("exports::sales_targets", &m1_name, out)),
            ]
        }

        (Area::UsersAndSettings, Action::View) => vec![
            ("admin::user", answer("admin::user", admin::user(db, who, m1).await)),
            ("admin::roles", answer("admin::roles", admin::roles(db, who).await)),
            ("admin::groups", answer("admin::groups", admin::groups(db, who).await)),
            ("settings::get", answer("settings::get", settings::get(db, who).await)),
        ],
        (Area::UsersAndSettings, Action::Create) => {
            let role = orbita_storage::users::role_by_key(db, "manager").await.expect("role").id;
            let email = format!("made-by-{}@x.ru", who.user_id());
            let name = format!("Made by {}", who.user_id());
            vec![
                (
                    "admin::create_user",
                    answer(
                        "admin::create_user",
                        admin::create_user(db, who, &email, &name, role, "a good long password", &[]).await,
                    ),
                ),
                (
                    "admin::create_group",
                    answer("admin::create_group", admin::create_group(db, who, &name).await),
                ),
                (
                    "admin::create_role",
                    answer("admin::create_role", admin::create_role(db, who, &name).await),
                ),
            ]
        }
        (Area::UsersAndSettings, Action::Edit) => {
            let user = orbita_storage::users::get(db, m1).await.expect("user");
            let groups = orbita_storage::users::groups_of(db, m1).await.expect("groups");
            let edit = admin::UserEdit {
                email: user.email.as_str(),
                name: &user.name,
                role_id: user.role_id,
                is_active: true,
                locale: user.locale,
                groups: &groups,
            };
            let mut tx = db.begin().await.expect("begin");
            let key = format!("custom_matrix_{}", who.user_id());
            let role =
                orbita_storage::users::insert_role(&mut tx, &key, &key, &key, now()).await.expect("role");
            tx.commit().await.expect("commit");
            let current = orbita_app::setup::settings(db).await.expect("settings");
            let renamed = settings::SettingsInput {
                name: format!("Org {}", who.user_id()),
                ..settings::SettingsInput::from(&current)
            };
            let grants =
                orbita_domain::access::Permissions::builtin(orbita_domain::user::BuiltinRole::ReadOnly);
            vec![
                (
                    "admin::update_user",
                    answer("admin::update_user", admin::update_user(db, who, m1, &edit).await),
                ),
                (
                    "auth::reset_password",
                    answer(
                        "auth::reset_password",
                        auth::reset_password(db, who, m1, "a new long password").await,
                    ),
                ),
                ("settings::update", answer("settings::update", settings::update(db, who, &renamed).await)),
                (
                    "admin::set_role_permissions",
                    answer(
                        "admin::set_role_permissions",
                        admin::set_role_permissions(db, who, role, &grants).await,
                    ),
                ),
            ]
        }

        (Area::AuditLog, Action::View) => vec![(
            "admin::audit_log",
            holds(
                "admin::audit_log",
                admin::audit_log(db, who, &audited, None, 10).await.map(|page| !page.items.is_empty()),
            ),
        )],
        (Area::AuditLog, Action::Export) => {
            let out = exports::write(db, who, &audited, &spec, Vec::new()).await;
            vec![("exports::audit_log", file("exports::audit_log", marker, out))]
        }

        _ => Vec::new(),
    }
}

#[tokio::test]
async fn every_role_area_and_action_follows_the_written_matrix() {
    for area in Area::ALL {
        for actor in ACTORS {
            let rows = MATRIX.iter().filter(|(a, r, _)| a == area && *r == actor).count();
            assert_eq!(rows, 1, "the matrix has exactly one row for {area} × {actor:?}");
        }
    }
    on_both(|t| async move {
        let team = team(&t.db).await;
        let mut wrong = Vec::new();
        for (row, (area, actor, expected)) in MATRIX.iter().enumerate() {
            let who = match actor {
                Administrator => &team.admin,
                HeadOfSales => &team.head,
                ManagerOwn => &team.manager1,
                ManagerOther => &team.manager2,
                ReadOnly => &team.reader,
            };
            let f = fixture(&t.db, &team.manager1, format!("MARK-{row:03}-END")).await;
            // Looking comes before changing: the delete cell removes the record.
            for column in [0, 4, 1, 2, 3] {
                let action = ACTIONS[column];
                let cell = format!("{} {actor:?} {area} {action}", t.name);
                let answers = probe(&t.db, &team, who, *area, action, &f).await;
                if answers.is_empty() != (expected[column] == Na) {
                    wrong.push(format!("{cell}: expected {:?}, entry points {answers:?}", expected[column]));
                }
                for (entry, got) in answers {
                    if got != expected[column] {
                        wrong.push(format!(
                            "{cell} through {entry}: expected {:?}, got {got:?}",
                            expected[column]
                        ));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "cells that do not follow the matrix:\n{}", wrong.join("\n"));
        t
    })
    .await;
}

/// A custom role with `scope` for viewing and editing "users and settings", given to manager 1.
async fn user_admin(db: &Db, team: &Team, scope: orbita_domain::access::Scope) -> Access {
    let mut grants = orbita_domain::access::Permissions::default();
    grants.grant(Area::UsersAndSettings, Action::View, Some(scope));
    grants.grant(Area::UsersAndSettings, Action::Edit, Some(scope));
    custom_role_for_manager1(db, team, &format!("Users {scope}"), &grants).await
}

/// A new role `name` with `grants`, made by the administrator and given to manager 1.
async fn custom_role_for_manager1(
    db: &Db,
    team: &Team,
    name: &str,
    grants: &orbita_domain::access::Permissions,
) -> Access {
    let role = admin::create_role(db, &team.admin, name).await.expect("role");
    admin::set_role_permissions(db, &team.admin, role, grants).await.expect("grants");
    let me = &team.manager1.user;
    let edit = admin::UserEdit {
        email: me.email.as_str(),
        name: &me.name,
        role_id: role,
        is_active: true,
        locale: None,
        groups: &orbita_storage::users::groups_of(db, me.id).await.expect("groups"),
    };
    admin::update_user(db, &team.admin, me.id, &edit).await.expect("role given");
    Access::load(db, me.id, None).await.expect("access")
}

/// Finding 2: "users and settings" with an own or group scope reaches only oneself or one's
/// group mates, never anyone above one's role, and never groups, roles, settings or new users.
#[tokio::test]
async fn custom_roles_with_own_and_group_scopes_on_every_admin_action() {
    use orbita_domain::access::Scope;
    on_both(|t| async move {
        let team = team(&t.db).await;
        for scope in [Scope::Own, Scope::Group] {
            let actor = user_admin(&t.db, &team, scope).await;
            let me = actor.user_id();
            let head = team.head.user_id();
            let label = format!("{} {scope}", t.name);
            assert!(admin::user(&t.db, &actor, me).await.is_ok(), "{label} sees self");
            let m2 = admin::user(&t.db, &actor, team.manager2.user_id()).await;
            assert_eq!(outcome(m2), Err("not found"), "{label} another team");
            let admin_seen = admin::user(&t.db, &actor, team.admin.user_id()).await;
            assert_eq!(outcome(admin_seen), Err("not found"), "{label} the administrator");
            // The head of sales is in manager 1's group: seen with group scope, never changed
            // (a role above the actor's), and the password is not reset.
            let head_seen = admin::user(&t.db, &actor, head).await;
            assert_eq!(outcome(head_seen).is_ok(), scope == Scope::Group, "{label} head seen");
            let reset = orbita_app::auth::reset_password(&t.db, &actor, head, "another long password").await;
            let expected = if scope == Scope::Group { Err("forbidden") } else { Err("not found") };
            assert_eq!(outcome(reset), expected, "{label} reset the head's password");
            // Making oneself administrator is refused at the role field.
            let admin_role =
                orbita_storage::users::role_by_key(&t.db, "administrator").await.expect("role").id;
            let edit = admin::UserEdit {
                email: actor.user.email.as_str(),
                name: &actor.user.name,
                role_id: admin_role,
                is_active: true,
                locale: None,
                groups: &orbita_storage::users::groups_of(&t.db, me).await.expect("groups"),
            };
            let promoted = admin::update_user(&t.db, &actor, me, &edit).await;
            assert!(
                matches!(promoted, Err(AppError::Invalid(ref e)) if e.0[0].code == "role-above-yours"),
                "{label} {promoted:?}"
            );
            // Joining another group (which widens a group scope) is refused.
            let groups = admin::groups(&t.db, &team.admin).await.expect("groups");
            let all: Vec<_> = groups.iter().map(|(g, _)| g.id).collect();
            let joined = admin::update_user(
                &t.db,
                &actor,
                me,
                &admin::UserEdit { role_id: actor.user.role_id, groups: &all, ..edit },
            )
            .await;
            assert!(
                matches!(joined, Err(AppError::Invalid(ref e)) if e.0[0].code == "groups-not-yours"),
                "{label} {joined:?}"
            );
            // Organisation-wide changes need the scope "all".
            assert_eq!(
                outcome(admin::create_group(&t.db, &actor, &format!("G {scope}")).await),
                Err("forbidden")
            );
            assert_eq!(outcome(admin::create_role(&t.db, &actor, "R").await), Err("forbidden"));
            let grants = orbita_domain::access::Permissions::default();
            let set = admin::set_role_permissions(&t.db, &actor, actor.user.role_id, &grants).await;
            assert_eq!(outcome(set), Err("forbidden"), "{label} roles");
            let manager_role = orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role").id;
            let created = admin::create_user(
                &t.db,
                &actor,
                "new@x.ru",
                "New",
                manager_role,
                "a good long password",
                &[],
            )
            .await;
            assert_eq!(outcome(created), Err("forbidden"), "{label} create user");
            let settings = orbita_app::settings::SettingsInput {
                name: "X".into(),
                currency: "RUB".into(),
                time_zone: "Europe/Moscow".into(),
                locale: "ru".into(),
                overdue_escalation_minutes: String::new(),
                ..Default::default()
            };
            assert_eq!(
                outcome(orbita_app::settings::update(&t.db, &actor, &settings).await),
                Err("forbidden")
            );
            // Their own password they may reset.
            assert!(
                orbita_app::auth::reset_password(&t.db, &actor, me, "my own long password").await.is_ok(),
                "{label}"
            );
        }
        t
    })
    .await;
}

/// The last active administrator is neither demoted nor deactivated; the administrator role's
/// rights are fixed; nobody grants a right they do not hold.
#[tokio::test]
async fn the_last_administrator_stays_and_nobody_grants_more_than_they_hold() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let second = person(&t.db, "admin2@x.ru", "administrator").await;
        let second = Access::load(&t.db, second, None).await.expect("access");
        let manager_role = orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role").id;
        let me = &team.admin.user;
        let demote = |role_id, is_active| admin::UserEdit {
            email: me.email.as_str(),
            name: &me.name,
            role_id,
            is_active,
            locale: None,
            groups: &[],
        };
        // With two administrators, one may deactivate the other…
        admin::update_user(&t.db, &second, me.id, &demote(me.role_id, false)).await.expect("deactivated");
        // …but the one left is neither demoted nor deactivated (by themselves or anyone).
        let edit = admin::UserEdit {
            email: second.user.email.as_str(),
            name: &second.user.name,
            role_id: manager_role,
            is_active: true,
            locale: None,
            groups: &[],
        };
        let demoted = admin::update_user(&t.db, &second, second.user_id(), &edit).await;
        assert!(
            matches!(demoted, Err(AppError::Invalid(ref e)) if e.0[0].code == "last-administrator"),
            "{demoted:?}"
        );
        // The administrator role's grants are fixed.
        let admin_role = second.user.role_id;
        let fixed = admin::set_role_permissions(&t.db, &second, admin_role, &Default::default()).await;
        assert!(
            matches!(fixed, Err(AppError::Invalid(ref e)) if e.0[0].code == "administrator-fixed"),
            "{fixed:?}"
        );
        // A head of sales given edit on all roles cannot grant the audit log they do not hold.
        let role = admin::create_role(&t.db, &second, "Roles").await.expect("role");
        let mut grants = orbita_domain::access::Permissions::default();
        grants.grant(Area::UsersAndSettings, Action::Edit, Some(orbita_domain::access::Scope::All));
        grants.grant(Area::UsersAndSettings, Action::View, Some(orbita_domain::access::Scope::All));
        admin::set_role_permissions(&t.db, &second, role, &grants).await.expect("grants");
        let roles_admin = person(&t.db, "roles@x.ru", "manager").await;
        orbita_storage::users::get(&t.db, roles_admin).await.expect("user");
        let edit = admin::UserEdit {
            email: "roles@x.ru",
            name: "roles@x.ru",
            role_id: role,
            is_active: true,
            locale: None,
            groups: &[],
        };
        admin::update_user(&t.db, &second, roles_admin, &edit).await.expect("role given");
        let roles_admin = Access::load(&t.db, roles_admin, None).await.expect("access");
        let mut more = grants.clone();
        more.grant(Area::AuditLog, Action::View, Some(orbita_domain::access::Scope::All));
        let granted = admin::set_role_permissions(&t.db, &roles_admin, role, &more).await;
        assert!(
            matches!(granted, Err(AppError::Invalid(ref e)) if e.0[0].code == "grant-above-yours"),
            "{granted:?}"
        );
        t
    })
    .await;
}

/// A custom role reading the audit log with an own or group scope sees what the reader (own)
/// or their group mates (group) did, and nobody else's actions; exports of it follow.
#[tokio::test]
async fn the_audit_log_follows_the_readers_scope() {
    use orbita_domain::access::{Permissions, Scope};
    on_both(|t| async move {
        let team = team(&t.db).await;
        for who in [&team.manager1, &team.head, &team.manager2] {
            companies::create(&t.db, who, &company(&format!("Журнал {}", who.user_id())), None)
                .await
                .expect("company");
        }
        for scope in [Scope::Own, Scope::Group] {
            let mut grants = Permissions::default();
            grants.grant(Area::AuditLog, Action::View, Some(scope));
            let reader = custom_role_for_manager1(&t.db, &team, &format!("Audit {scope}"), &grants).await;
            let events = admin::audit_log(&t.db, &reader, &AuditFilter::default(), None, 500)
                .await
                .expect("the log")
                .items;
            let name = |id: UserId| match who(&team, id) {
                "other" if id == team.head.user_id() => "head",
                "other" if id == team.admin.user_id() => "admin",
                known => known,
            };
            let mut actors: Vec<&str> = events.iter().map(|e| e.actor_id.map_or("system", name)).collect();
            actors.sort_unstable();
            actors.dedup();
            let expected: &[&str] = if scope == Scope::Own { &["m1"] } else { &["head", "m1"] };
            assert_eq!(actors, expected, "{} {scope}", t.name);
            // Naming another actor does not widen the scope.
            let other = AuditFilter { actor_id: Some(team.manager2.user_id()), ..AuditFilter::default() };
            let others = admin::audit_log(&t.db, &reader, &other, None, 10).await.expect("the log").items;
            assert!(others.is_empty(), "{} {scope}: manager 2's actions stay hidden", t.name);
        }
        t
    })
    .await;
}

/// Two administrators demoting each other at the same moment: one of them stays, on one
/// instance or several (the check runs inside the write, after the other's turn).
#[tokio::test]
async fn two_administrators_demoting_each_other_at_once_leave_one() {
    on_both(|t| async move {
        let team = team(&t.db).await;
        let second = person(&t.db, "admin2@x.ru", "administrator").await;
        let second = Access::load(&t.db, second, None).await.expect("access");
        let manager_role = orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role").id;
        let first = &team.admin;
        fn demote(who: &orbita_domain::user::User, role_id: orbita_domain::RoleId) -> admin::UserEdit<'_> {
            admin::UserEdit {
                email: who.email.as_str(),
                name: &who.name,
                role_id,
                is_active: true,
                locale: None,
                groups: &[],
            }
        }
        let (to_second, to_first) = (demote(&second.user, manager_role), demote(&first.user, manager_role));
        let (one, two) = tokio::join!(
            admin::update_user(&t.db, first, second.user_id(), &to_second),
            admin::update_user(&t.db, &second, first.user_id(), &to_first),
        );
        let demoted = [one.is_ok(), two.is_ok()].iter().filter(|ok| **ok).count();
        assert_eq!(demoted, 1, "{}: one demotion, and the last administrator stays", t.name);
        let admin_role = first.user.role_id;
        let admins = orbita_storage::users::list(&t.db).await.expect("users");
        let left = admins.iter().filter(|u| u.is_active && u.role_id == admin_role).count();
        assert_eq!(left, 1, "{}", t.name);
        t
    })
    .await;
}
