//! Sign-in, sign-out, CSRF and security headers through the real router.

mod support;

use axum::http::StatusCode;
use orbita_testkit::TestDb;
use support::{Browser, PASSWORD, with_user};

#[tokio::test]
async fn pages_need_a_session_and_sign_in_leads_back_to_them() {
    let t = TestDb::sqlite().await;
    with_user(&t.db, "anna@x.ru", "manager").await;
    let mut browser = Browser::new(&t.db);
    let anonymous = browser.get("/account/password").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.location(), "/login?next=/account/password");

    let wrong = browser.sign_in("anna@x.ru", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("value=\"anna@x.ru\""), "the typed e-mail is kept");
    assert!(!browser.signed_in());

    browser.get("/login").await;
    let ok = browser
        .post_raw("/login", &[("email", "anna@x.ru"), ("password", PASSWORD), ("next", "/account/password")])
        .await;
    assert_eq!((ok.status, ok.location()), (StatusCode::SEE_OTHER, "/account/password"));
    let cookie = ok.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let page = browser.get("/account/password").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("anna@x.ru"), "the user menu names the user");

    let out = browser.post("/logout", &[]).await;
    assert_eq!((out.status, out.location()), (StatusCode::SEE_OTHER, "/login"));
    assert_eq!(browser.get("/account/password").await.status, StatusCode::SEE_OTHER, "signed out");
}

#[tokio::test]
async fn sign_in_never_redirects_to_another_site() {
    let t = TestDb::sqlite().await;
    with_user(&t.db, "anna@x.ru", "manager").await;
    let overlong = format!("/{}", "a".repeat(5000));
    let bad = [
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/\r\nSet-Cookie: x=1",
        "/\n/evil.example",
        "https://evil.example/",
        "evil.example",
        overlong.as_str(),
    ];
    for next in bad {
        let mut browser = Browser::new(&t.db);
        browser.get("/login").await;
        let answer = browser
            .post_raw("/login", &[("email", "anna@x.ru"), ("password", PASSWORD), ("next", next)])
            .await;
        assert_eq!(
            (answer.status, answer.location()),
            (StatusCode::SEE_OTHER, "/"),
            "{next:?} leads home, not elsewhere and not to an error"
        );
        assert!(browser.signed_in(), "{next:?}: signed in all the same");
    }
    // A NUL anywhere in a form is refused before sign-in, as everywhere (finding 8): no
    // redirect at all, and no session.
    let mut browser = Browser::new(&t.db);
    browser.get("/login").await;
    let answer =
        browser.post_raw("/login", &[("email", "anna@x.ru"), ("password", PASSWORD), ("next", "/\0")]).await;
    assert_eq!((answer.status, answer.location()), (StatusCode::BAD_REQUEST, ""));
    assert!(!browser.signed_in());
    let mut browser = Browser::new(&t.db);
    let form = browser.get("/login?next=/%09/evil.example").await;
    assert!(form.body.contains("name=\"next\" value=\"/\""), "the form carries only a safe path");
    let good = "/deals?status=open&q=%D0%90";
    let ok =
        browser.post_raw("/login", &[("email", "anna@x.ru"), ("password", PASSWORD), ("next", good)]).await;
    assert_eq!((ok.status, ok.location()), (StatusCode::SEE_OTHER, good), "a page of ours is followed");
}

#[tokio::test]
async fn a_state_change_without_the_csrf_token_or_from_another_site_is_refused() {
    let t = TestDb::sqlite().await;
    with_user(&t.db, "anna@x.ru", "manager").await;
    let mut browser = Browser::new(&t.db);
    browser.sign_in("anna@x.ru", PASSWORD).await;
    let fields = [("current_password", PASSWORD), ("new_password", "another long password")];
    let forged = browser.post_raw("/account/password", &fields).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no token");
    let wrong = browser.post_raw("/account/password", &[fields[0], fields[1], ("csrf_token", "guess")]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "wrong token");
    let ok = browser.post("/account/password", &fields).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(ok.body.contains("alert--success"), "changed");
}

#[tokio::test]
async fn a_rejected_password_change_names_the_field() {
    let t = TestDb::sqlite().await;
    with_user(&t.db, "anna@x.ru", "manager").await;
    let mut browser = Browser::new(&t.db);
    browser.sign_in("anna@x.ru", PASSWORD).await;
    let page =
        browser.post("/account/password", &[("current_password", PASSWORD), ("new_password", "short")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"f-new_password-error\""), "the message sits at its field");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let t = TestDb::sqlite().await;
    let mut browser = Browser::new(&t.db);
    for path in ["/login", "/healthz", "/no-such-page"] {
        let response = browser.get(path).await;
        let csp =
            response.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(
            response.headers.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..])
        );
        assert!(response.headers.contains_key("referrer-policy"), "{path}");
        assert_eq!(
            response.headers.get("cache-control").map(|v| v.as_bytes()),
            Some(&b"no-store"[..]),
            "{path}"
        );
    }
    let login = browser.get("/login").await;
    assert!(!login.body.contains("<script>"), "no inline script");
}

#[tokio::test]
async fn the_first_administrator_sets_up_through_the_printed_link() {
    let t = TestDb::sqlite().await;
    orbita_app::setup::bootstrap(&t.db).await.expect("bootstrap");
    let token = orbita_app::auth::first_run_token(&t.db).await.expect("token").expect("no users");
    let mut browser = Browser::new(&t.db);
    assert_eq!(browser.get("/setup/wrong-token").await.status, StatusCode::NOT_FOUND);
    let path = format!("/setup/{token}");
    assert_eq!(browser.get(&path).await.status, StatusCode::OK);
    let typo = browser.post_raw(&path, &[("email", "boss@"), ("name", "Boss"), ("password", PASSWORD)]).await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(typo.body.contains("value=\"Boss\""), "typed values kept");
    let ok =
        browser.post_raw(&path, &[("email", "boss@x.ru"), ("name", "Boss"), ("password", PASSWORD)]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert!(browser.signed_in(), "signed in straight away");
    assert_eq!(browser.get(&path).await.status, StatusCode::NOT_FOUND, "the link works once");
}

#[tokio::test]
async fn a_user_creates_an_api_token_sees_it_once_and_revokes_it() {
    let t = TestDb::sqlite().await;
    with_user(&t.db, "anna@x.ru", "manager").await;
    let mut browser = Browser::new(&t.db);
    browser.sign_in("anna@x.ru", PASSWORD).await;
    assert_eq!(browser.get("/account/tokens").await.status, StatusCode::OK);
    let created = browser.post("/account/tokens", &[("name", "Сайт")]).await;
    assert_eq!(created.status, StatusCode::OK);
    let start = created.body.find("orb_").expect("the token is shown once");
    let secret: String =
        created.body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let again = browser.get("/account/tokens").await;
    assert!(again.body.contains("Сайт") && !again.body.contains(&secret), "listed, never shown again");
    let form = again.body.find("/revoke").expect("a revoke button");
    let path_start = again.body[..form].rfind("/account/tokens/").expect("path");
    let path = again.body[path_start..form + "/revoke".len()].to_owned();
    assert_eq!(browser.post(&path, &[]).await.status, StatusCode::SEE_OTHER);
    assert!(browser.get("/account/tokens").await.body.contains("badge"), "marked revoked");
}

/// Finding 6: an address held back answers 429 with `Retry-After` and says how long to wait,
/// while the same account signs in from another address.
#[tokio::test]
async fn a_held_back_address_is_told_when_to_try_again() {
    let t = TestDb::sqlite().await;
    with_user(&t.db, "anna@x.ru", "manager").await;
    let mut tx = t.db.begin().await.expect("begin");
    for _ in 0..orbita_app::auth::MAX_FAILURES_PER_ADDRESS {
        let now = orbita_domain::now();
        orbita_storage::access::record_sign_in_failure(&mut tx, "address:203.0.113.9", now)
            .await
            .expect("failure");
    }
    tx.commit().await.expect("commit");

    let mut guesser = Browser::at_address(&t.db, "203.0.113.9");
    let held = guesser.sign_in("anna@x.ru", PASSWORD).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 =
        held.headers.get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok()).expect("Retry-After");
    assert!((890..=900).contains(&retry), "{retry}");
    assert!(held.body.contains(&format!("через {retry} с")), "the page says how long: {}", held.body);
    assert!(!guesser.signed_in());

    let mut anna = Browser::at_address(&t.db, "198.51.100.7");
    assert_eq!(anna.sign_in("anna@x.ru", PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert!(anna.signed_in());
}

/// A 404 or a 403 is a page of the app for someone signed in: the header, the navigation and
/// their language, with the status kept; htmx's fragments and visitors get the plain page.
#[tokio::test]
async fn error_pages_keep_the_frame_and_the_users_language() {
    let t = TestDb::sqlite().await;
    with_user(&t.db, "anna@x.ru", "manager").await;
    let mut visitor = Browser::new(&t.db);
    let plain = visitor.get("/setup/wrong-token").await;
    assert_eq!(plain.status, StatusCode::NOT_FOUND);
    assert!(!plain.body.contains("app-nav") && plain.body.contains("Page not found"), "both languages");

    let mut anna = Browser::new(&t.db);
    anna.sign_in("anna@x.ru", PASSWORD).await;
    let missing = anna.get("/companies/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("class=\"app-nav\""), "in the frame: {}", missing.body);
    assert!(missing.body.contains("Страница не найдена") && !missing.body.contains("Page not found"));
    let refused = anna.get("/admin/users").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("class=\"app-nav\"") && refused.body.contains("Нет доступа"));
    let fragment = anna.get_fragment("/companies/999999").await;
    assert_eq!(fragment.status, StatusCode::NOT_FOUND);
    assert!(!fragment.body.contains("app-nav"), "a fragment stays plain");
}
