//! `/api/v1/webhooks` against a real receiver on loopback, on SQLite and PostgreSQL: an
//! administrator registers a URL and gets its secret once; a company created through the API
//! is POSTed to it, signed so the receiver can verify it; an answer of 500 is retried by the
//! queue and logged; a private address is refused unless the server allows it; managers are
//! refused; without the server's secret key no webhook is made.

mod support;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::Duration;
use orbita_api::ApiConfig;
use orbita_app::jobs;
use orbita_app::webhooks::{Outbound, signature};
use orbita_testkit::on_both;
use serde_json::{Value, json};
use support::{org, org_with};

const KEY: &str = "a-test-secret-key-of-at-least-32-characters";

/// What the receiver got: (signature header, body), and the statuses it answers in turn.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(String, String)>>>,
    answers: Arc<Mutex<Vec<u16>>>,
}

async fn receiver(answers: Vec<u16>) -> (String, Receiver) {
    let state = Receiver { got: Arc::default(), answers: Arc::new(Mutex::new(answers)) };
    let handler = |axum::extract::State(state): axum::extract::State<Receiver>,
                   headers: HeaderMap,
                   body: String| async move {
        let signed = headers.get("x-orbita-signature").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        state.got.lock().expect("lock").push((signed, body));
        let mut answers = state.answers.lock().expect("lock");
        let status = if answers.is_empty() { 200 } else { answers.remove(0) };
        StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
    };
    let app = Router::new().route("/hook", post(handler)).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/hook"), state)
}

#[tokio::test]
async fn a_signed_event_reaches_the_receiver_and_a_failure_is_retried() {
    on_both(|t| async move {
        let outbound = Outbound::new(Some(KEY), true).expect("key");
        let org = org_with(&t.db, ApiConfig::default().outbound(outbound.clone())).await;
        let (admin, m1) = (org.admin(), org.manager1());
        let (url, got) = receiver(vec![500]).await;
        let hook =
            json!({"url": url, "events": ["company.created", "deal.stage_changed"], "description": "1С"});
        m1.post("/api/v1/webhooks", hook.clone()).await.expect(StatusCode::FORBIDDEN);
        let bad =
            admin.post("/api/v1/webhooks", json!({"url": "ftp://x", "events": ["deal.exploded"]})).await;
        assert_eq!(
            bad.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(),
            ["url", "events"],
            "{}",
            t.name
        );
        let made = admin.post("/api/v1/webhooks", hook).await.expect(StatusCode::CREATED);
        let secret = made.body["secret"].as_str().expect("secret once").to_owned();
        let id = made.id();
        let read = admin.get(&format!("/api/v1/webhooks/{id}")).await.expect(StatusCode::OK);
        assert!(read.body.get("secret").is_none(), "{}: never again", t.name);

        m1.post("/api/v1/companies", json!({"name": "ООО Рассвет"})).await.expect(StatusCode::CREATED);
        m1.post("/api/v1/contacts", json!({"last_name": "Иванов", "first_name": "Пётр"}))
            .await
            .expect(StatusCode::CREATED);
        assert_eq!(
            jobs::run_due_with(&t.db, "w", &outbound, orbita_domain::now()).await.expect("run"),
            1,
            "{}: only the wanted event",
            t.name
        );
        let log = admin.get(&format!("/api/v1/webhooks/{id}/deliveries")).await.expect(StatusCode::OK);
        assert_eq!(log.body["items"][0]["status"], 500, "{}", t.name);
        // The queue retries after its pause; the receiver now answers 200.
        let later = orbita_domain::now() + Duration::hours(1);
        assert_eq!(jobs::run_due_with(&t.db, "w", &outbound, later).await.expect("run"), 1, "{}", t.name);
        let log = admin.get(&format!("/api/v1/webhooks/{id}/deliveries")).await.expect(StatusCode::OK);
        assert_eq!(log.body["items"][0]["status"], 200, "{}", t.name);

        let received = got.got.lock().expect("lock").clone();
        assert_eq!(received.len(), 2, "{}", t.name);
        let (signed, body) = &received[1];
        let payload: Value = serde_json::from_str(body).expect("json");
        assert_eq!(payload["event"], "company.created", "{}", t.name);
        assert!(
            payload["occurred_at"].is_string() && payload["data"]["id"].is_i64(),
            "{}: {payload}",
            t.name
        );
        let t_part = signed.split(',').next().and_then(|p| p.strip_prefix("t=")).expect("t=");
        let stamp: i64 = t_part.parse().expect("seconds");
        assert_eq!(signed, &signature(&secret, stamp, body), "{}: the receiver can verify it", t.name);

        // Switched off: nothing more is queued.
        admin.patch(&format!("/api/v1/webhooks/{id}"), json!({"active": false})).await.expect(StatusCode::OK);
        m1.post("/api/v1/companies", json!({"name": "ООО Закат"})).await.expect(StatusCode::CREATED);
        assert_eq!(jobs::run_due_with(&t.db, "w", &outbound, later).await.expect("run"), 0, "{}", t.name);
        admin.delete(&format!("/api/v1/webhooks/{id}")).await.expect(StatusCode::NO_CONTENT);
        t
    })
    .await;
}

#[tokio::test]
async fn private_addresses_are_refused_unless_allowed_and_no_key_means_no_webhook() {
    on_both(|t| async move {
        let strict = Outbound::new(Some(KEY), false).expect("key");
        let org = org_with(&t.db, ApiConfig::default().outbound(strict.clone())).await;
        let (url, got) = receiver(vec![]).await;
        let made = org
            .admin()
            .post("/api/v1/webhooks", json!({"url": url, "events": ["company.created"]}))
            .await
            .expect(StatusCode::CREATED);
        org.manager1()
            .post("/api/v1/companies", json!({"name": "ООО Тайна"}))
            .await
            .expect(StatusCode::CREATED);
        jobs::run_due_with(&t.db, "w", &strict, orbita_domain::now()).await.expect("run");
        assert!(got.got.lock().expect("lock").is_empty(), "{}: loopback is not called", t.name);
        let log = org
            .admin()
            .get(&format!("/api/v1/webhooks/{}/deliveries", made.id()))
            .await
            .expect(StatusCode::OK);
        let error = log.body["items"][0]["error"].as_str().unwrap_or("");
        assert!(error.contains("private address"), "{}: {}", t.name, log.body);
        t
    })
    .await;
    on_both(|t| async move {
        let org = org(&t.db).await;
        let refused = org
            .admin()
            .post("/api/v1/webhooks", json!({"url": "https://example.ru/hook", "events": ["deal.created"]}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.error_codes(), ["webhook-no-secret-key"], "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_webhook_failing_twenty_times_in_a_row_is_switched_off_and_administrators_are_told() {
    on_both(|t| async move {
        let outbound = Outbound::new(Some(KEY), true).expect("key");
        let org = org_with(&t.db, ApiConfig::default().outbound(outbound.clone())).await;
        let (url, _got) = receiver(vec![500; 30]).await;
        let made = org
            .admin()
            .post("/api/v1/webhooks", json!({"url": url, "events": ["company.created"]}))
            .await
            .expect(StatusCode::CREATED);
        for n in 0..21 {
            let company = json!({"name": format!("ООО Сбой {n}")});
            org.manager1().post("/api/v1/companies", company).await.expect(StatusCode::CREATED);
        }
        let now = orbita_domain::now();
        while jobs::run_due_with(&t.db, "w", &outbound, now).await.expect("run") > 0 {}
        let hook = org.admin().get(&format!("/api/v1/webhooks/{}", made.id())).await.expect(StatusCode::OK);
        assert!(hook.body["disabled_at"].is_string(), "{}: {}", t.name, hook.body);
        assert_eq!(hook.body["failures"], 20, "{}: the 21st was not sent", t.name);
        let told = org.admin().get("/api/v1/notifications?unread=true").await.expect(StatusCode::OK);
        assert_eq!(told.body["items"][0]["kind"], "webhook_disabled", "{}: {}", t.name, told.body);
        // Switched on again: its failures are cleared and it sends.
        let on = org.admin().patch(&format!("/api/v1/webhooks/{}", made.id()), json!({"active": true})).await;
        let on = on.expect(StatusCode::OK);
        assert_eq!(
            (on.body["failures"].as_i64(), on.body["disabled_at"].is_null()),
            (Some(0), true),
            "{}",
            t.name
        );
        t
    })
    .await;
}

#[tokio::test]
async fn a_robot_calls_a_webhook_with_the_deal_and_sets_a_field_of_it() {
    on_both(|t| async move {
        let outbound = Outbound::new(Some(KEY), true).expect("key");
        let org = org_with(&t.db, ApiConfig::default().outbound(outbound.clone())).await;
        let (admin, m1) = (org.admin(), org.manager1());
        let (url, got) = receiver(vec![]).await;
        // The webhook wants an event that does not happen here: only the rule calls it.
        let made = admin.post("/api/v1/webhooks", json!({"url": url, "events": ["deal.deleted"]})).await;
        let made = made.expect(StatusCode::CREATED);
        let secret = made.body["secret"].as_str().expect("secret").to_owned();
        let stages = admin.get("/api/v1/pipelines").await.expect(StatusCode::OK);
        let pipeline = stages.body["items"][0]["id"].as_i64().expect("pipeline");
        let second = stages.body["items"][0]["stages"][1]["id"].as_i64().expect("stage");
        admin
            .post(
                "/api/v1/fields/deals",
                json!({"key": "window_type", "type": "list", "label_ru": "Тип окна", "label_en": "Window type",
                       "options": ["ПВХ", "Дерево"]}),
            )
            .await
            .expect(StatusCode::CREATED);

        let calling = json!({"name": "В 1С", "pipeline_id": pipeline, "stage_id": second,
                             "action": "call_webhook"});
        let refused = admin.post("/api/v1/automation-rules", calling.clone()).await;
        assert_eq!(refused.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["webhook_id"], "{}", t.name);
        let mut with_hook = calling.clone();
        with_hook["webhook_id"] = json!(made.id());
        let rule = admin.post("/api/v1/automation-rules", with_hook).await.expect(StatusCode::CREATED);
        assert_eq!(rule.body["webhook_id"], made.id(), "{}", t.name);
        let setting = |field: &str, value: &str| {
            json!({"name": format!("Поле {field}"), "pipeline_id": pipeline, "stage_id": second,
                   "action": "set_field", "set_field": field, "set_value": value})
        };
        for (field, value, named) in [
            ("amount", "много", "set_value"),
            ("custom.window_type", "Стекло", "set_value"),
            ("owner_id", "1", "set_field"),
        ] {
            let refused = admin.post("/api/v1/automation-rules", setting(field, value)).await;
            let refused = refused.expect(StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(refused.error_fields(), [named], "{}: {field}", t.name);
        }
        admin.post("/api/v1/automation-rules", setting("amount", "250 000")).await.expect(StatusCode::CREATED);
        admin
            .post("/api/v1/automation-rules", setting("custom.window_type", "Дерево"))
            .await
            .expect(StatusCode::CREATED);

        let deal = m1.post("/api/v1/deals", json!({"title": "Окна на дачу", "amount": "100000"})).await;
        let deal = deal.expect(StatusCode::CREATED).id();
        m1.patch(&format!("/api/v1/deals/{deal}"), json!({"stage_id": second})).await.expect(StatusCode::OK);
        // Each round's jobs queue the next (the rule's run queues its webhook call).
        while jobs::run_due_with(&t.db, "w", &outbound, orbita_domain::now()).await.expect("run") > 0 {}

        // At its stage now, the test run says where it would call.
        let preview = admin.post(&format!("/api/v1/automation-rules/{}/test", rule.id()), json!({"deal_id": deal})).await;
        let preview = preview.expect(StatusCode::OK);
        assert_eq!((preview.body["would_fire"].as_bool(), preview.body["webhook_url"].as_str()), (Some(true), Some(url.as_str())), "{}", t.name);
        let read = m1.get(&format!("/api/v1/deals/{deal}")).await.expect(StatusCode::OK);
        assert_eq!(
            (read.body["amount"].as_str(), read.body["custom"]["window_type"].as_str()),
            (Some("250000.00"), Some("Дерево")),
            "{}: the rules set both fields: {}",
            t.name,
            read.body
        );
        let filter = orbita_domain::list::AuditFilter { entity: Some("deal".into()), ..Default::default() };
        let audit = orbita_storage::audit::list(&t.db, &filter, None, 50).await.expect("audit").items;
        let by_rule = audit.iter().find(|e| e.changes.iter().any(|c| c.field == "amount") && e.via.is_some());
        assert_eq!(
            by_rule.and_then(|e| e.via.as_deref()),
            Some("automation: Поле amount"),
            "{}: audited as the rule",
            t.name
        );

        let received = got.got.lock().expect("lock").clone();
        assert_eq!(received.len(), 1, "{}", t.name);
        let (signed, body) = &received[0];
        let payload: Value = serde_json::from_str(body).expect("json");
        assert_eq!(payload["event"], "automation.rule", "{}", t.name);
        assert_eq!(payload["data"]["rule"]["name"], "В 1С", "{}", t.name);
        assert_eq!(payload["data"]["deal"]["id"], deal, "{}", t.name);
        assert_eq!(payload["data"]["deal"]["stage_id"], second, "{}", t.name);
        let stamp: i64 = signed.split(',').next().and_then(|p| p.strip_prefix("t=")).expect("t=").parse().expect("t");
        assert_eq!(signed, &signature(&secret, stamp, body), "{}: signed", t.name);

        // The webhook deleted: the rule stays, and says what it lacks.
        admin.delete(&format!("/api/v1/webhooks/{}", made.id())).await.expect(StatusCode::NO_CONTENT);
        let rule = admin.get(&format!("/api/v1/automation-rules/{}", rule.id())).await.expect(StatusCode::OK);
        assert!(rule.body["webhook_id"].is_null(), "{}: {}", t.name, rule.body);
        let preview = admin.post(&format!("/api/v1/automation-rules/{}/test", rule.id()), json!({"deal_id": deal})).await;
        assert_eq!(preview.expect(StatusCode::OK).body["would_fire"], false, "{}", t.name);
        t
    })
    .await;
}
