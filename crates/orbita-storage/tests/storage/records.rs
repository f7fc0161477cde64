//! Contacts, tasks, activities, users, settings and the audit log on both databases.

use chrono::Duration;
use orbita_domain::activity::{ActivityInput, ActivityKind, Direction};
use orbita_domain::audit::{AuditAction, FieldChange, NewAuditEvent};
use orbita_domain::contact::ContactInput;
use orbita_domain::kind::RecordKind;
use orbita_domain::now;
use orbita_domain::org::OrgSettings;
use orbita_domain::task::TaskInput;
use orbita_domain::validation::{Email, Phone};
use orbita_storage::activities::{self, ActivityFilter};
use orbita_storage::audit::{self, AuditFilter};
use orbita_storage::contacts::{self, ContactFilter, ContactSort};
use orbita_storage::tasks::{self, TaskFilter};
use orbita_storage::{org, ownership, users};

use orbita_testkit::on_both;

#[tokio::test]
async fn contacts_are_found_by_name_phone_and_email() {
    on_both(|t| async move {
        let owner = t.user("owner@example.com").await;
        let input = ContactInput {
            last_name: "Иванов".into(),
            first_name: "Пётр".into(),
            phones: "8 (916) 123-45-67".into(),
            emails: "Petr.Ivanov@Example.com".into(),
            ..Default::default()
        };
        let fields = input.validate().expect("contact");
        let mut tx = t.db.begin().await.expect("begin");
        let id = contacts::insert(&mut tx, &fields, owner, Some(owner), now()).await.expect("insert");
        tx.commit().await.expect("commit");
        assert_eq!(contacts::get(&t.db, id).await.expect("get").fields, fields, "{}", t.name);
        for q in ["иванов", "Пётр", "79161234567", "petr.ivanov", "example.com"] {
            let filter = ContactFilter { q: Some(q.into()), ..Default::default() };
            let page =
                contacts::list(&t.db, &filter, ContactSort::Name, false, None, 10).await.expect("search");
            assert_eq!(page.items.len(), 1, "{}: search {q:?}", t.name);
        }
        let phone = Phone::parse("+7 916 123 45 67").expect("phone");
        let email = Email::parse("petr.ivanov@example.com").expect("email");
        let duplicates =
            contacts::find_by_phone_or_email(&t.db, Some(&phone), Some(&email)).await.expect("dups");
        assert_eq!(duplicates.len(), 1, "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_whole_phone_or_email_finds_its_contact_exactly_as_it_changes() {
    on_both(|t| async move {
        let owner = t.user("owner@example.com").await;
        let save = |last: &str, phones: &str, emails: &str| {
            ContactInput {
                last_name: last.into(),
                phones: phones.into(),
                emails: emails.into(),
                ..Default::default()
            }
            .validate()
            .expect("contact")
        };
        let petrov = save("Петров", "8 (916) 123-45-67", "Petrov@Example.com");
        let mut tx = t.db.begin().await.expect("begin");
        let id = contacts::insert(&mut tx, &petrov, owner, Some(owner), now()).await.expect("insert");
        let other = save("Сидоров", "+7 916 123-45-68, 8 916 123-45-68", "");
        contacts::insert(&mut tx, &other, owner, Some(owner), now()).await.expect("insert");
        tx.commit().await.expect("commit");
        let search = |q: &'static str| {
            let db = t.db.clone();
            async move {
                let filter = ContactFilter { q: Some(q.into()), ..Default::default() };
                let page =
                    contacts::list(&db, &filter, ContactSort::Name, false, None, 10).await.expect("search");
                page.items.into_iter().map(|c| c.fields.last_name).collect::<Vec<_>>()
            }
        };
        // Typed as people type it, not as it is stored (+79161234567): the key finds it.
        assert_eq!(search("8 916 123-45-67").await, ["Петров"], "{}", t.name);
        assert_eq!(search("PETROV@example.com").await, ["Петров"], "{}", t.name);
        // A fragment is still the fragment search, finding both.
        assert_eq!(search("91612345").await.len(), 2, "{}", t.name);

        let moved = save("Петров", "+7 903 000-00-01", "petrov@example.com");
        let mut tx = t.db.begin().await.expect("begin");
        contacts::update(&mut tx, id, &moved, None, now()).await.expect("update");
        tx.commit().await.expect("commit");
        let old = Phone::parse("+79161234567").expect("phone");
        let new = Phone::parse("89030000001").expect("phone");
        assert!(contacts::find_by_phone_or_email(&t.db, Some(&old), None).await.expect("find").is_empty());
        let found = contacts::find_by_phone_or_email(&t.db, Some(&new), None).await.expect("find");
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [id], "{}", t.name);

        let mut tx = t.db.begin().await.expect("begin");
        ownership::delete(&mut tx, RecordKind::Contact, id.0).await.expect("delete");
        tx.commit().await.expect("commit");
        let email = Email::parse("petrov@example.com").expect("email");
        assert!(
            contacts::find_by_phone_or_email(&t.db, Some(&new), Some(&email)).await.expect("find").is_empty()
        );
        t
    })
    .await;
}

#[tokio::test]
async fn open_overdue_and_done_tasks_are_listed_by_due_time() {
    on_both(|t| async move {
        let user = t.user("owner@example.com").await;
        let base = now();
        let mut ids = Vec::new();
        for (title, due) in [
            ("later", Some(base + Duration::days(2))),
            ("none", None),
            ("overdue", Some(base - Duration::hours(1))),
        ] {
            let input = TaskInput {
                title: title.into(),
                description: String::new(),
                due_at: due,
                assignee_id: user,
                priority: None,
                company_id: None,
                contact_id: None,
                deal_id: None,
            };
            let mut tx = t.db.begin().await.expect("begin");
            ids.push(
                tasks::insert(&mut tx, &input.validate().expect("task"), Some(user), base)
                    .await
                    .expect("task"),
            );
            tx.commit().await.expect("commit");
        }
        let all = tasks::list(&t.db, &TaskFilter::default(), None, 10).await.expect("list");
        let titles: Vec<_> = all.items.iter().map(|t| t.fields.title.as_str()).collect();
        assert_eq!(titles, ["overdue", "later", "none"], "{}: by due time, undated last", t.name);
        let overdue = TaskFilter { due_before: Some(base), ..Default::default() };
        assert_eq!(tasks::list(&t.db, &overdue, None, 10).await.expect("overdue").items.len(), 1);
        let mut tx = t.db.begin().await.expect("begin");
        tasks::set_done(&mut tx, ids[2], Some(base), base).await.expect("done");
        tx.commit().await.expect("commit");
        let open = TaskFilter { done: Some(false), ..Default::default() };
        assert_eq!(tasks::list(&t.db, &open, None, 10).await.expect("open").items.len(), 2, "{}", t.name);
        // Paging through the undated tail works as well as through dated rows.
        let first = tasks::list(&t.db, &TaskFilter::default(), None, 2).await.expect("page");
        let rest = tasks::list(&t.db, &TaskFilter::default(), first.next.as_ref(), 2).await.expect("page 2");
        assert_eq!(
            rest.items.iter().map(|t| t.fields.title.as_str()).collect::<Vec<_>>(),
            ["none"],
            "{}",
            t.name
        );
        t
    })
    .await;
}

#[tokio::test]
async fn activities_form_a_newest_first_timeline() {
    on_both(|t| async move {
        let user = t.user("owner@example.com").await;
        let company = {
            let fields = orbita_domain::company::CompanyInput { name: "Client".into(), ..Default::default() }
                .validate()
                .expect("company");
            let mut tx = t.db.begin().await.expect("begin");
            let id = orbita_storage::companies::insert(&mut tx, &fields, user, Some(user), now())
                .await
                .expect("c");
            tx.commit().await.expect("commit");
            id
        };
        let base = now();
        for (n, kind) in
            [ActivityKind::Call, ActivityKind::Meeting, ActivityKind::Call].into_iter().enumerate()
        {
            let input = ActivityInput {
                kind,
                direction: Some(Direction::Outgoing),
                status: None,
                occurred_at: base - Duration::minutes(i64::try_from(n).expect("small") * 10),
                duration_minutes: Some(15),
                subject: format!("talk {n}"),
                responsible_id: user,
                company_id: Some(company),
                contact_id: None,
                deal_id: None,
            };
            let mut tx = t.db.begin().await.expect("begin");
            activities::insert(&mut tx, &input.validate().expect("activity"), Some(user), base)
                .await
                .expect("insert");
            tx.commit().await.expect("commit");
        }
        let filter = ActivityFilter { company_id: Some(company), ..Default::default() };
        let page = activities::list(&t.db, &filter, None, 10).await.expect("list");
        let subjects: Vec<_> = page.items.iter().map(|a| a.fields.subject.as_str()).collect();
        assert_eq!(subjects, ["talk 0", "talk 1", "talk 2"], "{}", t.name);
        let calls = ActivityFilter { kind: Some(ActivityKind::Call), ..filter };
        assert_eq!(activities::list(&t.db, &calls, None, 10).await.expect("calls").items.len(), 2);
        t
    })
    .await;
}

#[tokio::test]
async fn audit_events_keep_their_changes_and_filter_by_entity() {
    on_both(|t| async move {
        let user = t.user("admin@example.com").await;
        let change = FieldChange { field: "name".into(), before: Some("A".into()), after: Some("Б".into()) };
        let mut tx = t.db.begin().await.expect("begin");
        for (entity, action) in [
            ("company", AuditAction::Create),
            ("company", AuditAction::Update),
            ("deal", AuditAction::StageChange),
        ] {
            let event = NewAuditEvent {
                actor_id: Some(user),
                ip: Some("127.0.0.1".into()),
                via: None,
                entity,
                entity_id: Some(7),
                action,
                changes: vec![change.clone()],
            };
            audit::insert(&mut tx, &event, now()).await.expect("audit");
        }
        tx.commit().await.expect("commit");
        let filter = AuditFilter { entity: Some("company".into()), ..Default::default() };
        let page = audit::list(&t.db, &filter, None, 10).await.expect("list");
        assert_eq!(page.items.len(), 2, "{}", t.name);
        assert_eq!(page.items[0].action, AuditAction::Update, "{}: newest first", t.name);
        assert_eq!(page.items[0].changes, vec![change], "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn settings_and_users_round_trip() {
    on_both(|t| async move {
        assert_eq!(org::get(&t.db).await.expect("settings"), None);
        let mut tx = t.db.begin().await.expect("begin");
        org::ensure(&mut tx, &OrgSettings::default(), now()).await.expect("ensure");
        org::ensure(&mut tx, &OrgSettings { name: "Other".into(), ..Default::default() }, now())
            .await
            .expect("again");
        tx.commit().await.expect("commit");
        assert_eq!(org::get(&t.db).await.expect("settings"), Some(OrgSettings::default()), "{}", t.name);

        let id = t.user("Boss@Example.com").await;
        assert_eq!(users::count(&t.db).await.expect("count"), 1);
        let email = Email::parse("boss@example.com").expect("email");
        let (user, hash) = users::find_credentials(&t.db, &email).await.expect("find").expect("found");
        assert_eq!((user.id, hash), (id, None), "{}", t.name);
        assert_eq!(users::roles(&t.db).await.expect("roles").len(), 4);
        let mut tx = t.db.begin().await.expect("begin");
        let group = users::insert_group(&mut tx, "Отдел продаж", now()).await.expect("group");
        users::add_to_group(&mut tx, group, id, now()).await.expect("member");
        users::add_to_group(&mut tx, group, id, now()).await.expect("member twice is fine");
        tx.commit().await.expect("commit");
        assert_eq!(users::group_members(&t.db, group).await.expect("members"), vec![id], "{}", t.name);
        t
    })
    .await;
}
