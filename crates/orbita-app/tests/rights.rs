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
