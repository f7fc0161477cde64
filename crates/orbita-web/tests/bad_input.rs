//! Finding 8: a NUL character in a page's query or form answered 500 on PostgreSQL, and web
//! forms stored NUL that the API refuses. One rule for both: a 400, and nothing saved.

mod support;

use axum::http::StatusCode;
use orbita_testkit::on_both;
use support::{Browser, PASSWORD, with_user};

const PAGES: [&str; 16] = [
    "/",
    "/companies",
    "/companies/suggest",
    "/companies/duplicates",
    "/contacts",
    "/contacts/suggest",
    "/contacts/duplicates",
    "/deals",
    "/deals/kanban",
    "/deals/suggest",
    "/tasks",
    "/activities",
    "/search/suggest",
    "/admin/audit",
    "/reports/funnel",
    "/exports",
];

#[tokio::test]
async fn a_nul_in_a_query_is_refused_on_every_list_page() {
    on_both(|t| async move {
        with_user(&t.db, "admin@x.ru", "administrator").await;
        let mut browser = Browser::new(&t.db);
        browser.sign_in("admin@x.ru", PASSWORD).await;
        for page in PAGES {
            for query in ["q=%00", "q=%D0%90%00", "view=%00", "owner=%00&q=x"] {
                let answer = browser.get(&format!("{page}?{query}")).await;
                assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}: {page}?{query}", t.name);
            }
            let plain = browser.get(&format!("{page}?q=%2500")).await;
            let fine = plain.status.is_success() || plain.status.is_redirection();
            assert!(fine, "{}: {page}?q=%2500 is text: {}", t.name, plain.status);
        }
        t
    })
    .await;
}

#[tokio::test]
async fn a_form_with_a_nul_saves_nothing() {
    on_both(|t| async move {
        with_user(&t.db, "admin@x.ru", "administrator").await;
        let mut browser = Browser::new(&t.db);
        browser.sign_in("admin@x.ru", PASSWORD).await;
        browser.get("/companies/new").await;
        let answer = browser.post("/companies", &[("name", "Ромашка\0"), ("inn", "")]).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}: {}", t.name, answer.body);
        let list = browser.get("/companies").await;
        assert!(!list.body.contains("Ромашка"), "{}: nothing saved", t.name);
        t
    })
    .await;
}
