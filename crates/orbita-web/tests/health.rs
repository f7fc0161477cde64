//! Health checks in-process: `/healthz` answers while the process lives, `/readyz` only while
//! the database answers.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use orbita_testkit::on_both;
use orbita_web::{AppState, router};
use tower::ServiceExt;

async fn call(state: &AppState, path: &str) -> (StatusCode, String) {
    let request = Request::get(path).body(Body::empty()).expect("request");
    let response = router(state.clone(), orbita_api::router(state.db.clone(), false))
        .oneshot(request)
        .await
        .expect("response");
    let status = response.status();
    let body = response.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn health_and_readiness_follow_the_database() {
    on_both(|t| async move {
        let state = AppState::new(t.db.clone());
        assert_eq!(call(&state, "/healthz").await, (StatusCode::OK, "ok".into()));
        assert_eq!(call(&state, "/readyz").await, (StatusCode::OK, "ready".into()), "{}", t.name);
        t.db.close().await;
        assert_eq!(call(&state, "/readyz").await.0, StatusCode::SERVICE_UNAVAILABLE, "{}", t.name);
        assert_eq!(call(&state, "/healthz").await.0, StatusCode::OK);
        assert_eq!(call(&state, "/no-such-page").await.0, StatusCode::NOT_FOUND);
        t
    })
    .await;
}
