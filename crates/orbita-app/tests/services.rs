//! Use cases on both databases: each write and its audit event land together.

use orbita_app::{Access, AppError, RequestContext, companies, setup, users};
use orbita_domain::audit::AuditAction;
use orbita_domain::company::CompanyInput;
use orbita_storage::audit::{self, AuditFilter};
use orbita_testkit::on_both;

fn sber() -> CompanyInput {
    CompanyInput {
        name: "ПАО Сбербанк".into(),
        inn: "7707083893".into(),
        kpp: "773601001".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn creating_and_editing_a_company_is_audited_field_by_field() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let manager = t.user("manager@example.com").await;
        let ctx = Access::load(&t.db, manager, Some("10.0.0.7".into())).await.expect("access");
        let company = companies::create(&t.db, &ctx, &sber(), None).await.expect("create");
        assert_eq!(company.owner_id, manager, "{}: the creator owns it", t.name);

        let edit = CompanyInput {
            name: "ПАО «Сбербанк России»".into(), region: "Москва".into(), ..sber()
        };
        let edited =
            companies::update(&t.db, &ctx, company.id, &edit, Some(company.version)).await.expect("update");
        assert_eq!(edited.version, 2);
        let stale = companies::update(&t.db, &ctx, company.id, &edit, Some(company.version)).await;
        assert!(matches!(stale, Err(AppError::Stale)), "{}: {stale:?}", t.name);

        let filter = AuditFilter {
            entity: Some("company".into()),
            entity_id: Some(company.id.0),
            ..Default::default()
        };
        let events = audit::list(&t.db, &filter, None, 10).await.expect("audit").items;
        assert_eq!(events.len(), 2, "{}: one event per change", t.name);
        let (update, create) = (&events[0], &events[1]);
        assert_eq!((create.action, update.action), (AuditAction::Create, AuditAction::Update));
        assert_eq!((update.actor_id, update.ip.as_deref()), (Some(manager), Some("10.0.0.7")));
        let changed: Vec<_> = update.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(changed, ["name", "region"], "{}: only the edited fields", t.name);
        assert_eq!(update.changes[0].before.as_deref(), Some("ПАО Сбербанк"));
        assert!(create.changes.iter().any(|c| c.field == "inn" && c.after.as_deref() == Some("7707083893")));
        t
    })
    .await;
}

#[tokio::test]
async fn a_duplicate_inn_and_kpp_is_a_field_error_and_writes_nothing() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let manager = t.user("manager@example.com").await;
        let ctx = Access::load(&t.db, manager, None).await.expect("access");
        companies::create(&t.db, &ctx, &sber(), None).await.expect("first");
        let duplicate =
            companies::create(&t.db, &ctx, &CompanyInput { name: "Копия".into(), ..sber() }, None).await;
        match duplicate {
            Err(AppError::Invalid(errors)) => {
                assert_eq!(errors.field("inn").map(|e| e.code), Some("inn-kpp-taken"), "{}", t.name)
            }
            other => panic!("{}: expected a field error, got {other:?}", t.name),
        }
        let invalid = CompanyInput { inn: "7707083894".into(), ..sber() };
        match companies::create(&t.db, &ctx, &invalid, None).await {
            Err(AppError::Invalid(errors)) => {
                assert_eq!(errors.field("inn").map(|e| e.code), Some("inn-check-digits"))
            }
            other => panic!("{}: expected a field error, got {other:?}", t.name),
        }
        let events = audit::list(&t.db, &AuditFilter::default(), None, 10).await.expect("audit").items;
        assert_eq!(events.len(), 1, "{}: refused writes leave no audit event", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn users_get_argon2id_hashes_and_unique_emails() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let ctx = RequestContext::system();
        let id = users::create_user(
            &t.db,
            &ctx,
            "Boss@Example.com",
            "Борис",
            "administrator",
            "a long passphrase",
        )
        .await
        .expect("create");
        let email = orbita_domain::validation::Email::parse("boss@example.com").expect("email");
        let (user, hash) =
            orbita_storage::users::find_credentials(&t.db, &email).await.expect("find").expect("found");
        assert_eq!(user.id, id);
        let hash = hash.expect("hash stored");
        assert!(orbita_app::passwords::is_argon2id(&hash) && !hash.contains("a long passphrase"));
        assert!(orbita_app::passwords::verify(&hash, "a long passphrase"));
        let again =
            users::create_user(&t.db, &ctx, "boss@example.com", "Другой", "manager", "another passphrase")
                .await;
        assert!(
            matches!(&again, Err(AppError::Invalid(e)) if e.field("email").is_some()),
            "{}: {again:?}",
            t.name
        );
        let bad = users::create_user(&t.db, &ctx, "x@example.com", "X", "emperor", "short").await;
        match bad {
            Err(AppError::Invalid(errors)) => {
                assert!(errors.field("role").is_some() && errors.field("password").is_some(), "{errors:?}")
            }
            other => panic!("{other:?}"),
        }
        let audit =
            audit::list(&t.db, &AuditFilter { entity: Some("user".into()), ..Default::default() }, None, 5)
                .await
                .expect("audit")
                .items;
        assert_eq!(audit.len(), 1);
        assert!(audit[0].changes.iter().all(|c| c.field != "password"), "passwords are never logged");
        t
    })
    .await;
}

#[tokio::test]
async fn bootstrap_is_idempotent() {
    on_both(|t| async move {
        for _ in 0..3 {
            setup::bootstrap(&t.db).await.expect("bootstrap");
        }
        assert_eq!(orbita_storage::pipelines::list(&t.db).await.expect("pipelines").len(), 1, "{}", t.name);
        assert_eq!(orbita_storage::users::roles(&t.db).await.expect("roles").len(), 4);
        assert_eq!(setup::settings(&t.db).await.expect("settings").currency.as_str(), "RUB");
        t
    })
    .await;
}
