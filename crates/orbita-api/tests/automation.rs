//! `/api/v1/automation-rules` on SQLite and PostgreSQL: administrators create, read, patch and
//! delete rules, mistakes are named per field, managers are refused; a deal created through
//! the API gets the rule's task once the worker runs, and the rule's runs say so.

mod support;

use axum::http::StatusCode;
use orbita_testkit::on_both;
use serde_json::json;
use support::org;

#[tokio::test]
async fn rules_are_managed_by_administrators_and_set_tasks_on_deals() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (admin, m1) = (org.admin(), org.manager1());
        let pipelines = m1.get("/api/v1/pipelines").await.expect(StatusCode::OK);
        let pipeline = &pipelines.body["items"][0];
        let second_stage = pipeline["stages"][1]["id"].as_i64().expect("stage");
        let rule = json!({"name": "Первый звонок", "pipeline_id": pipeline["id"], "trigger": "deal_created",
            "task_title": "Позвонить: {title}", "due_minutes": 15});

        m1.post("/api/v1/automation-rules", rule.clone()).await.expect(StatusCode::FORBIDDEN);
        m1.get("/api/v1/automation-rules").await.expect(StatusCode::FORBIDDEN);
        let bad = admin
            .post("/api/v1/automation-rules", json!({"name": "", "pipeline_id": pipeline["id"], "task_title": "x",
                "delay_minutes": -5, "assignee": "round_robin", "condition": {"field": "nope", "op": "eq", "value": 1}}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        let fields = bad.error_fields();
        for field in ["name", "delay_minutes", "stage_id", "assignee_group_id"] {
            assert!(fields.contains(&field.to_owned()), "{}: {field} in {fields:?}", t.name);
        }
        admin.get("/api/v1/automation-rules").await.expect(StatusCode::OK);

        let made = admin.post("/api/v1/automation-rules", rule).await.expect(StatusCode::CREATED);
        let id = made.id();
        assert_eq!(made.body["trigger"], "deal_created", "{}", t.name);
        assert_eq!(made.body["assignee"], "deal_owner", "{}", t.name);
        assert_eq!(made.body["active"], true, "{}", t.name);
        assert_eq!(made.body["due_in_working_hours"], false, "{}: plain minutes unless asked", t.name);
        let patched = admin
            .patch(&format!("/api/v1/automation-rules/{id}"), json!({"condition": {"field": "amount", "op": "gte", "value": "1000"}}))
            .await
            .expect(StatusCode::OK);
        assert_eq!(patched.body["condition"]["op"], "gte", "{}", t.name);
        assert_eq!(patched.body["name"], "Первый звонок", "{}: the rest stays", t.name);
        let working = admin
            .patch(&format!("/api/v1/automation-rules/{id}"), json!({"due_in_working_hours": true}))
            .await
            .expect(StatusCode::OK);
        assert_eq!(working.body["due_in_working_hours"], true, "{}", t.name);
        assert_eq!(working.body["condition"]["op"], "gte", "{}: the rest stays", t.name);
        let watch = json!({"name": "Сумма", "pipeline_id": pipeline["id"], "trigger": "field_changed",
            "trigger_field": "colour", "action": "notify", "task_title": "Сумма: {amount}"});
        let unknown = admin.post("/api/v1/automation-rules", watch.clone()).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unknown.error_fields(), ["trigger_field"], "{}", t.name);
        let not_a_date = admin
            .patch(&format!("/api/v1/automation-rules/{id}"), json!({"due_field": "amount"}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(not_a_date.error_fields(), ["due_field"], "{}", t.name);
        let on_close = admin
            .patch(&format!("/api/v1/automation-rules/{id}"), json!({"due_field": "expected_close_date"}))
            .await
            .expect(StatusCode::OK);
        assert_eq!(on_close.body["due_field"], "expected_close_date", "{}", t.name);
        let mut watch = watch;
        watch["trigger_field"] = json!("amount");
        let watching = admin.post("/api/v1/automation-rules", watch).await.expect(StatusCode::CREATED);
        assert_eq!((&watching.body["trigger"], &watching.body["trigger_field"]), (&json!("field_changed"), &json!("amount")));
        admin.delete(&format!("/api/v1/automation-rules/{}", watching.id())).await.expect(StatusCode::NO_CONTENT);

        let deal = m1.post("/api/v1/deals", json!({"title": "Окна", "amount": "5000"})).await.expect(StatusCode::CREATED);
        orbita_app::jobs::run_due(&t.db, "w").await.expect("run");
        let tasks = m1.get(&format!("/api/v1/tasks?deal_id={}", deal.id())).await.expect(StatusCode::OK);
        assert_eq!(tasks.body["items"][0]["title"], "Позвонить: Окна", "{}: {}", t.name, tasks.body);
        let tried = admin
            .post(&format!("/api/v1/automation-rules/{id}/test"), json!({"deal_id": deal.id()}))
            .await
            .expect(StatusCode::OK);
        assert_eq!(tried.body["would_fire"], true, "{}: {}", t.name, tried.body);
        assert_eq!(tried.body["task"]["title"], "Позвонить: Окна", "{}", t.name);
        let missing = admin.post(&format!("/api/v1/automation-rules/{id}/test"), json!({"deal_id": 999_999})).await;
        assert_eq!(missing.expect(StatusCode::UNPROCESSABLE_ENTITY).error_fields(), ["deal_id"], "{}", t.name);
        m1.post(&format!("/api/v1/automation-rules/{id}/test"), json!({"deal_id": deal.id()})).await.expect(StatusCode::FORBIDDEN);
        let runs = admin.get(&format!("/api/v1/automation-rules/{id}/runs")).await.expect(StatusCode::OK);
        assert_eq!(runs.body["items"][0]["outcome"], "fired", "{}", t.name);
        assert_eq!(runs.body["items"][0]["deal_id"], deal.id(), "{}", t.name);

        // A stage rule needs its stage; moving a deal there sets its task too.
        let stage_rule = json!({"name": "КП", "pipeline_id": pipeline["id"], "stage_id": second_stage,
            "task_title": "Подготовить КП", "assignee": "user", "assignee_user_id": 1});
        let stage_made = admin.post("/api/v1/automation-rules", stage_rule).await.expect(StatusCode::CREATED);
        let listed = admin
            .get(&format!("/api/v1/automation-rules?pipeline_id={}", pipeline["id"]))
            .await
            .expect(StatusCode::OK);
        assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(2), "{}", t.name);
        assert_eq!(listed.body["items"][1]["action"], "set_task", "{}", t.name);
        // A rule that tells the deal's owner, tried on a deal: the notice it would send.
        let notice = json!({"name": "Сообщить", "pipeline_id": pipeline["id"], "trigger": "deal_created",
            "action": "notify", "task_title": "Клиент ждёт: {title}"});
        let notice = admin.post("/api/v1/automation-rules", notice).await.expect(StatusCode::CREATED);
        assert_eq!(notice.body["action"], "notify", "{}", t.name);
        let tried = admin
            .post(&format!("/api/v1/automation-rules/{}/test", notice.id()), json!({"deal_id": deal.id()}))
            .await
            .expect(StatusCode::OK);
        assert_eq!(tried.body["would_fire"], true, "{}: {}", t.name, tried.body);
        let text = tried.body["notice"]["text"].as_str().unwrap_or_default();
        assert!(text.starts_with("Клиент ждёт: ") && text.len() > "Клиент ждёт: ".len(), "{}: {text}", t.name);
        assert_eq!(tried.body["notice"]["recipient_id"], org.manager1.0, "{}: the deal's owner", t.name);
        assert_eq!(tried.body["task"], json!(null), "{}", t.name);
        let no_stage = json!({"name": "Дальше", "pipeline_id": pipeline["id"], "stage_id": second_stage,
            "action": "move_stage"});
        let refused = admin.post("/api/v1/automation-rules", no_stage).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.to_string().contains("target_stage_id"), "{}: {}", t.name, refused.body);
        admin.delete(&format!("/api/v1/automation-rules/{}", notice.id())).await.expect(StatusCode::NO_CONTENT);
        admin.delete(&format!("/api/v1/automation-rules/{}", stage_made.id())).await.expect(StatusCode::NO_CONTENT);
        admin.get(&format!("/api/v1/automation-rules/{}", stage_made.id())).await.expect(StatusCode::NOT_FOUND);
        admin.delete(&format!("/api/v1/automation-rules/{id}")).await.expect(StatusCode::NO_CONTENT);
        t
    })
    .await;
}

#[tokio::test]
async fn each_user_reads_and_marks_their_own_notifications() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let (admin, m1, m2) = (org.admin(), org.manager1(), org.manager2());
        let task = json!({"title": "Перезвонить", "assignee_id": org.manager1.0});
        admin.post("/api/v1/tasks", task).await.expect(StatusCode::CREATED);
        let count = m1.get("/api/v1/notifications/unread-count").await.expect(StatusCode::OK);
        assert_eq!(count.body["count"], 1, "{}", t.name);
        let list = m1.get("/api/v1/notifications?unread=true&limit=1").await.expect(StatusCode::OK);
        let item = &list.body["items"][0];
        assert_eq!(
            (item["kind"].as_str(), item["entity"].as_str()),
            (Some("task_assigned"), Some("task")),
            "{}",
            t.name
        );
        assert_eq!(item["subject"], "Перезвонить", "{}", t.name);
        assert_eq!(list.body["next_cursor"], serde_json::Value::Null, "{}", t.name);
        let id = item["id"].as_i64().expect("id");
        m2.post(&format!("/api/v1/notifications/{id}/read"), json!({})).await.expect(StatusCode::NOT_FOUND);
        m1.post(&format!("/api/v1/notifications/{id}/read"), json!({})).await.expect(StatusCode::NO_CONTENT);
        let count = m1.get("/api/v1/notifications/unread-count").await.expect(StatusCode::OK);
        assert_eq!(count.body["count"], 0, "{}", t.name);
        m1.get("/api/v1/notifications?limit=0").await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        m1.get("/api/v1/notifications?cursor=abc").await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        m2.post("/api/v1/notifications/read", json!({})).await.expect(StatusCode::NO_CONTENT);

        // Each user's choices: every kind listed with both channels on; e-mail off on this server.
        let prefs = m1.get("/api/v1/notifications/preferences").await.expect(StatusCode::OK);
        assert_eq!(prefs.body["kinds"]["task_overdue"], json!({"in_app": true, "email": true}), "{}", t.name);
        assert_eq!(prefs.body["kinds"].as_object().map(|k| k.len()), Some(7), "{}", t.name);
        assert_eq!((&prefs.body["digest_hour"], &prefs.body["email_enabled"]), (&json!(null), &json!(false)));
        let patch = json!({"kinds": {"task_overdue": {"email": false}}, "digest_hour": 8});
        let changed = m1.patch("/api/v1/notifications/preferences", patch).await.expect(StatusCode::OK);
        assert_eq!(
            changed.body["kinds"]["task_overdue"],
            json!({"in_app": true, "email": false}),
            "{}",
            t.name
        );
        assert_eq!(
            changed.body["kinds"]["task_assigned"],
            json!({"in_app": true, "email": true}),
            "{}",
            t.name
        );
        assert_eq!(changed.body["digest_hour"], 8, "{}", t.name);
        // Another user's are their own; a wrong hour or kind is refused and changes nothing.
        let theirs = m2.get("/api/v1/notifications/preferences").await.expect(StatusCode::OK);
        assert_eq!(theirs.body["digest_hour"], json!(null), "{}", t.name);
        for bad in
            [json!({"digest_hour": 24}), json!({"kinds": {"rockets": {"email": true}}}), json!({"mood": 1})]
        {
            m1.patch("/api/v1/notifications/preferences", bad).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        }
        let off = m1.patch("/api/v1/notifications/preferences", json!({"digest_hour": null})).await;
        assert_eq!(off.expect(StatusCode::OK).body["digest_hour"], json!(null), "{}", t.name);
        t
    })
    .await;
}
