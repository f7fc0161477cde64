//! The lists' `group_id` (the records of a user group's members, within the caller's scope)
//! and the deals' `region` and `industry` (of the deal's company): in the JSON lists, in the
//! files, and in the OpenAPI document that schemathesis reads.

mod support;

use axum::http::StatusCode;
use orbita_domain::{GroupId, UserId, now};
use orbita_storage::Db;
use orbita_testkit::on_both;
use serde_json::{Value, json};
use support::{Client, org};

/// Team A holds manager 1, team B manager 2.
async fn teams(db: &Db, m1: UserId, m2: UserId) -> (GroupId, GroupId) {
    let mut tx = db.begin().await.expect("begin");
    let a = orbita_storage::users::insert_group(&mut tx, "Team A", now()).await.expect("group");
    let b = orbita_storage::users::insert_group(&mut tx, "Team B", now()).await.expect("group");
    orbita_storage::users::add_to_group(&mut tx, a, m1, now()).await.expect("member");
    orbita_storage::users::add_to_group(&mut tx, b, m2, now()).await.expect("member");
    tx.commit().await.expect("commit");
    (a, b)
}

/// One record of each list for the caller, all named `name`; the deal's company is in `region`
/// and `industry`.
async fn records(client: &Client, name: &str, region: &str, industry: &str) {
    let company = client
        .post("/api/v1/companies", json!({"name": name, "region": region, "industry": industry}))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let contact = json!({"first_name": name, "last_name": name, "company_id": company});
    client.post("/api/v1/contacts", contact).await.expect(StatusCode::CREATED);
    let deal = json!({"title": name, "company_id": company});
    client.post("/api/v1/deals", deal).await.expect(StatusCode::CREATED);
    client.post("/api/v1/tasks", json!({"title": name})).await.expect(StatusCode::CREATED);
    let activity = json!({"kind": "call", "subject": name, "company_id": company});
    client.post("/api/v1/activities", activity).await.expect(StatusCode::CREATED);
}

/// The names of a list's items: the field that holds the record's name in each list.
async fn names(client: &Client, path: &str) -> Vec<String> {
    let page = client.get(path).await.expect(StatusCode::OK);
    let field = match path.split(['?', '.']).next().unwrap_or_default() {
        "/api/v1/companies" => "name",
        "/api/v1/contacts" => "first_name",
        "/api/v1/activities" => "subject",
        _ => "title",
    };
    let mut names: Vec<String> = page.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: {}", page.body))
        .iter()
        .filter_map(|item| item[field].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn lists_narrow_to_a_group_within_the_callers_scope() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (a, b) = teams(&t.db, org.manager1, org.manager2).await;
        records(&org.manager1(), "Anna", "Москва", "ИТ").await;
        records(&org.manager2(), "Boris", "Казань", "Ритейл").await;
        records(&org.admin(), "Admin", "Москва", "Ритейл").await;
        let (admin, m1) = (org.admin(), org.manager1());
        let (m1_id, m2_id) = (org.manager1.0, org.manager2.0);

        for list in ["companies", "contacts", "deals", "tasks", "activities"] {
            let owner = match list {
                "tasks" => "assignee_id",
                "activities" => "responsible_id",
                _ => "owner_id",
            };
            let path = |query: String| format!("/api/v1/{list}?{query}");
            assert_eq!(names(&admin, &path(format!("group_id={a}"))).await, ["Anna"], "{}: {list}", t.name);
            assert_eq!(names(&admin, &path(format!("group_id={b}"))).await, ["Boris"], "{}: {list}", t.name);
            // With the owner filter: both must hold.
            let both = path(format!("group_id={a}&{owner}={m1_id}"));
            assert_eq!(names(&admin, &both).await, ["Anna"], "{}: {list}", t.name);
            let neither = path(format!("group_id={a}&{owner}={m2_id}"));
            assert!(names(&admin, &neither).await.is_empty(), "{}: {list}", t.name);
            // An unknown group has no members.
            assert!(names(&admin, &path("group_id=999999".into())).await.is_empty(), "{}: {list}", t.name);
            // A manager naming a group still sees only their own records.
            assert_eq!(names(&m1, &path(format!("group_id={a}"))).await, ["Anna"], "{}: {list}", t.name);
            assert!(names(&m1, &path(format!("group_id={b}"))).await.is_empty(), "{}: {list}", t.name);
            // Not a number: a 400, as any malformed filter.
            admin.get(&path("group_id=abc".into())).await.expect(StatusCode::BAD_REQUEST);
        }

        // The deals by their company's region and industry, exactly as written on the company.
        let deals = |query: &str| format!("/api/v1/deals?{query}");
        let moscow = "region=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0";
        let retail = "industry=%D0%A0%D0%B8%D1%82%D0%B5%D0%B9%D0%BB";
        assert_eq!(names(&admin, &deals(moscow)).await, ["Admin", "Anna"], "{}", t.name);
        assert_eq!(names(&admin, &deals(retail)).await, ["Admin", "Boris"], "{}", t.name);
        assert_eq!(names(&admin, &deals(&format!("{moscow}&{retail}"))).await, ["Admin"], "{}", t.name);
        assert_eq!(names(&admin, &deals(&format!("{moscow}&group_id={a}"))).await, ["Anna"], "{}", t.name);
        assert!(names(&admin, &deals(&format!("{moscow}&group_id={b}"))).await.is_empty(), "{}", t.name);
        assert_eq!(names(&m1, &deals(moscow)).await, ["Anna"], "{}: the manager's own", t.name);
        assert!(names(&admin, &deals("region=%D0%A2%D0%B2%D0%B5%D1%80%D1%8C")).await.is_empty());

        // The files take the same query.
        let file = admin.download(&format!("/api/v1/deals.csv?group_id={b}")).await;
        assert_eq!(file.status, StatusCode::OK, "{}", t.name);
        let text = String::from_utf8_lossy(&file.bytes).into_owned();
        assert!(text.contains("Boris") && !text.contains("Anna") && !text.contains("Admin"), "{text}");
        let file = admin.download(&format!("/api/v1/deals.csv?{moscow}")).await;
        let text = String::from_utf8_lossy(&file.bytes).into_owned();
        assert!(text.contains("Anna") && text.contains("Admin") && !text.contains("Boris"), "{text}");
        let file = admin.download(&format!("/api/v1/tasks.csv?group_id={a}")).await;
        let text = String::from_utf8_lossy(&file.bytes).into_owned();
        assert!(text.contains("Anna") && !text.contains("Boris") && !text.contains("Admin"), "{text}");
        t
    })
    .await;
}

#[tokio::test]
async fn the_openapi_document_lists_the_new_filters() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let doc = org.client.anonymous().get("/api/v1/openapi.json").await.body;
        let parameter = |path: &str, name: &str| -> Option<Value> {
            doc["paths"][path]["get"]["parameters"]
                .as_array()
                .and_then(|p| p.iter().find(|p| p["name"] == name))
                .cloned()
        };
        for list in ["companies", "contacts", "deals", "tasks", "activities"] {
            for path in
                [format!("/api/v1/{list}"), format!("/api/v1/{list}.xlsx"), format!("/api/v1/{list}.csv")]
            {
                let group = parameter(&path, "group_id").unwrap_or_else(|| panic!("{path}: group_id"));
                assert_eq!(group["in"], "query", "{path}");
                assert_eq!(group["required"], false, "{path}");
            }
        }
        for name in ["region", "industry"] {
            for path in ["/api/v1/deals", "/api/v1/deals.xlsx", "/api/v1/deals.csv"] {
                assert!(parameter(path, name).is_some(), "{path}: {name}");
            }
        }
        t
    })
    .await;
}
