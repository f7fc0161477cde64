//! Every audited action leaves its event, with the right field-level changes, in the same
//! transaction as the change: deletes, stage moves, edits of each entity, user and role
//! changes. (Creations, sign-ins and transfers are checked in services.rs, sessions.rs and
//! rights.rs.)

use chrono::Duration;
use orbita_app::admin::{self, UserEdit};
use orbita_app::{Access, RequestContext, activities, companies, contacts, deals, setup, tasks, users};
use orbita_domain::access::{Action, Area, Permissions, Scope};
use orbita_domain::activity::{ActivityInput, ActivityKind};
use orbita_domain::audit::{AuditAction, AuditEvent};
use orbita_domain::company::CompanyInput;
use orbita_domain::contact::ContactInput;
use orbita_domain::deal::DealInput;
use orbita_domain::now;
use orbita_domain::pipeline::StageKind;
use orbita_domain::task::TaskInput;
use orbita_storage::Db;
use orbita_storage::audit::{self, AuditFilter};
use orbita_testkit::on_both;

async fn last_event(db: &Db, entity: &str, id: i64) -> AuditEvent {
    let filter = AuditFilter { entity: Some(entity.into()), entity_id: Some(id), ..Default::default() };
    audit::list(db, &filter, None, 1).await.expect("audit").items.into_iter().next().expect("an event")
}

fn change<'a>(event: &'a AuditEvent, field: &str) -> (Option<&'a str>, Option<&'a str>) {
    let c = event
        .changes
        .iter()
        .find(|c| c.field == field)
        .unwrap_or_else(|| panic!("no change of {field}: {event:?}"));
    (c.before.as_deref(), c.after.as_deref())
}

async fn admin(db: &Db) -> Access {
    setup::bootstrap(db).await.expect("bootstrap");
    let id = users::create_user(
        db,
        &RequestContext::system(),
        "admin@x.ru",
        "Админ",
        "administrator",
        "a good long password",
    )
    .await
    .expect("admin");
    Access::load(db, id, Some("192.0.2.1".into())).await.expect("access")
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
        let event = last_event(&t.db, "company", company.id.0).await;
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
        let event = last_event(&t.db, "contact", contact.id.0).await;
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
        let event = last_event(&t.db, "deal", deal.id.0).await;
        assert_eq!(change(&event, "amount"), (Some("100.00"), Some("150000.50")), "{}", t.name);
        let (_, stages) = deals::pipelines_and_stages(&t.db).await.expect("stages");
        let lost = stages.iter().find(|s| s.kind == StageKind::Lost).expect("lost");
        deals::move_stage(&t.db, &a, deal.id, lost.id, "Нет бюджета", None).await.expect("lost");
        let event = last_event(&t.db, "deal", deal.id.0).await;
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
        let event = last_event(&t.db, "task", task.id.0).await;
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
        let event = last_event(&t.db, "activity", activity.id.0).await;
        assert_eq!((event.action, change(&event, "subject")), (AuditAction::Delete, (Some("Звонок"), None)));
        t
    })
    .await;
}

#[tokio::test]
async fn user_group_and_role_changes_are_audited() {
    on_both(|t| async move {
        let a = admin(&t.db).await;
        let manager = users::create_user(
            &t.db,
            &RequestContext::system(),
            "m@x.ru",
            "Менеджер",
            "manager",
            "a good long password",
        )
        .await
        .expect("user");
        let (user, _) = admin::user(&t.db, &a, manager).await.expect("user");
        let group = admin::create_group(&t.db, &a, "Отдел Б").await.expect("group");
        assert_eq!(last_event(&t.db, "group", group.0).await.action, AuditAction::Create);
        let edit = UserEdit {
            email: user.email.as_str(),
            name: "Менеджер Иванов",
            role_id: user.role_id,
            is_active: false,
            locale: None,
            groups: &[group],
        };
        admin::update_user(&t.db, &a, manager, &edit).await.expect("edit");
        let event = last_event(&t.db, "user", manager.0).await;
        assert_eq!(change(&event, "name"), (Some("Менеджер"), Some("Менеджер Иванов")), "{}", t.name);
        assert_eq!(change(&event, "is_active"), (Some("true"), Some("false")));

        let role = admin::create_role(&t.db, &a, "Стажёр").await.expect("role");
        assert_eq!(last_event(&t.db, "role", role.0).await.action, AuditAction::Create);
        let mut grants = Permissions::default();
        grants.grant(Area::Deals, Action::View, Some(Scope::Own));
        admin::set_role_permissions(&t.db, &a, role, &grants).await.expect("grants");
        let event = last_event(&t.db, "role", role.0).await;
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
        let vera = admin::create_user(
            &t.db,
            &a,
            "vera@x.ru",
            "Вера",
            manager_role,
            "a good long password",
            &[sales],
        )
        .await
        .expect("user");
        assert_eq!(admin::user(&t.db, &a, vera).await.expect("user").1, [sales], "{}", t.name);
        let created = last_event(&t.db, "user", vera.0).await;
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
        let event = last_event(&t.db, "user", vera.0).await;
        assert_eq!(event.action, AuditAction::Update, "{}", t.name);
        let (manager_text, head_text) = (manager_role.to_string(), head_role.to_string());
        assert_eq!(change(&event, "role_id"), (Some(manager_text.as_str()), Some(head_text.as_str())));
        let both = format!("{}, {}", sales.0.min(north.0), sales.0.max(north.0));
        assert_eq!(change(&event, "groups"), (Some(sales_text.as_str()), Some(both.as_str())), "{}", t.name);
        assert_eq!(event.changes.len(), 2, "only what changed: {:?}", event.changes);

        // Leaving every group is a change to nothing.
        admin::update_user(&t.db, &a, vera, &UserEdit { groups: &[], ..edit }).await.expect("edit");
        let event = last_event(&t.db, "user", vera.0).await;
        assert_eq!(change(&event, "groups"), (Some(both.as_str()), None), "{}", t.name);
        assert!(admin::user(&t.db, &a, vera).await.expect("user").1.is_empty());
        t
    })
    .await;
}
