//! Administration pages through the real router: users, deactivation, the roles matrix, the
//! audit log, and that nobody else gets in.

mod support;

use axum::http::StatusCode;
use orbita_domain::access::{Action, Area, Scope};
use orbita_testkit::TestDb;
use support::{Browser, PASSWORD, with_user};

async fn admin_browser(t: &TestDb) -> Browser {
    with_user(&t.db, "admin@x.ru", "administrator").await;
    let mut browser = Browser::new(&t.db);
    browser.sign_in("admin@x.ru", PASSWORD).await;
    browser
}

#[tokio::test]
async fn an_administrator_adds_a_user_and_a_bad_form_keeps_its_values() {
    let t = TestDb::sqlite().await;
    let mut admin = admin_browser(&t).await;
    let page = admin.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::OK);
    let manager_role =
        orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role").id.to_string();
    let bad = admin
        .post(
            "/admin/users",
            &[("name", "Вера Новикова"), ("email", "vera@"), ("role_id", &manager_role), ("password", "x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("value=\"Вера Новикова\"") && bad.body.contains("value=\"vera@\""),
        "typed values kept"
    );
    assert!(
        bad.body.contains("f-email-error") && bad.body.contains("f-password-error"),
        "messages at their fields"
    );
    let ok = admin
        .post(
            "/admin/users",
            &[
                ("name", "Вера Новикова"),
                ("email", "vera@x.ru"),
                ("role_id", &manager_role),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let mut vera = Browser::new(&t.db);
    vera.sign_in("vera@x.ru", PASSWORD).await;
    assert!(vera.signed_in(), "the new user can sign in");
}

#[tokio::test]
async fn deactivating_a_user_in_the_admin_page_signs_them_out_everywhere() {
    let t = TestDb::sqlite().await;
    let mut admin = admin_browser(&t).await;
    let gleb = with_user(&t.db, "gleb@x.ru", "manager").await;
    let mut gleb_browser = Browser::new(&t.db);
    gleb_browser.sign_in("gleb@x.ru", PASSWORD).await;
    assert_eq!(gleb_browser.get("/account/password").await.status, StatusCode::OK);
    let path = format!("/admin/users/{gleb}");
    let form = admin.get(&path).await;
    let role = support::hidden_value(&form.body, "role_id").unwrap_or_default();
    let role_id = if role.is_empty() {
        orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role").id.to_string()
    } else {
        role
    };
    // No `active` field: the box is unticked.
    let saved =
        admin.post(&path, &[("name", "gleb@x.ru"), ("email", "gleb@x.ru"), ("role_id", &role_id)]).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let after = gleb_browser.get("/account/password").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the session ended");
    assert!(after.location().starts_with("/login"));
}

#[tokio::test]
async fn the_roles_matrix_changes_what_a_role_may_do() {
    let t = TestDb::sqlite().await;
    let mut admin = admin_browser(&t).await;
    let page = admin.get("/admin/roles").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"deals.view\""), "a select per area and action");
    let manager = orbita_storage::users::role_by_key(&t.db, "manager").await.expect("role");
    // The whole matrix is posted: only deals are granted, and to the group.
    let saved = admin
        .post(&format!("/admin/roles/{}", manager.id), &[("deals.view", "group"), ("deals.edit", "own")])
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let permissions = orbita_storage::access::permissions(&t.db, manager.id).await.expect("grants");
    assert_eq!(permissions.scope(Area::Deals, Action::View), Some(Scope::Group));
    assert_eq!(permissions.scope(Area::Companies, Action::View), None, "cells left empty are revoked");
    let audit = admin.get("/admin/audit?entity=role").await;
    assert!(
        audit.body.contains("deals.view") || audit.body.contains("deals"),
        "the change is in the audit log"
    );
}

#[tokio::test]
async fn the_audit_log_lists_sign_ins_and_filters_by_action() {
    let t = TestDb::sqlite().await;
    let mut admin = admin_browser(&t).await;
    let mut stranger = Browser::new(&t.db);
    stranger.sign_in("admin@x.ru", "wrong password!").await;
    let all = admin.get("/admin/audit").await;
    assert_eq!(all.status, StatusCode::OK);
    let failed = admin.get("/admin/audit?action=sign_in_failed").await;
    assert!(failed.body.contains("admin@x.ru"), "the attempted e-mail is shown");
    let rows = failed.body.matches("<tr>").count();
    assert_eq!(rows, 2, "header + one failed sign-in: {}", failed.body);
}

#[tokio::test]
async fn only_administrators_reach_the_admin_pages() {
    let t = TestDb::sqlite().await;
    with_user(&t.db, "manager@x.ru", "manager").await;
    let mut manager = Browser::new(&t.db);
    manager.sign_in("manager@x.ru", PASSWORD).await;
    for path in ["/admin/users", "/admin/groups", "/admin/roles", "/admin/audit"] {
        assert_eq!(manager.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let page = manager.get("/account/password").await;
    assert!(!page.body.contains("href=\"/admin\""), "no admin link in the menu");
}
