//! A refused PATCH saves none of its changes: every check passes before anything is written
//! (issue 13, finding 4), on SQLite and PostgreSQL.

mod support;

use axum::http::StatusCode;
use orbita_storage::audit::AuditFilter;
use orbita_testkit::on_both;
use serde_json::{Value, json};
use support::{Client, org};

/// How many audit events the log holds for a record.
async fn audit_count(db: &orbita_app::Db, entity: &str, id: i64) -> usize {
    let filter = AuditFilter { entity: Some(entity.into()), entity_id: Some(id), ..AuditFilter::default() };
    orbita_storage::audit::list(db, &filter, None, 100).await.expect("audit").items.len()
}

/// The record as read before and after a refused PATCH, and its audit log, must not differ.
async fn refused_without_trace(
    db: &orbita_app::Db,
    client: &Client,
    entity: &str,
    path: &str,
    id: i64,
    patch: Value,
    status: StatusCode,
) {
    let before = client.get(path).await.expect(StatusCode::OK).body;
    let events = audit_count(db, entity, id).await;
    client.patch(path, patch.clone()).await.expect(status);
    assert_eq!(client.get(path).await.expect(StatusCode::OK).body, before, "{entity}: {patch}");
    assert_eq!(audit_count(db, entity, id).await, events, "{entity}: {patch}");
}

#[tokio::test]
async fn a_refused_patch_saves_none_of_its_changes() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let m1 = org.manager1();
        let refused = StatusCode::UNPROCESSABLE_ENTITY;
        let theirs = json!(org.manager2.0);

        let company =
            m1.post("/api/v1/companies", json!({"name": "Ромашка"})).await.expect(StatusCode::CREATED).id();
        let path = format!("/api/v1/companies/{company}");
        let patch = json!({"name": "Ромашка-2", "owner_id": theirs});
        refused_without_trace(&t.db, &m1, "company", &path, company, patch, refused).await;

        let contact = m1
            .post("/api/v1/contacts", json!({"last_name": "Иванов"}))
            .await
            .expect(StatusCode::CREATED)
            .id();
        let path = format!("/api/v1/contacts/{contact}");
        let patch = json!({"position": "Директор", "owner_id": theirs});
        refused_without_trace(&t.db, &m1, "contact", &path, contact, patch, refused).await;

        let deal = m1.post("/api/v1/deals", json!({"title": "Окна"})).await.expect(StatusCode::CREATED).id();
        let path = format!("/api/v1/deals/{deal}");
        let patch = json!({"title": "Окна ПВХ", "owner_id": theirs});
        refused_without_trace(&t.db, &m1, "deal", &path, deal, patch, refused).await;
        let stages = m1.get("/api/v1/pipelines").await.expect(StatusCode::OK).body;
        let lost = stages["items"][0]["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .find(|s| s["kind"] == "lost")
            .expect("a lost stage")["id"]
            .clone();
        let patch = json!({"title": "Окна ПВХ", "stage_id": lost});
        refused_without_trace(&t.db, &m1, "deal", &path, deal, patch, refused).await;

        let task = m1
            .post("/api/v1/tasks", json!({"title": "Позвонить", "assignee_id": org.manager1.0}))
            .await
            .expect(StatusCode::CREATED)
            .id();
        let path = format!("/api/v1/tasks/{task}");
        let patch = json!({"title": "Перезвонить", "done": true, "assignee_id": theirs});
        refused_without_trace(&t.db, &m1, "task", &path, task, patch, refused).await;
        t
    })
    .await;
}
