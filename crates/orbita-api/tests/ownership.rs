//! `POST /api/v1/ownership-transfers`: bulk hand-over through the API, its rights and its
//! refusals, on SQLite and PostgreSQL.

mod support;

use axum::http::StatusCode;
use orbita_testkit::on_both;
use serde_json::json;
use support::org;

#[tokio::test]
async fn an_administrator_hands_a_managers_records_over_through_the_api() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let m1 = org.manager1();
        for name in ["Ромашка", "Лютик"] {
            m1.post("/api/v1/companies", json!({"name": name})).await.expect(StatusCode::CREATED);
        }
        m1.post("/api/v1/deals", json!({"title": "Поставка", "amount": "100.00"}))
            .await
            .expect(StatusCode::CREATED);
        let body = json!({
            "from_user_id": org.manager1.0,
            "to_user_id": org.manager2.0,
            "kinds": ["companies", "deals", "tasks"],
        });
        let done = org.admin().post("/api/v1/ownership-transfers", body.clone()).await.expect(StatusCode::OK);
        assert_eq!(
            done.body["moved"],
            json!([
                {"kind": "companies", "count": 2},
                {"kind": "deals", "count": 1},
                {"kind": "tasks", "count": 0},
            ]),
            "{}",
            t.name
        );
        let mine = org.manager2().get("/api/v1/companies").await.expect(StatusCode::OK);
        assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(2));
        let theirs = org.manager1().get("/api/v1/companies").await.expect(StatusCode::OK);
        assert_eq!(theirs.body["items"].as_array().map(Vec::len), Some(0), "the previous owner loses them");
        t
    })
    .await;
}

#[tokio::test]
async fn ownership_transfers_are_refused_to_managers_and_for_bad_input() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let body =
            json!({"from_user_id": org.manager2.0, "to_user_id": org.manager1.0, "kinds": ["companies"]});
        org.manager1().post("/api/v1/ownership-transfers", body).await.expect(StatusCode::FORBIDDEN);
        let admin = org.admin();
        let same = json!({"from_user_id": org.manager1.0, "to_user_id": org.manager1.0, "kinds": ["deals"]});
        let refused =
            admin.post("/api/v1/ownership-transfers", same).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.error_fields(), vec!["to_user_id"], "{}", t.name);
        let empty = json!({"from_user_id": org.manager1.0, "to_user_id": org.manager2.0, "kinds": []});
        let refused =
            admin.post("/api/v1/ownership-transfers", empty).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.error_fields(), vec!["kinds"]);
        let unknown = json!({"from_user_id": org.manager1.0, "to_user_id": 999_999, "kinds": ["planets"]});
        admin.post("/api/v1/ownership-transfers", unknown).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let nobody = json!({"from_user_id": org.manager1.0, "to_user_id": 999_999, "kinds": ["deals"]});
        let refused =
            admin.post("/api/v1/ownership-transfers", nobody).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.error_fields(), vec!["to_user_id"]);
        t
    })
    .await;
}
