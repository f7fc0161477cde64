//! Signing in and out, rate limiting, session expiry by deactivation, sessions surviving a
//! restart, the first administrator's one-time link: on both databases.

use orbita_app::admin::{self, UserEdit};
use orbita_app::auth::{self, SignInError};
use orbita_app::{Access, AppError, RequestContext, setup, users};
use orbita_domain::audit::AuditAction;
use orbita_storage::audit::{self, AuditFilter};
use orbita_storage::{ConnectOptions, Db};
use orbita_testkit::on_both;

const PASSWORD: &str = "correct horse battery";

async fn actions(db: &Db) -> Vec<AuditAction> {
    let events =
        audit::list(db, &AuditFilter { entity: Some("user".into()), ..Default::default() }, None, 100)
            .await
            .expect("audit")
            .items;
    events.into_iter().rev().map(|e| e.action).collect()
}

#[tokio::test]
async fn sign_in_and_out_are_audited_and_wrong_passwords_say_nothing_more() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        users::create_user(&t.db, &RequestContext::system(), "anna@x.ru", "Анна", "manager", PASSWORD)
            .await
            .expect("user");
        let wrong = auth::sign_in(&t.db, "anna@x.ru", "wrong password!", Some("10.0.0.1"), None).await;
        let unknown = auth::sign_in(&t.db, "nobody@x.ru", PASSWORD, Some("10.0.0.1"), None).await;
        // The same answer whether or not the e-mail exists.
        assert!(matches!(wrong, Err(SignInError::InvalidCredentials)), "{}", t.name);
        assert!(matches!(unknown, Err(SignInError::InvalidCredentials)), "{}", t.name);

        let tokens = auth::sign_in(&t.db, "Anna@X.ru", PASSWORD, Some("10.0.0.1"), Some("test"))
            .await
            .expect("sign in");
        let session =
            auth::authenticate(&t.db, &tokens.token, None).await.expect("auth").expect("valid session");
        assert_eq!(session.access.user_id(), tokens.user_id);
        assert_eq!(session.csrf_token, tokens.csrf_token);
        assert!(auth::authenticate(&t.db, "forged-token", None).await.expect("auth").is_none());
        auth::sign_out(&t.db, &session).await.expect("sign out");
        assert!(auth::authenticate(&t.db, &tokens.token, None).await.expect("auth").is_none(), "{}", t.name);
        let seen = actions(&t.db).await;
        assert_eq!(
            seen,
            [
                AuditAction::Create,
                AuditAction::SignInFailed,
                AuditAction::SignInFailed,
                AuditAction::SignIn,
                AuditAction::SignOut
            ],
            "{}",
            t.name
        );
        t
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        users::create_user(&t.db, &RequestContext::system(), "boris@x.ru", "Борис", "manager", PASSWORD)
            .await
            .expect("user");
        for _ in 0..auth::MAX_FAILURES_PER_ACCOUNT {
            let result = auth::sign_in(&t.db, "boris@x.ru", "guessing wrong", Some("10.0.0.2"), None).await;
            assert!(matches!(result, Err(SignInError::InvalidCredentials)));
        }
        let locked = auth::sign_in(&t.db, "boris@x.ru", PASSWORD, Some("10.0.0.3"), None).await;
        assert!(matches!(locked, Err(SignInError::RateLimited)), "{}: even the right password waits", t.name);
        // Other accounts are not affected.
        users::create_user(&t.db, &RequestContext::system(), "vera@x.ru", "Вера", "manager", PASSWORD)
            .await
            .expect("user");
        auth::sign_in(&t.db, "vera@x.ru", PASSWORD, Some("10.0.0.2"), None).await.expect("another account");
        t
    })
    .await;
}

#[tokio::test]
async fn deactivating_a_user_ends_their_sessions_at_once() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let ctx = RequestContext::system();
        let admin_id = users::create_user(&t.db, &ctx, "admin@x.ru", "Admin", "administrator", PASSWORD)
            .await
            .expect("admin");
        let user_id =
            users::create_user(&t.db, &ctx, "gleb@x.ru", "Глеб", "manager", PASSWORD).await.expect("user");
        let laptop = auth::sign_in(&t.db, "gleb@x.ru", PASSWORD, None, None).await.expect("sign in");
        let phone = auth::sign_in(&t.db, "gleb@x.ru", PASSWORD, None, None).await.expect("sign in");
        let admin = Access::load(&t.db, admin_id, None).await.expect("access");
        let (user, groups) = admin::user(&t.db, &admin, user_id).await.expect("user");
        let edit = UserEdit {
            email: user.email.as_str(),
            name: &user.name,
            role_id: user.role_id,
            is_active: false,
            locale: None,
            groups: &groups,
        };
        admin::update_user(&t.db, &admin, user_id, &edit).await.expect("deactivate");
        for token in [&laptop.token, &phone.token] {
            assert!(auth::authenticate(&t.db, token, None).await.expect("auth").is_none(), "{}", t.name);
        }
        let again = auth::sign_in(&t.db, "gleb@x.ru", PASSWORD, None, None).await;
        assert!(
            matches!(again, Err(SignInError::InvalidCredentials)),
            "{}: a deactivated user cannot sign in",
            t.name
        );
        assert!(matches!(Access::load(&t.db, user_id, None).await, Err(AppError::Forbidden)));
        t
    })
    .await;
}

#[tokio::test]
async fn a_password_change_keeps_this_session_and_ends_the_others() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        users::create_user(&t.db, &RequestContext::system(), "dina@x.ru", "Дина", "manager", PASSWORD)
            .await
            .expect("user");
        let here = auth::sign_in(&t.db, "dina@x.ru", PASSWORD, None, None).await.expect("sign in");
        let elsewhere = auth::sign_in(&t.db, "dina@x.ru", PASSWORD, None, None).await.expect("sign in");
        let session = auth::authenticate(&t.db, &here.token, None).await.expect("auth").expect("session");
        let wrong = auth::change_password(&t.db, &session, "not it", "a new long password").await;
        assert!(
            matches!(&wrong, Err(AppError::Invalid(e)) if e.field("current_password").is_some()),
            "{wrong:?}"
        );
        let common = auth::change_password(&t.db, &session, PASSWORD, "qwerty123").await;
        assert!(
            matches!(&common, Err(AppError::Invalid(e)) if e.0[0].code == "password-common"),
            "{common:?}"
        );
        auth::change_password(&t.db, &session, PASSWORD, "a new long password").await.expect("change");
        assert!(auth::authenticate(&t.db, &here.token, None).await.expect("auth").is_some(), "{}", t.name);
        assert!(
            auth::authenticate(&t.db, &elsewhere.token, None).await.expect("auth").is_none(),
            "{}",
            t.name
        );
        auth::sign_in(&t.db, "dina@x.ru", "a new long password", None, None)
            .await
            .expect("new password works");
        t
    })
    .await;
}

#[tokio::test]
async fn sessions_survive_a_restart_of_the_server() {
    let dir = tempfile::tempdir().expect("dir");
    let url = orbita_storage::DatabaseUrl::Sqlite(dir.path().join("orbita.db"));
    let first = Db::connect(&url, &ConnectOptions::default()).await.expect("connect");
    first.migrate().await.expect("migrate");
    setup::bootstrap(&first).await.expect("bootstrap");
    users::create_user(&first, &RequestContext::system(), "eva@x.ru", "Ева", "manager", PASSWORD)
        .await
        .expect("user");
    let tokens = auth::sign_in(&first, "eva@x.ru", PASSWORD, None, None).await.expect("sign in");
    first.close().await;
    let second = Db::connect(&url, &ConnectOptions::default()).await.expect("reconnect");
    let session = auth::authenticate(&second, &tokens.token, None).await.expect("auth");
    assert_eq!(session.map(|s| s.access.user_id()), Some(tokens.user_id));
    second.close().await;
}

#[tokio::test]
async fn the_first_administrator_is_created_through_a_one_time_link() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let token = auth::first_run_token(&t.db).await.expect("token").expect("no users yet");
        assert!(auth::first_run_token_valid(&t.db, &token).await.expect("valid"));
        let typo = auth::create_first_admin(&t.db, &token, "boss@", "Boss", PASSWORD, None).await;
        assert!(matches!(typo, Err(AppError::Invalid(_))), "{typo:?}");
        assert!(
            auth::first_run_token_valid(&t.db, &token).await.expect("valid"),
            "a typo does not burn the link"
        );
        auth::create_first_admin(&t.db, &token, "boss@x.ru", "Boss", PASSWORD, None).await.expect("admin");
        let reused = auth::create_first_admin(&t.db, &token, "evil@x.ru", "Evil", PASSWORD, None).await;
        assert!(matches!(reused, Err(AppError::NotFound)), "{}: the link works once", t.name);
        assert!(auth::first_run_token(&t.db).await.expect("token").is_none(), "no link once a user exists");
        let tokens = auth::sign_in(&t.db, "boss@x.ru", PASSWORD, None, None).await.expect("sign in");
        let session = auth::authenticate(&t.db, &tokens.token, None).await.expect("auth").expect("session");
        assert!(
            session
                .access
                .can(orbita_domain::access::Area::UsersAndSettings, orbita_domain::access::Action::Edit)
        );
        t
    })
    .await;
}
