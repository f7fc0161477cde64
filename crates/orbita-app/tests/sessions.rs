//! Signing in and out, rate limiting, session expiry by deactivation, sessions surviving a
//! restart, the first administrator's one-time link: on both databases.

use orbita_app::admin::{self, UserEdit};
use orbita_app::auth::{self, Limit, SignInError};
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

/// Finding 6: five wrong passwords from one place used to lock the account everywhere for
/// fifteen minutes. Now that place alone is held back from the account; the real user at another
/// address signs in at once.
#[tokio::test]
async fn a_flood_from_one_address_never_locks_the_real_user_out() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        users::create_user(&t.db, &RequestContext::system(), "boris@x.ru", "Борис", "manager", PASSWORD)
            .await
            .expect("user");
        let mut at = orbita_domain::now();
        // A patient script waits out the account's growing delay between guesses.
        for i in 0..auth::MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS {
            let result =
                auth::sign_in_at(&t.db, "boris@x.ru", "guessing wrong", Some("10.0.0.2"), None, at).await;
            assert!(
                matches!(result, Err(SignInError::InvalidCredentials)),
                "{}: attempt {i}: {result:?}",
                t.name
            );
            at += auth::MAX_ACCOUNT_DELAY;
        }
        // The sixth from the same place is held back, right password included, until the
        // first of the five leaves the fifteen-minute window.
        match auth::sign_in_at(&t.db, "boris@x.ru", PASSWORD, Some("10.0.0.2"), None, at).await {
            Err(SignInError::RateLimited(held)) => {
                assert_eq!(held.limit, Limit::AccountAndAddress, "{}", t.name);
                assert_eq!(held.retry_after_seconds(), 10 * 60, "{}: 15 min after the first guess", t.name);
            }
            other => panic!("{}: {other:?}", t.name),
        }
        // The administrators see where guessing was stopped.
        let events =
            audit::list(&t.db, &AuditFilter { entity: Some("user".into()), ..Default::default() }, None, 100)
                .await
                .expect("audit")
                .items;
        let marks: Vec<&str> = events
            .iter()
            .flat_map(|e| &e.changes)
            .filter(|c| c.field == "throttled")
            .filter_map(|c| c.after.as_deref())
            .collect();
        assert!(marks.contains(&"account-and-address"), "{}: {marks:?}", t.name);

        // Boris at his own desk gets in straight away, and his own wrong guesses start again.
        auth::sign_in_at(&t.db, "boris@x.ru", PASSWORD, Some("10.0.0.3"), None, at)
            .await
            .expect("the real user elsewhere is not locked out");
        // Other accounts are not affected.
        users::create_user(&t.db, &RequestContext::system(), "vera@x.ru", "Вера", "manager", PASSWORD)
            .await
            .expect("user");
        auth::sign_in_at(&t.db, "vera@x.ru", PASSWORD, Some("10.0.0.2"), None, at)
            .await
            .expect("another account");
        t
    })
    .await;
}

/// Finding 6: guessing one account from many places is slowed by a wait that doubles with each
/// failure, to a minute at most, and then the right password gets in.
#[tokio::test]
async fn guessing_from_many_addresses_waits_longer_each_time_up_to_a_minute() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        users::create_user(&t.db, &RequestContext::system(), "gala@x.ru", "Галя", "manager", PASSWORD)
            .await
            .expect("user");
        let mut at = orbita_domain::now();
        let mut waits = Vec::new();
        for n in 0..12 {
            let ip = format!("10.1.0.{n}");
            loop {
                match auth::sign_in_at(&t.db, "gala@x.ru", "guessing wrong", Some(&ip), None, at).await {
                    Err(SignInError::InvalidCredentials) => break,
                    Err(SignInError::RateLimited(held)) => {
                        assert_eq!(held.limit, Limit::Account, "{}", t.name);
                        waits.push(held.retry_after_seconds());
                        at += held.retry_after;
                    }
                    other => panic!("{}: {other:?}", t.name),
                }
            }
        }
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60], "{}", t.name);
        // Right after a failure even the right password waits its turn, a minute at most…
        match auth::sign_in_at(&t.db, "gala@x.ru", PASSWORD, Some("10.9.9.9"), None, at).await {
            Err(SignInError::RateLimited(held)) => assert_eq!(held.retry_after_seconds(), 60, "{}", t.name),
            other => panic!("{}: {other:?}", t.name),
        }
        // …and then gets in.
        at += auth::MAX_ACCOUNT_DELAY;
        auth::sign_in_at(&t.db, "gala@x.ru", PASSWORD, Some("10.9.9.9"), None, at)
            .await
            .expect("after the wait");
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

/// What the sessions table keeps for a cookie's token: its SHA-256, never the token.
fn stored_id(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Sets a stored session's last request time, as if it had been idle since then.
async fn last_seen(db: &Db, token: &str, at: orbita_domain::Timestamp) {
    let mut tx = db.begin().await.expect("begin");
    orbita_storage::access::touch_session(&mut tx, &stored_id(token), at).await.expect("touch");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn a_session_ends_after_twelve_hours_without_a_request() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        users::create_user(&t.db, &RequestContext::system(), "ida@x.ru", "Ида", "manager", PASSWORD)
            .await
            .expect("user");
        let tokens = auth::sign_in(&t.db, "ida@x.ru", PASSWORD, None, None).await.expect("sign in");

        // Idle for a little less than the limit: still valid, and the request counts as activity.
        let almost = orbita_domain::now() - auth::IDLE_TIMEOUT + chrono::Duration::minutes(10);
        last_seen(&t.db, &tokens.token, almost).await;
        let session = auth::authenticate(&t.db, &tokens.token, None).await.expect("auth");
        assert!(session.is_some(), "{}: 11h50m idle is within the limit", t.name);
        let record = orbita_storage::access::find_session(&t.db, &stored_id(&tokens.token))
            .await
            .expect("find")
            .expect("kept");
        assert!(
            orbita_domain::now() - record.last_seen_at < chrono::Duration::minutes(1),
            "{}: the request moved last_seen_at to now, not {}",
            t.name,
            record.last_seen_at
        );

        // Idle for longer than the limit: refused, and the stored session is gone.
        let past = orbita_domain::now() - auth::IDLE_TIMEOUT - chrono::Duration::minutes(1);
        last_seen(&t.db, &tokens.token, past).await;
        assert!(
            auth::authenticate(&t.db, &tokens.token, None).await.expect("auth").is_none(),
            "{}: 12h01m idle ends the session",
            t.name
        );
        let gone =
            orbita_storage::access::find_session(&t.db, &stored_id(&tokens.token)).await.expect("find");
        assert!(gone.is_none(), "{}: the expired session is deleted", t.name);
        // Coming back later does not revive it.
        last_seen(&t.db, &tokens.token, orbita_domain::now()).await;
        assert!(auth::authenticate(&t.db, &tokens.token, None).await.expect("auth").is_none());
        t
    })
    .await;
}

#[tokio::test]
async fn a_session_ends_fourteen_days_after_sign_in_however_active() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let user =
            users::create_user(&t.db, &RequestContext::system(), "kira@x.ru", "Кира", "manager", PASSWORD)
                .await
                .expect("user");
        // Signing in sets the absolute expiry fourteen days ahead.
        let tokens = auth::sign_in(&t.db, "kira@x.ru", PASSWORD, None, None).await.expect("sign in");
        let record = orbita_storage::access::find_session(&t.db, &stored_id(&tokens.token))
            .await
            .expect("find")
            .expect("stored");
        let ahead = record.expires_at - orbita_domain::now();
        assert!(
            ahead <= auth::ABSOLUTE_TIMEOUT && ahead > auth::ABSOLUTE_TIMEOUT - chrono::Duration::minutes(1),
            "{}: expires {ahead} from now",
            t.name
        );

        // Sessions signed in long ago, each used a minute ago (so never idle).
        let session_from = |token: &'static str, signed_in_ago: chrono::Duration| {
            let db = t.db.clone();
            async move {
                let signed_in = orbita_domain::now() - signed_in_ago;
                let id = stored_id(token);
                let mut tx = db.begin().await.expect("begin");
                let session = orbita_storage::access::NewSession {
                    id_hash: &id,
                    user_id: user,
                    csrf_token: "csrf",
                    ip: None,
                    user_agent: None,
                    expires_at: signed_in + auth::ABSOLUTE_TIMEOUT,
                };
                orbita_storage::access::insert_session(&mut tx, &session, signed_in).await.expect("session");
                tx.commit().await.expect("commit");
                last_seen(&db, token, orbita_domain::now() - chrono::Duration::minutes(1)).await;
            }
        };
        session_from("thirteen-days", chrono::Duration::days(13)).await;
        session_from("fourteen-days", auth::ABSOLUTE_TIMEOUT + chrono::Duration::minutes(1)).await;
        let young = auth::authenticate(&t.db, "thirteen-days", None).await.expect("auth");
        assert_eq!(young.map(|s| s.access.user_id()), Some(user), "{}: 13 days old and active", t.name);
        let old = auth::authenticate(&t.db, "fourteen-days", None).await.expect("auth");
        assert!(old.is_none(), "{}: past fourteen days, activity does not matter", t.name);
        assert!(
            orbita_storage::access::find_session(&t.db, &stored_id("fourteen-days"))
                .await
                .expect("find")
                .is_none(),
            "{}: and it is deleted",
            t.name
        );

        // The maintenance purge drops sessions past their expiry that nobody came back with.
        session_from("forgotten", auth::ABSOLUTE_TIMEOUT + chrono::Duration::days(3)).await;
        assert_eq!(auth::purge_expired_sessions(&t.db).await.expect("purge"), 1, "{}", t.name);
        assert!(auth::authenticate(&t.db, "thirteen-days", None).await.expect("auth").is_some());
        assert!(auth::authenticate(&t.db, &tokens.token, None).await.expect("auth").is_some());
        t
    })
    .await;
}

#[tokio::test]
async fn thirty_failures_from_one_address_hold_back_every_account_from_it() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        users::create_user(&t.db, &RequestContext::system(), "lev@x.ru", "Лев", "manager", PASSWORD)
            .await
            .expect("user");
        let address = Some("10.7.7.7");
        // A different e-mail each time: no account reaches its own limit of five.
        for i in 1..auth::MAX_FAILURES_PER_ADDRESS {
            let email = format!("guess{i}@x.ru");
            let result = auth::sign_in(&t.db, &email, "guessing wrong", address, None).await;
            assert!(matches!(result, Err(SignInError::InvalidCredentials)), "{}: attempt {i}", t.name);
        }
        // 29 failures: the right password still gets in, and does not wipe the address's count.
        auth::sign_in(&t.db, "lev@x.ru", PASSWORD, address, None)
            .await
            .expect("29 failures are not the limit");
        let last = auth::sign_in(&t.db, "guess30@x.ru", "guessing wrong", address, None).await;
        assert!(matches!(last, Err(SignInError::InvalidCredentials)), "{}", t.name);

        // The 30th failure: nobody signs in from that address, not even with the right password…
        let held = auth::sign_in(&t.db, "lev@x.ru", PASSWORD, address, None).await;
        assert!(matches!(held, Err(SignInError::RateLimited(_))), "{}: {held:?}", t.name);
        let other = auth::sign_in(&t.db, "new-guess@x.ru", "guessing wrong", address, None).await;
        assert!(matches!(other, Err(SignInError::RateLimited(_))), "{}: {other:?}", t.name);
        // …while the same account signs in from another address.
        auth::sign_in(&t.db, "lev@x.ru", PASSWORD, Some("10.7.7.8"), None).await.expect("another address");

        // Only the last fifteen minutes count.
        let key = "address:10.7.7.9";
        let record = |minutes_ago: i64| {
            let db = t.db.clone();
            async move {
                let mut tx = db.begin().await.expect("begin");
                let at = orbita_domain::now() - chrono::Duration::minutes(minutes_ago);
                for _ in 0..auth::MAX_FAILURES_PER_ADDRESS {
                    orbita_storage::access::record_sign_in_failure(&mut tx, key, at).await.expect("failure");
                }
                tx.commit().await.expect("commit");
            }
        };
        record(16).await;
        auth::sign_in(&t.db, "lev@x.ru", PASSWORD, Some("10.7.7.9"), None)
            .await
            .expect("old failures expired");
        record(14).await;
        let held = auth::sign_in(&t.db, "lev@x.ru", PASSWORD, Some("10.7.7.9"), None).await;
        assert!(matches!(held, Err(SignInError::RateLimited(_))), "{}: {held:?}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn an_administrators_password_reset_ends_every_session_of_the_user() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let ctx = RequestContext::system();
        let admin_id = users::create_user(&t.db, &ctx, "admin@x.ru", "Admin", "administrator", PASSWORD)
            .await
            .expect("admin");
        let user_id =
            users::create_user(&t.db, &ctx, "mila@x.ru", "Мила", "manager", PASSWORD).await.expect("user");
        users::create_user(&t.db, &ctx, "nina@x.ru", "Нина", "manager", PASSWORD).await.expect("user");
        let laptop = auth::sign_in(&t.db, "mila@x.ru", PASSWORD, None, None).await.expect("sign in");
        let phone = auth::sign_in(&t.db, "mila@x.ru", PASSWORD, None, None).await.expect("sign in");
        let admins = auth::sign_in(&t.db, "admin@x.ru", PASSWORD, None, None).await.expect("sign in");
        let colleague = auth::sign_in(&t.db, "nina@x.ru", PASSWORD, None, None).await.expect("sign in");

        // A manager may not reset anyone's password; nothing changes.
        let nina = auth::authenticate(&t.db, &colleague.token, None).await.expect("auth").expect("session");
        let refused = auth::reset_password(&t.db, &nina.access, user_id, "a password by nina").await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{}: {refused:?}", t.name);
        assert!(auth::authenticate(&t.db, &laptop.token, None).await.expect("auth").is_some());

        let admin = Access::load(&t.db, admin_id, None).await.expect("access");
        auth::reset_password(&t.db, &admin, user_id, "a fresh long password").await.expect("reset");
        for token in [&laptop.token, &phone.token] {
            assert!(
                auth::authenticate(&t.db, token, None).await.expect("auth").is_none(),
                "{}: every session of the user ended",
                t.name
            );
        }
        for token in [&admins.token, &colleague.token] {
            assert!(
                auth::authenticate(&t.db, token, None).await.expect("auth").is_some(),
                "{}: other users' sessions stay",
                t.name
            );
        }
        let old = auth::sign_in(&t.db, "mila@x.ru", PASSWORD, None, None).await;
        assert!(matches!(old, Err(SignInError::InvalidCredentials)), "{}: the old password is gone", t.name);
        auth::sign_in(&t.db, "mila@x.ru", "a fresh long password", None, None).await.expect("new password");
        t
    })
    .await;
}

#[tokio::test]
async fn a_deactivated_users_api_token_is_refused() {
    use orbita_app::api_tokens::{self, Authenticated, TokenInput};
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let ctx = RequestContext::system();
        let admin_id = users::create_user(&t.db, &ctx, "admin@x.ru", "Admin", "administrator", PASSWORD)
            .await
            .expect("admin");
        let user_id =
            users::create_user(&t.db, &ctx, "oleg@x.ru", "Олег", "manager", PASSWORD).await.expect("user");
        let token = api_tokens::create_for_email(&t.db, &ctx, "oleg@x.ru", &TokenInput::named("script"))
            .await
            .expect("token");
        let before = api_tokens::authenticate(&t.db, &token.secret, None, 100).await.expect("auth");
        assert!(
            matches!(&before, Authenticated::Valid { access, .. } if access.user_id() == user_id),
            "{}: {before:?}",
            t.name
        );

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
        // `Unknown` is what the API answers with 401 (orbita_api::auth::require_token).
        let after = api_tokens::authenticate(&t.db, &token.secret, None, 100).await.expect("auth");
        assert!(matches!(after, Authenticated::Unknown), "{}: {after:?}", t.name);
        // Nor can a new token be made for them.
        let refused =
            api_tokens::create_for_email(&t.db, &ctx, "oleg@x.ru", &TokenInput::named("another")).await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{}: {refused:?}", t.name);
        t
    })
    .await;
}

/// Every value of every column of every table, as text.
async fn every_stored_value(db: &Db) -> Vec<(String, String, String)> {
    use sea_query::{Expr, ExprTrait, Query};
    let mut values = Vec::new();
    for (table, column) in db.table_columns().await.expect("columns") {
        let stmt =
            Query::select().expr(Expr::col(column.clone()).cast_as("TEXT")).from(table.clone()).to_owned();
        let rows: Vec<(Option<String>,)> = db.fetch_all(&stmt).await.expect("values");
        values.extend(rows.into_iter().filter_map(|(v,)| v).map(|v| (table.clone(), column.clone(), v)));
    }
    values
}

#[tokio::test]
async fn passwords_and_tokens_are_never_stored_or_logged_in_clear() {
    // Distinctive enough that no other value contains them by chance.
    const FIRST: &str = "Quartz-Pelican-1903-first";
    const WRONG: &str = "Quartz-Walrus-7741-wrong";
    const CHANGED: &str = "Quartz-Heron-5520-changed";
    const RESET: &str = "Quartz-Marten-8086-reset";
    const ADMIN: &str = "Quartz-Osprey-3141-admin";
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        // The first administrator through the one-time link, as on a fresh installation.
        let link = auth::first_run_token(&t.db).await.expect("link").expect("no users yet");
        let admin_id =
            auth::create_first_admin(&t.db, &link, "boss@x.ru", "Boss", ADMIN, Some("10.0.0.9".into()))
                .await
                .expect("admin");
        let admin = Access::load(&t.db, admin_id, Some("10.0.0.9".into())).await.expect("access");
        // A user made on the users page, signing in, mistyping, changing the password; then an
        // administrator resets it and the user signs in with the new one.
        let role = orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role").id;
        admin::create_user(&t.db, &admin, "pavel@x.ru", "Павел", role, FIRST, &[]).await.expect("user");
        let ip = Some("10.0.0.5");
        let first = auth::sign_in(&t.db, "pavel@x.ru", FIRST, ip, Some("Firefox")).await.expect("sign in");
        let wrong = auth::sign_in(&t.db, "pavel@x.ru", WRONG, ip, Some("Firefox")).await;
        assert!(matches!(wrong, Err(SignInError::InvalidCredentials)));
        let unknown = auth::sign_in(&t.db, "pavel2@x.ru", FIRST, ip, None).await;
        assert!(matches!(unknown, Err(SignInError::InvalidCredentials)));
        let session = auth::authenticate(&t.db, &first.token, None).await.expect("auth").expect("session");
        auth::change_password(&t.db, &session, FIRST, CHANGED).await.expect("change");
        let user_id = session.access.user_id();
        auth::reset_password(&t.db, &admin, user_id, RESET).await.expect("reset");
        let last = auth::sign_in(&t.db, "pavel@x.ru", RESET, ip, None).await.expect("sign in");
        let api = orbita_app::api_tokens::create(
            &t.db,
            &session.access,
            &orbita_app::api_tokens::TokenInput::named("script"),
        )
        .await
        .expect("token");

        let values = every_stored_value(&t.db).await;
        // The scan reads what is there: the e-mail is in the users table and the audit log.
        for table in ["users", "audit_events"] {
            assert!(
                values.iter().any(|(tb, _, v)| tb == table && v.contains("pavel@x.ru")),
                "{}: the scan sees the e-mail in {table}",
                t.name
            );
        }
        for secret in [FIRST, WRONG, CHANGED, RESET, ADMIN, &first.token, &last.token, &api.secret, &link] {
            let found: Vec<_> = values
                .iter()
                .filter(|(_, _, v)| v.contains(secret))
                .map(|(tb, c, _)| format!("{tb}.{c}"))
                .collect();
            assert!(found.is_empty(), "{}: a secret is stored in clear in {found:?}", t.name);
        }
        // What is stored instead: an argon2id hash that checks the current password only.
        let (_, hash) = orbita_storage::users::find_credentials(&t.db, &session.access.user.email)
            .await
            .expect("credentials")
            .expect("user");
        let hash = hash.expect("a password hash");
        assert!(orbita_app::passwords::is_argon2id(&hash), "{}: {hash}", t.name);
        assert!(orbita_app::passwords::verify(&hash, RESET) && !orbita_app::passwords::verify(&hash, FIRST));
        // The audit log says a password changed, not what to.
        let events =
            audit::list(&t.db, &AuditFilter { entity: Some("user".into()), ..Default::default() }, None, 100)
                .await
                .expect("audit")
                .items;
        let changes = events.iter().flat_map(|e| &e.changes).filter(|c| c.field == "password").count();
        assert_eq!(changes, 2, "{}: the change and the reset are logged", t.name);
        t
    })
    .await;
}
