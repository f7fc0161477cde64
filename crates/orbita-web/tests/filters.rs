//! The deals list page takes the same `filter=` tree as the API (records kernel, filters as
//! data): the page, a saved link and its export show the same deals, on SQLite and
//! PostgreSQL; a broken tree is refused with a message, never a 500.

mod support;

use axum::http::StatusCode;
use orbita_app::{Access, deals};
use orbita_domain::deal::DealInput;
use orbita_testkit::on_both;
use support::{Browser, PASSWORD, with_user};

fn encoded(filter: &serde_json::Value) -> String {
    serde_urlencoded::to_string([("filter", filter.to_string())]).expect("encoded")
}

#[tokio::test]
async fn the_deals_page_shows_what_the_filter_tree_selects() {
    on_both(|t| async move {
        let admin = with_user(&t.db, "admin@x.ru", "administrator").await;
        let access = Access::load(&t.db, admin, None).await.expect("access");
        for (title, amount) in [("Балкон", "300000"), ("Веранда", "700000"), ("Окна", "900000")]
        {
            let input = DealInput { title: title.into(), amount: amount.into(), ..DealInput::default() };
            deals::create(&t.db, &access, &input, None, None, None).await.expect("deal");
        }
        let mut browser = Browser::new(&t.db);
        browser.sign_in("admin@x.ru", PASSWORD).await;
        let tree = serde_json::json!({"or": [
            {"field": "amount", "op": "lt", "value": "400000"},
            {"field": "title", "op": "contains", "value": "Окн"}
        ]});
        let page = browser.get(&format!("/deals?{}", encoded(&tree))).await;
        assert_eq!(page.status, StatusCode::OK, "{}", t.name);
        assert!(page.body.contains("Балкон") && page.body.contains("Окна"), "{}", t.name);
        assert!(!page.body.contains("Веранда"), "{}: filtered out", t.name);
        // The list's links keep the tree (sorting, paging, the export form).
        assert!(page.body.contains("filter="), "{}: the view carries its filter", t.name);

        let broken =
            browser.get(&format!("/deals?{}", encoded(&serde_json::json!({"field": "colour"})))).await;
        assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);
        let not_json = browser.get("/deals?filter=%7Bnope").await;
        assert_eq!(not_json.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);
        t
    })
    .await;
}
