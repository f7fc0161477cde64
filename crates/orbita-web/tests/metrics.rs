//! `/metrics`: only with the token when one is set (or from the machine itself when none is);
//! the Prometheus text holds the requests by route and status, the pools and the job queue,
//! and its counters move with requests.

mod support;

use axum::body::Body;
use axum::http::{StatusCode, header};
use orbita_testkit::on_both;
use support::Browser;

/// The value of the first sample line that starts with `series` (its name and labels).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn scrape(browser: &mut Browser, token: Option<&str>) -> support::Response {
    let mut request = browser.request("GET", "/metrics");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    browser.send(request.body(Body::empty()).expect("request")).await
}

#[tokio::test]
async fn metrics_need_the_token_and_count_requests_by_route() {
    on_both(|t| async move {
        let config =
            orbita_web::WebConfig { metrics_token: Some("metrics-s3cret".into()), ..Default::default() };
        let mut scraper = Browser::with_config(&t.db, config);
        assert_eq!(scrape(&mut scraper, None).await.status, StatusCode::NOT_FOUND, "{}", t.name);
        assert_eq!(scrape(&mut scraper, Some("wrong")).await.status, StatusCode::NOT_FOUND, "{}", t.name);

        let before = scrape(&mut scraper, Some("metrics-s3cret")).await;
        assert_eq!(before.status, StatusCode::OK, "{}", t.name);
        assert!(
            before
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .starts_with("text/plain"),
            "{}",
            t.name
        );
        assert!(before.body.contains("orbita_db_pool_connections{pool="), "{}: {}", t.name, before.body);
        assert!(before.body.contains("orbita_jobs_queued{state="), "{}: {}", t.name, before.body);
        let series = r#"orbita_http_requests_total{route="/healthz",method="GET",status="200"}"#;
        let was = sample(&before.body, series).unwrap_or(0.0);
        for _ in 0..3 {
            scraper.get("/healthz").await;
        }
        let after = scrape(&mut scraper, Some("metrics-s3cret")).await;
        let now = sample(&after.body, series).expect("the health checks are counted");
        // Other tests in this process may count health checks too: at least ours.
        assert!(now >= was + 3.0, "{}: {was} → {now}", t.name);
        assert!(
            after.body.contains("orbita_http_request_duration_seconds_bucket{route=\"/healthz\""),
            "{}",
            t.name
        );
        t
    })
    .await;
}
