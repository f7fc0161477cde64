//! `/api/v1/settings` on SQLite and PostgreSQL: administrators read and change the
//! organisation's settings and its working week, a mistake is named by its field and changes
//! nothing, a manager may not change them.

mod support;

use axum::http::StatusCode;
use orbita_testkit::on_both;
use serde_json::json;
use support::org;

#[tokio::test]
async fn the_working_week_is_read_and_changed_by_administrators() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (admin, m1) = (org.admin(), org.manager1());
        let read = admin.get("/api/v1/settings").await.expect(StatusCode::OK);
        assert_eq!(
            read.body["working_week"],
            json!({"days": [1, 2, 3, 4, 5], "start": "09:00", "end": "18:00"})
        );
        assert_eq!(read.body["time_zone"], "Europe/Moscow", "{}", t.name);

        let changed = admin
            .patch("/api/v1/settings", json!({"working_week": {"days": [1, 2, 3, 4, 5, 6], "end": "20:00"}}))
            .await
            .expect(StatusCode::OK);
        assert_eq!(
            changed.body["working_week"],
            json!({"days": [1, 2, 3, 4, 5, 6], "start": "09:00", "end": "20:00"})
        );
        assert_eq!(changed.body["name"], read.body["name"], "{}: the rest stays", t.name);
        let week = orbita_app::setup::settings(&t.db).await.expect("settings").working_hours;
        assert_eq!(week.days_text(), "123456", "{}", t.name);

        let wrong = admin
            .patch(
                "/api/v1/settings",
                json!({"working_week": {"days": [], "start": "25:00"}, "time_zone": "Mars/Olympus"}),
            )
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        let mut fields = wrong.error_fields();
        fields.sort();
        assert_eq!(fields, ["time_zone", "working_week.days", "working_week.start"], "{}", t.name);
        let unknown = admin.patch("/api/v1/settings", json!({"colour": "red"})).await;
        unknown.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let kept = admin.get("/api/v1/settings").await.expect(StatusCode::OK);
        assert_eq!(kept.body, changed.body, "{}: a refused change changes nothing", t.name);

        m1.patch("/api/v1/settings", json!({"name": "Моя"})).await.expect(StatusCode::FORBIDDEN);
        t
    })
    .await;
}
