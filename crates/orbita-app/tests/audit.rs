//! Every audited action leaves its event, with the right field-level changes, in the same
//! transaction as the change: creations, edits and deletes of each entity, stage moves, user,
//! role and password changes, signing in and out. Events are read back through
//! `admin::audit_log`, as the audit log page reads them. (Transfers are checked in rights.rs.)

use chrono::Duration;
use orbita_app::admin::{self, UserEdit};
use orbita_app::auth::{self, SignInError};
use orbita_app::{Access, RequestContext, activities, companies, contacts, deals, setup, tasks, users};
use orbita_domain::access::{Action, Area, Permissions, Scope};
use orbita_domain::activity::{ActivityInput, ActivityKind, Direction};
use orbita_domain::audit::{AuditAction, AuditEvent, FieldChange};
use orbita_domain::company::CompanyInput;
use orbita_domain::contact::ContactInput;
use orbita_domain::deal::DealInput;
use orbita_domain::now;
use orbita_domain::pipeline::StageKind;
use orbita_domain::task::{TaskInput, TaskPriority};
use orbita_domain::{Timestamp, UserId};
use orbita_storage::Db;
use orbita_storage::audit::AuditFilter;
use orbita_testkit::on_both;

/// The newest event about one record, as the audit log page shows it to `reader`.
async fn last_event(db: &Db, reader: &Access, entity: &str, id: i64) -> AuditEvent {
    let filter = AuditFilter { entity: Some(entity.into()), entity_id: Some(id), ..Default::default() };
    let page = admin::audit_log(db, reader, &filter, None, 1).await.expect("audit log");
    page.items.into_iter().next().expect("an event")
}

fn change<'a>(event: &'a AuditEvent, field: &str) -> (Option<&'a str>, Option<&'a str>) {
    let c = event
        .changes
        .iter()
        .find(|c| c.field == field)
        .unwrap_or_else(|| panic!("no change of {field}: {event:?}"));
    (c.before.as_deref(), c.after.as_deref())
}

/// The changes of a creation: each field's value as "after".
fn set(values: &[(&str, &str)]) -> Vec<FieldChange> {
    let change = |(field, value): &(&str, &str)| FieldChange {
        field: (*field).to_owned(),
        before: None,
        after: Some((*value).to_owned()),
    };
    values.iter().map(change).collect()
}

/// The changes of a deletion: each field's value as "before".
fn cleared(values: &[(&str, &str)]) -> Vec<FieldChange> {
    let change = |(field, value): &(&str, &str)| FieldChange {
        field: (*field).to_owned(),
        before: Some((*value).to_owned()),
        after: None,
    };
    values.iter().map(change).collect()
}

fn changed(field: &str, before: &str, after: &str) -> FieldChange {
    FieldChange { field: field.to_owned(), before: Some(before.to_owned()), after: Some(after.to_owned()) }
}

/// Who did it, from where, to what: the parts of an event besides its changes.
fn assert_about(event: &AuditEvent, actor: UserId, ip: &str, action: AuditAction, entity: &str, id: i64) {
    assert_eq!(
        (event.actor_id, event.ip.as_deref(), event.action, event.entity.as_str(), event.entity_id),
        (Some(actor), Some(ip), action, entity, Some(id)),
        "{event:?}"
    );
}

fn at(rfc3339: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(rfc3339).expect("time").to_utc()
}

const ADMIN_IP: &str = "192.0.2.1";
const PASSWORD: &str = "a good long password";

async fn admin(db: &Db) -> Access {
    setup::bootstrap(db).await.expect("bootstrap");
    let id =
        users::create_user(db, &RequestContext::system(), "admin@x.ru", "Админ", "administrator", PASSWORD)
            .await
            .expect("admin");
    Access::load(db, id, Some(ADMIN_IP.into())).await.expect("access")
}

#[tokio::test]
async fn record_edits_deletes_and_stage_moves_are_audited_with_their_changes() {
    on_both(|t| async move {
        let a = admin(&t.db).await;
        let company =
            companies::create(&t.db, &a, &CompanyInput { name: "Альфа".into(), ..Default::default() }, None)
                .await
                .expect("company");
        companies::delete(&t.db, &a, company.id).await.expect("delete");
        let event = last_event(&t.db, &a, "company", company.id.0).await;
        assert_eq!(
            (event.action, change(&event, "name")),
            (AuditAction::Delete, (Some("Альфа"), None)),
            "{}",
            t.name
        );
        assert_eq!(event.ip.as_deref(), Some("192.0.2.1"));

        let contact = contacts::create(
            &t.db,
            &a,
            &ContactInput { last_name: "Иванов".into(), ..Default::default() },
            None,
        )
        .await
        .expect("contact");
        let edit =
            ContactInput {
                last_name: "Иванов".into(), position: "Директор".into(), ..Default::default()
            };
        contacts::update(&t.db, &a, contact.id, &edit, Some(contact.version)).await.expect("edit");
        let event = last_event(&t.db, &a, "contact", contact.id.0).await;
        assert_eq!(
            (event.action, change(&event, "position")),
            (AuditAction::Update, (None, Some("Директор")))
        );
        assert_eq!(event.changes.len(), 1, "{}: only what changed", t.name);

        let deal = deals::create(
            &t.db,
            &a,
            &DealInput { title: "Окна".into(), amount: "100".into(), ..Default::default() },
            None,
            None,
            None,
        )
        .await
        .expect("deal");
        let edit = DealInput { title: "Окна".into(), amount: "150000.50".into(), ..Default::default() };
        deals::update(&t.db, &a, deal.id, &edit, None).await.expect("edit");
        let event = last_event(&t.db, &a, "deal", deal.id.0).await;
        assert_eq!(change(&event, "amount"), (Some("100.00"), Some("150000.50")), "{}", t.name);
        let (_, stages) = deals::pipelines_and_stages(&t.db).await.expect("stages");
        let lost = stages.iter().find(|s| s.kind == StageKind::Lost).expect("lost");
        deals::move_stage(&t.db, &a, deal.id, lost.id, "Нет бюджета", None).await.expect("lost");
        let event = last_event(&t.db, &a, "deal", deal.id.0).await;
        assert_eq!(event.action, AuditAction::StageChange);
        assert_eq!(
            change(&event, "stage_id"),
            (Some(deal.stage_id.to_string().as_str()), Some(lost.id.to_string().as_str()))
        );
        assert_eq!(change(&event, "status"), (Some("open"), Some("lost")));
        assert_eq!(change(&event, "lost_reason"), (None, Some("Нет бюджета")), "{}", t.name);

        let task_input = TaskInput {
            title: "Перезвонить".into(),
            description: String::new(),
            due_at: Some(now() + Duration::days(1)),
            assignee_id: a.user_id(),
            priority: None,
            company_id: None,
            contact_id: None,
            deal_id: Some(deal.id),
        };
        let task = tasks::create(&t.db, &a, &task_input).await.expect("task");
        tasks::set_done(&t.db, &a, task.id, true).await.expect("done");
        let event = last_event(&t.db, &a, "task", task.id.0).await;
        assert_eq!(event.action, AuditAction::Update);
        assert!(matches!(change(&event, "done_at"), (None, Some(_))), "{}", t.name);

        let call = ActivityInput {
            kind: ActivityKind::Call,
            direction: None,
            status: None,
            occurred_at: now(),
            duration_minutes: Some(10),
            subject: "Звонок".into(),
            responsible_id: a.user_id(),
            company_id: None,
            contact_id: None,
            deal_id: Some(deal.id),
        };
        let (activity, _) = activities::log(&t.db, &a, &call, None).await.expect("call");
        activities::delete(&t.db, &a, activity.id).await.expect("delete");
        let event = last_event(&t.db, &a, "activity", activity.id.0).await;
        assert_eq!((event.action, change(&event, "subject")), (AuditAction::Delete, (Some("Звонок"), None)));
        t
    })
    .await;
}

#[tokio::test]
async fn user_group_and_role_changes_are_audited() {
    on_both(|t| async move {
        let a = admin(&t.db).await;
        let manager =
            users::create_user(&t.db, &RequestContext::system(), "m@x.ru", "Менеджер", "manager", PASSWORD)
                .await
                .expect("user");
        let (user, _) = admin::user(&t.db, &a, manager).await.expect("user");
        let group = admin::create_group(&t.db, &a, "Отдел Б").await.expect("group");
        assert_eq!(last_event(&t.db, &a, "group", group.0).await.action, AuditAction::Create);
        let edit = UserEdit {
            email: user.email.as_str(),
            name: "Менеджер Иванов",
            role_id: user.role_id,
            is_active: false,
            locale: None,
            groups: &[group],
        };
        admin::update_user(&t.db, &a, manager, &edit).await.expect("edit");
        let event = last_event(&t.db, &a, "user", manager.0).await;
        assert_eq!(change(&event, "name"), (Some("Менеджер"), Some("Менеджер Иванов")), "{}", t.name);
        assert_eq!(change(&event, "is_active"), (Some("true"), Some("false")));

        let role = admin::create_role(&t.db, &a, "Стажёр").await.expect("role");
        assert_eq!(last_event(&t.db, &a, "role", role.0).await.action, AuditAction::Create);
        let mut grants = Permissions::default();
        grants.grant(Area::Deals, Action::View, Some(Scope::Own));
        admin::set_role_permissions(&t.db, &a, role, &grants).await.expect("grants");
        let event = last_event(&t.db, &a, "role", role.0).await;
        assert_eq!(
            (event.action, change(&event, "deals.view")),
            (AuditAction::Update, (None, Some("own"))),
            "{}",
            t.name
        );
        t
    })
    .await;
}

#[tokio::test]
async fn a_users_groups_are_set_and_audited_with_the_user_itself() {
    on_both(|t| async move {
        let a = admin(&t.db).await;
        let sales = admin::create_group(&t.db, &a, "Продажи").await.expect("group");
        let north = admin::create_group(&t.db, &a, "Север").await.expect("group");
        let manager_role = orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role").id;
        let head_role = orbita_storage::users::role_by_key(&t.db, "head_of_sales").await.expect("role").id;
        let vera = admin::create_user(&t.db, &a, "vera@x.ru", "Вера", manager_role, PASSWORD, &[sales])
            .await
            .expect("user");
        assert_eq!(admin::user(&t.db, &a, vera).await.expect("user").1, [sales], "{}", t.name);
        let created = last_event(&t.db, &a, "user", vera.0).await;
        assert_eq!(created.action, AuditAction::Create, "{}", t.name);
        assert_eq!(created.actor_id, Some(a.user_id()));
        let sales_text = sales.0.to_string();
        assert_eq!(change(&created, "groups"), (None, Some(sales_text.as_str())), "{}", t.name);

        // A promotion to head of sales of both groups: the role and the groups in one event.
        let edit = UserEdit {
            email: "vera@x.ru",
            name: "Вера",
            role_id: head_role,
            is_active: true,
            locale: None,
            groups: &[north, sales],
        };
        admin::update_user(&t.db, &a, vera, &edit).await.expect("edit");
        let event = last_event(&t.db, &a, "user", vera.0).await;
        assert_eq!(event.action, AuditAction::Update, "{}", t.name);
        let (manager_text, head_text) = (manager_role.to_string(), head_role.to_string());
        assert_eq!(change(&event, "role_id"), (Some(manager_text.as_str()), Some(head_text.as_str())));
        let both = format!("{}, {}", sales.0.min(north.0), sales.0.max(north.0));
        assert_eq!(change(&event, "groups"), (Some(sales_text.as_str()), Some(both.as_str())), "{}", t.name);
        assert_eq!(event.changes.len(), 2, "only what changed: {:?}", event.changes);

        // Leaving every group is a change to nothing.
        admin::update_user(&t.db, &a, vera, &UserEdit { groups: &[], ..edit }).await.expect("edit");
        let event = last_event(&t.db, &a, "user", vera.0).await;
        assert_eq!(change(&event, "groups"), (Some(both.as_str()), None), "{}", t.name);
        assert!(admin::user(&t.db, &a, vera).await.expect("user").1.is_empty());
        t
    })
    .await;
}

/// A company, a contact at it, a deal with both, a task and a call on the deal, each created
/// through its service with every field filled in.
struct Records {
    company: orbita_domain::company::Company,
    contact: orbita_domain::contact::Contact,
    deal: orbita_domain::deal::Deal,
    task: orbita_domain::task::Task,
    activity: orbita_domain::activity::Activity,
}

fn task_input(a: &Access, deal: &orbita_domain::deal::Deal) -> TaskInput {
    TaskInput {
        title: "Перезвонить".into(),
        description: "Обсудить смету".into(),
        due_at: Some(at("2030-05-20T09:30:00Z")),
        assignee_id: a.user_id(),
        priority: Some(TaskPriority::High),
        company_id: None,
        contact_id: None,
        deal_id: Some(deal.id),
    }
}

fn call_input(
    a: &Access,
    contact: &orbita_domain::contact::Contact,
    deal: &orbita_domain::deal::Deal,
) -> ActivityInput {
    ActivityInput {
        kind: ActivityKind::Call,
        direction: Some(Direction::Outgoing),
        status: None,
        occurred_at: at("2024-03-01T10:00:00Z"),
        duration_minutes: Some(15),
        subject: "Первый звонок".into(),
        responsible_id: a.user_id(),
        company_id: None,
        contact_id: Some(contact.id),
        deal_id: Some(deal.id),
    }
}

async fn create_records(db: &Db, a: &Access) -> Records {
    let company =
        companies::create(db, a, &CompanyInput { name: "Альфа".into(), ..Default::default() }, None)
            .await
            .expect("company");
    let contact_input = ContactInput {
        last_name: "Иванов".into(),
        first_name: "Иван".into(),
        middle_name: String::new(),
        position: "Директор".into(),
        company_id: Some(company.id),
        phones: "8 916 123-45-67".into(),
        emails: "ivanov@alfa.ru".into(),
        notes: "Звонить после обеда".into(),
    };
    let contact = contacts::create(db, a, &contact_input, None).await.expect("contact");
    let deal_input = DealInput {
        title: "Окна".into(),
        company_id: Some(company.id),
        contact_id: Some(contact.id),
        amount: "250 000".into(),
        currency: String::new(),
        expected_close_date: "2030-06-30".into(),
        source: "Сайт".into(),
        notes: String::new(),
    };
    let deal = deals::create(db, a, &deal_input, None, None, None).await.expect("deal");
    let task = tasks::create(db, a, &task_input(a, &deal)).await.expect("task");
    let (activity, _) = activities::log(db, a, &call_input(a, &contact, &deal), None).await.expect("call");
    Records { company, contact, deal, task, activity }
}

#[tokio::test]
async fn creating_a_contact_a_deal_a_task_and_an_activity_records_each_value_set() {
    on_both(|t| async move {
        let a = admin(&t.db).await;
        let me = a.user_id();
        let r = create_records(&t.db, &a).await;
        let (company_id, contact_id, deal_id) =
            (r.company.id.to_string(), r.contact.id.to_string(), r.deal.id.to_string());
        let me_text = me.to_string();

        let event = last_event(&t.db, &a, "contact", r.contact.id.0).await;
        assert_about(&event, me, ADMIN_IP, AuditAction::Create, "contact", r.contact.id.0);
        let expected = set(&[
            ("last_name", "Иванов"),
            ("first_name", "Иван"),
            ("position", "Директор"),
            ("company_id", &company_id),
            ("phones", "+79161234567"),
            ("emails", "ivanov@alfa.ru"),
            ("notes", "Звонить после обеда"),
            ("owner_id", &me_text),
        ]);
        assert_eq!(event.changes, expected, "{}: the empty middle name is left out", t.name);

        let event = last_event(&t.db, &a, "deal", r.deal.id.0).await;
        assert_about(&event, me, ADMIN_IP, AuditAction::Create, "deal", r.deal.id.0);
        let stage_id = r.deal.stage_id.to_string();
        let expected = set(&[
            ("title", "Окна"),
            ("company_id", &company_id),
            ("contact_id", &contact_id),
            ("amount", "250000.00"),
            ("currency", "RUB"),
            ("expected_close_date", "2030-06-30"),
            ("source", "Сайт"),
            ("stage_id", &stage_id),
            ("owner_id", &me_text),
        ]);
        assert_eq!(event.changes, expected, "{}", t.name);

        let event = last_event(&t.db, &a, "task", r.task.id.0).await;
        assert_about(&event, me, ADMIN_IP, AuditAction::Create, "task", r.task.id.0);
        let due = at("2030-05-20T09:30:00Z").to_rfc3339();
        let expected = set(&[
            ("title", "Перезвонить"),
            ("description", "Обсудить смету"),
            ("due_at", &due),
            ("assignee_id", &me_text),
            ("priority", "high"),
            ("deal_id", &deal_id),
        ]);
        assert_eq!(event.changes, expected, "{}", t.name);

        let event = last_event(&t.db, &a, "activity", r.activity.id.0).await;
        assert_about(&event, me, ADMIN_IP, AuditAction::Create, "activity", r.activity.id.0);
        let occurred = at("2024-03-01T10:00:00Z").to_rfc3339();
        let expected = set(&[
            ("kind", "call"),
            ("direction", "outgoing"),
            ("status", "done"),
            ("occurred_at", &occurred),
            ("duration_minutes", "15"),
            ("subject", "Первый звонок"),
            ("responsible_id", &me_text),
            ("contact_id", &contact_id),
            ("deal_id", &deal_id),
        ]);
        assert_eq!(event.changes, expected, "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn deleting_a_task_a_deal_and_a_contact_records_what_they_held() {
    on_both(|t| async move {
        let a = admin(&t.db).await;
        let me = a.user_id();
        let r = create_records(&t.db, &a).await;
        let (company_id, contact_id, deal_id) =
            (r.company.id.to_string(), r.contact.id.to_string(), r.deal.id.to_string());
        let me_text = me.to_string();

        tasks::delete(&t.db, &a, r.task.id).await.expect("delete task");
        let event = last_event(&t.db, &a, "task", r.task.id.0).await;
        assert_about(&event, me, ADMIN_IP, AuditAction::Delete, "task", r.task.id.0);
        let due = at("2030-05-20T09:30:00Z").to_rfc3339();
        let expected = cleared(&[
            ("title", "Перезвонить"),
            ("description", "Обсудить смету"),
            ("due_at", &due),
            ("assignee_id", &me_text),
            ("priority", "high"),
            ("deal_id", &deal_id),
        ]);
        assert_eq!(event.changes, expected, "{}", t.name);

        activities::delete(&t.db, &a, r.activity.id).await.expect("delete call");
        deals::delete(&t.db, &a, r.deal.id).await.expect("delete deal");
        let event = last_event(&t.db, &a, "deal", r.deal.id.0).await;
        assert_about(&event, me, ADMIN_IP, AuditAction::Delete, "deal", r.deal.id.0);
        let expected = cleared(&[
            ("title", "Окна"),
            ("company_id", &company_id),
            ("contact_id", &contact_id),
            ("amount", "250000.00"),
            ("currency", "RUB"),
            ("expected_close_date", "2030-06-30"),
            ("source", "Сайт"),
        ]);
        assert_eq!(event.changes, expected, "{}", t.name);

        contacts::delete(&t.db, &a, r.contact.id).await.expect("delete contact");
        let event = last_event(&t.db, &a, "contact", r.contact.id.0).await;
        assert_about(&event, me, ADMIN_IP, AuditAction::Delete, "contact", r.contact.id.0);
        let expected = cleared(&[
            ("last_name", "Иванов"),
            ("first_name", "Иван"),
            ("position", "Директор"),
            ("company_id", &company_id),
            ("phones", "+79161234567"),
            ("emails", "ivanov@alfa.ru"),
            ("notes", "Звонить после обеда"),
        ]);
        assert_eq!(event.changes, expected, "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn editing_an_activity_and_a_task_records_only_what_changed() {
    on_both(|t| async move {
        let a = admin(&t.db).await;
        let me = a.user_id();
        let r = create_records(&t.db, &a).await;

        // The call: a longer duration and a new subject; kind, status, links stay.
        let edit = ActivityInput {
            duration_minutes: Some(25),
            subject: "Смета согласована".into(),
            ..call_input(&a, &r.contact, &r.deal)
        };
        activities::update(&t.db, &a, r.activity.id, &edit, Some(r.activity.version)).await.expect("edit");
        let event = last_event(&t.db, &a, "activity", r.activity.id.0).await;
        assert_about(&event, me, ADMIN_IP, AuditAction::Update, "activity", r.activity.id.0);
        let expected = vec![
            changed("duration_minutes", "15", "25"),
            changed("subject", "Первый звонок", "Смета согласована"),
        ];
        assert_eq!(event.changes, expected, "{}", t.name);

        // The task: a new title and a later due date.
        let (old_due, new_due) = (at("2030-05-20T09:30:00Z"), at("2030-05-22T14:00:00Z"));
        let edit = TaskInput {
            title: "Перезвонить после согласования".into(),
            due_at: Some(new_due),
            ..task_input(&a, &r.deal)
        };
        let task = tasks::update(&t.db, &a, r.task.id, &edit, Some(r.task.version)).await.expect("edit");
        let event = last_event(&t.db, &a, "task", r.task.id.0).await;
        assert_about(&event, me, ADMIN_IP, AuditAction::Update, "task", r.task.id.0);
        let expected = vec![
            changed("title", "Перезвонить", "Перезвонить после согласования"),
            changed("due_at", &old_due.to_rfc3339(), &new_due.to_rfc3339()),
        ];
        assert_eq!(event.changes, expected, "{}", t.name);

        // Giving the task to someone else on its form is a hand-over, as on every kind.
        let manager =
            users::create_user(&t.db, &RequestContext::system(), "m@x.ru", "Менеджер", "manager", PASSWORD)
                .await
                .expect("manager");
        let reassign = TaskInput { assignee_id: manager, ..edit };
        tasks::update(&t.db, &a, r.task.id, &reassign, Some(task.version)).await.expect("reassign");
        let event = last_event(&t.db, &a, "task", r.task.id.0).await;
        assert_about(&event, me, ADMIN_IP, AuditAction::OwnerChange, "task", r.task.id.0);
        assert_eq!(
            event.changes,
            vec![changed("assignee_id", &me.to_string(), &manager.to_string())],
            "{}",
            t.name
        );
        t
    })
    .await;
}

/// No recorded value of any event about `user` holds one of `secrets`.
async fn assert_no_secret_logged(db: &Db, a: &Access, user: UserId, secrets: &[&str]) {
    let filter = AuditFilter { entity: Some("user".into()), entity_id: Some(user.0), ..Default::default() };
    let events = admin::audit_log(db, a, &filter, None, 100).await.expect("audit log").items;
    assert!(!events.is_empty());
    for change in events.iter().flat_map(|e| &e.changes) {
        for value in [&change.before, &change.after].into_iter().flatten() {
            for secret in secrets {
                assert!(!value.contains(secret), "a secret is logged in {change:?}");
            }
        }
    }
}

async fn password_hash(db: &Db, email: &str) -> String {
    let email = orbita_domain::validation::Email::parse(email).expect("email");
    let (_, hash) = orbita_storage::users::find_credentials(db, &email).await.expect("find").expect("user");
    hash.expect("a password hash")
}

#[tokio::test]
async fn creating_a_user_records_email_name_role_and_groups_but_no_password() {
    on_both(|t| async move {
        let a = admin(&t.db).await;
        let sales = admin::create_group(&t.db, &a, "Продажи").await.expect("group");
        let north = admin::create_group(&t.db, &a, "Север").await.expect("group");
        let role = orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role").id;
        let vera =
            admin::create_user(&t.db, &a, "Vera@X.ru", "Вера Петрова", role, PASSWORD, &[north, sales])
                .await
                .expect("user");
        let event = last_event(&t.db, &a, "user", vera.0).await;
        assert_about(&event, a.user_id(), ADMIN_IP, AuditAction::Create, "user", vera.0);
        let groups = format!("{}, {}", sales.0.min(north.0), sales.0.max(north.0));
        let expected = set(&[
            ("email", "vera@x.ru"),
            ("name", "Вера Петрова"),
            ("role", "manager"),
            ("groups", &groups),
        ]);
        assert_eq!(event.changes, expected, "{}: no password field", t.name);
        let hash = password_hash(&t.db, "vera@x.ru").await;
        assert_no_secret_logged(&t.db, &a, vera, &[PASSWORD, &hash]).await;
        t
    })
    .await;
}

#[tokio::test]
async fn a_password_change_and_a_reset_are_logged_as_changed_without_the_password() {
    const CHANGED: &str = "Quartz-Heron-5520-changed";
    const RESET: &str = "Quartz-Marten-8086-reset";
    on_both(|t| async move {
        let a = admin(&t.db).await;
        let pavel =
            users::create_user(&t.db, &RequestContext::system(), "pavel@x.ru", "Павел", "manager", PASSWORD)
                .await
                .expect("user");
        let ip = "203.0.113.5";
        let tokens = auth::sign_in(&t.db, "pavel@x.ru", PASSWORD, Some(ip), None).await.expect("sign in");
        let session =
            auth::authenticate(&t.db, &tokens.token, Some(ip.into())).await.expect("auth").expect("session");
        let changed_to =
            FieldChange { field: "password".into(), before: None, after: Some("changed".into()) };

        auth::change_password(&t.db, &session, PASSWORD, CHANGED).await.expect("change");
        let event = last_event(&t.db, &a, "user", pavel.0).await;
        assert_about(&event, pavel, ip, AuditAction::Update, "user", pavel.0);
        assert_eq!(event.changes, std::slice::from_ref(&changed_to), "{}", t.name);
        let changed_hash = password_hash(&t.db, "pavel@x.ru").await;

        auth::reset_password(&t.db, &a, pavel, RESET).await.expect("reset");
        let event = last_event(&t.db, &a, "user", pavel.0).await;
        assert_about(&event, a.user_id(), ADMIN_IP, AuditAction::Update, "user", pavel.0);
        assert_eq!(event.changes, [changed_to], "{}", t.name);
        let reset_hash = password_hash(&t.db, "pavel@x.ru").await;
        assert_ne!(changed_hash, reset_hash);
        assert_no_secret_logged(&t.db, &a, pavel, &[PASSWORD, CHANGED, RESET, &changed_hash, &reset_hash])
            .await;
        t
    })
    .await;
}

#[tokio::test]
async fn signing_in_and_out_records_the_user_and_the_address() {
    on_both(|t| async move {
        let a = admin(&t.db).await;
        let rita =
            users::create_user(&t.db, &RequestContext::system(), "rita@x.ru", "Рита", "manager", PASSWORD)
                .await
                .expect("user");
        let ip = "198.51.100.7";
        let wrong = auth::sign_in(&t.db, "rita@x.ru", "not her password", Some("198.51.100.9"), None).await;
        assert!(matches!(wrong, Err(SignInError::InvalidCredentials)), "{}", t.name);
        let filter = AuditFilter { action: Some(AuditAction::SignInFailed), ..Default::default() };
        let failed = admin::audit_log(&t.db, &a, &filter, None, 10).await.expect("audit log").items;
        assert_eq!(failed.len(), 1, "{}", t.name);
        assert_eq!(
            (failed[0].actor_id, failed[0].ip.as_deref(), failed[0].entity.as_str(), failed[0].entity_id),
            (None, Some("198.51.100.9"), "user", None),
            "{}: a failure names nobody",
            t.name
        );
        assert_eq!(failed[0].changes, set(&[("email", "rita@x.ru")]), "{}: only the e-mail typed", t.name);

        let tokens =
            auth::sign_in(&t.db, "rita@x.ru", PASSWORD, Some(ip), Some("Firefox")).await.expect("sign in");
        let event = last_event(&t.db, &a, "user", rita.0).await;
        assert_about(&event, rita, ip, AuditAction::SignIn, "user", rita.0);
        assert!(event.changes.is_empty(), "{}: {:?}", t.name, event.changes);

        // The sign-out request comes from the same browser, so from the same address.
        let session =
            auth::authenticate(&t.db, &tokens.token, Some(ip.into())).await.expect("auth").expect("session");
        auth::sign_out(&t.db, &session).await.expect("sign out");
        let event = last_event(&t.db, &a, "user", rita.0).await;
        assert_about(&event, rita, ip, AuditAction::SignOut, "user", rita.0);
        assert!(event.changes.is_empty(), "{}: {:?}", t.name, event.changes);
        t
    })
    .await;
}

/// All of one deal's events, oldest first.
async fn deal_events(db: &Db, reader: &Access, id: i64) -> Vec<AuditEvent> {
    let filter = AuditFilter { entity: Some("deal".into()), entity_id: Some(id), ..Default::default() };
    let mut events = admin::audit_log(db, reader, &filter, None, 100).await.expect("audit log").items;
    events.reverse();
    events
}

#[tokio::test]
async fn a_combined_edit_writes_its_audit_events_in_its_one_transaction_or_none_of_them() {
    on_both(|t| async move {
        let a = admin(&t.db).await;
        let manager =
            users::create_user(&t.db, &RequestContext::system(), "m@x.ru", "Менеджер", "manager", PASSWORD)
                .await
                .expect("manager");
        let input = DealInput { title: "Окна".into(), amount: "100".into(), ..Default::default() };
        let deal = deals::create(&t.db, &a, &input, None, None, None).await.expect("deal");
        let (_, stages) = deals::pipelines_and_stages(&t.db).await.expect("stages");
        let stage = |kind| stages.iter().find(|s| s.kind == kind).expect("stage").id;
        let created = deal_events(&t.db, &a, deal.id.0).await.len();

        // A lost stage without a reason refuses the whole change: no title, no owner, no event.
        let refused = deals::DealChange {
            fields: Some(DealInput { title: "Окна ПВХ".into(), ..input.clone() }),
            owner: Some(manager),
            stage: Some(deals::StageTarget { stage: stage(StageKind::Lost), lost_reason: String::new() }),
            custom: None,
            close_open_tasks: false,
        };
        assert!(deals::change(&t.db, &a, deal.id, &refused, Some(deal.version)).await.is_err());
        let unchanged = deals::get(&t.db, &a, deal.id).await.expect("deal");
        assert_eq!(
            (unchanged.fields.title.as_str(), unchanged.owner_id),
            ("Окна", a.user_id()),
            "{}",
            t.name
        );
        assert_eq!(deal_events(&t.db, &a, deal.id.0).await.len(), created, "{}", t.name);

        // The same with a reason: fields, owner and stage, each its event, all at one instant.
        let reason = deals::StageTarget { stage: stage(StageKind::Lost), lost_reason: "Дорого".into() };
        let accepted = deals::DealChange { stage: Some(reason), ..refused };
        let changed = deals::change(&t.db, &a, deal.id, &accepted, Some(deal.version)).await.expect("change");
        assert_eq!((changed.fields.title.as_str(), changed.owner_id), ("Окна ПВХ", manager), "{}", t.name);
        let events = deal_events(&t.db, &a, deal.id.0).await;
        let new = &events[created..];
        let actions: Vec<AuditAction> = new.iter().map(|e| e.action).collect();
        assert_eq!(
            actions,
            [AuditAction::Update, AuditAction::OwnerChange, AuditAction::StageChange],
            "{}",
            t.name
        );
        assert!(new.iter().all(|e| e.occurred_at == new[0].occurred_at), "one transaction's instant");
        assert_eq!(change(&new[0], "title"), (Some("Окна"), Some("Окна ПВХ")));
        assert_eq!(change(&new[2], "lost_reason"), (None, Some("Дорого")));
        t
    })
    .await;
}
