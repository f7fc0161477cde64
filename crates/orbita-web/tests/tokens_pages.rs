//! The API tokens page: a read-only token with an expiry made through the form, the
//! administrators' section of everyone's tokens and revoking from it, and a manager who
//! cannot revoke someone else's token. On SQLite and PostgreSQL.

mod support;

use axum::http::StatusCode;
use chrono::TimeDelta;
use orbita_app::api_tokens::{self, TokenInput, TokenScope};
use orbita_app::{Access, RequestContext, users};
use orbita_domain::UserId;
use orbita_storage::Db;
use orbita_storage::api_tokens::ApiToken;
use orbita_testkit::on_both;
use support::{Browser, PASSWORD, with_user};

async fn tokens_of(db: &Db, user: UserId) -> Vec<ApiToken> {
    let access = Access::load(db, user, None).await.expect("access");
    api_tokens::list(db, &access).await.expect("tokens")
}

fn day_from_now(days: i64) -> String {
    (orbita_domain::now() + TimeDelta::days(days)).format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn the_form_makes_a_read_only_token_with_an_expiry_and_refuses_a_past_date() {
    on_both(|t| async move {
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let mut browser = Browser::new(&t.db);
        browser.sign_in("anna@x.ru", PASSWORD).await;
        let page = browser.get("/account/tokens").await;
        assert!(
            page.body.contains("name=\"scope\"") && page.body.contains("name=\"expires_at\""),
            "{}",
            t.name
        );
        assert!(!page.body.contains("everyones-tokens"), "{}: a manager sees only their own", t.name);

        let yesterday = day_from_now(-1);
        let past = [("name", "Склад"), ("scope", "read_only"), ("expires_at", yesterday.as_str())];
        let refused = browser.post("/account/tokens", &past).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);
        assert!(refused.body.contains("value=\"Склад\""), "{}: the typed name is kept", t.name);
        assert!(tokens_of(&t.db, anna).await.is_empty(), "{}", t.name);

        let expires = day_from_now(30);
        let fields = [("name", "Склад"), ("scope", "read_only"), ("expires_at", expires.as_str())];
        let created = browser.post("/account/tokens", &fields).await;
        assert_eq!(created.status, StatusCode::OK, "{}", t.name);
        assert!(created.body.contains("orb_"), "{}: the token is shown once", t.name);
        let made = tokens_of(&t.db, anna).await;
        assert_eq!(made.len(), 1, "{}", t.name);
        assert_eq!((made[0].name.as_str(), made[0].scope), ("Склад", TokenScope::ReadOnly), "{}", t.name);
        let day = made[0].expires_at.map(|at| at.format("%Y-%m-%d").to_string());
        assert_eq!(day.as_deref(), Some(expires.as_str()), "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn an_administrator_sees_everyones_tokens_and_revokes_them_a_manager_cannot() {
    on_both(|t| async move {
        let anna = with_user(&t.db, "anna@x.ru", "manager").await;
        let boss = users::create_user(
            &t.db,
            &RequestContext::system(),
            "boss@x.ru",
            "Борис",
            "administrator",
            PASSWORD,
        )
        .await
        .expect("admin");
        let ctx = RequestContext::system();
        let annas = api_tokens::create_for_email(&t.db, &ctx, "anna@x.ru", &TokenInput::named("Телефония"))
            .await
            .expect("token");
        let boss_token = api_tokens::create_for_email(&t.db, &ctx, "boss@x.ru", &TokenInput::named("Учёт"))
            .await
            .expect("token");

        // A manager's revoke of the administrator's token is a 404 and changes nothing.
        let mut manager = Browser::new(&t.db);
        manager.sign_in("anna@x.ru", PASSWORD).await;
        let path = format!("/account/tokens/{}/revoke", boss_token.token.id);
        assert_eq!(manager.post(&path, &[]).await.status, StatusCode::NOT_FOUND, "{}", t.name);
        assert!(tokens_of(&t.db, boss).await[0].revoked_at.is_none(), "{}", t.name);

        let mut admin = Browser::new(&t.db);
        admin.sign_in("boss@x.ru", PASSWORD).await;
        let page = admin.get("/account/tokens").await;
        let section = &page.body[page.body.find("everyones-tokens").expect("the administrators' section")..];
        assert!(section.contains("anna@x.ru") && section.contains("Телефония"), "{}", t.name);
        assert!(section.contains("Борис") && section.contains("Учёт"), "{}", t.name);

        let path = format!("/account/tokens/{}/revoke", annas.token.id);
        assert!(section.contains(&path), "{}: a revoke button for anna's token", t.name);
        assert_eq!(admin.post(&path, &[]).await.status, StatusCode::SEE_OTHER, "{}", t.name);
        assert!(tokens_of(&t.db, anna).await[0].revoked_at.is_some(), "{}", t.name);
        t
    })
    .await;
}
