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
