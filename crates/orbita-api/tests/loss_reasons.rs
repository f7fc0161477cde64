//! `/api/v1/loss-reasons` on SQLite and PostgreSQL: everyone reads the list, administrators
//! add, rename and retire reasons (named mistakes), managers are refused; a deal lost through
//! the API with a reason's words keeps them.

mod support;

use axum::http::StatusCode;
use orbita_testkit::on_both;
use serde_json::json;
use support::org;

#[tokio::test]
async fn reasons_are_kept_by_administrators_and_read_by_everyone() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (admin, m1) = (org.admin(), org.manager1());
        m1.post("/api/v1/loss-reasons", json!({"name": "Дорого"})).await.expect(StatusCode::FORBIDDEN);
        let bad = admin
            .post("/api/v1/loss-reasons", json!({"name": "  "}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.error_fields(), ["name"], "{}", t.name);
        let expensive =
            admin.post("/api/v1/loss-reasons", json!({"name": " Дорого "})).await.expect(StatusCode::CREATED);
        assert_eq!(
            (expensive.body["name"].as_str(), expensive.body["active"].as_bool()),
            (Some("Дорого"), Some(true))
        );
        let pipelines = m1.get("/api/v1/pipelines").await.expect(StatusCode::OK);
        let pipeline = pipelines.body["items"][0]["id"].clone();
        let tender = admin
            .post("/api/v1/loss-reasons", json!({"name": "Не прошли тендер", "pipeline_id": pipeline}))
            .await
            .expect(StatusCode::CREATED);
        admin
            .post("/api/v1/loss-reasons", json!({"name": "x", "pipeline_id": 999_999}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);

        let listed = m1.get("/api/v1/loss-reasons").await.expect(StatusCode::OK);
        let names: Vec<&str> = listed.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert_eq!(names, ["Дорого", "Не прошли тендер"], "{}: every pipeline's first", t.name);

        m1.patch(&format!("/api/v1/loss-reasons/{}", tender.id()), json!({"active": false}))
            .await
            .expect(StatusCode::FORBIDDEN);
        let retired = admin
            .patch(
                &format!("/api/v1/loss-reasons/{}", tender.id()),
                json!({"active": false, "name": "Тендер"}),
            )
            .await
            .expect(StatusCode::OK);
        assert_eq!(
            (retired.body["name"].as_str(), retired.body["active"].as_bool()),
            (Some("Тендер"), Some(false))
        );
        assert_eq!(retired.body["pipeline_id"], pipeline, "{}: the patch kept the rest", t.name);
        admin
            .patch("/api/v1/loss-reasons/999999", json!({"active": false}))
            .await
            .expect(StatusCode::NOT_FOUND);
        t
    })
    .await;
}
