//! What every endpoint shares: tokens and rights, idempotent retries, lost-update protection,
//! the rate limit, problem documents for anything a client sends wrong, and the OpenAPI
//! document. On SQLite and PostgreSQL.

mod support;

use std::time::Duration;

use chrono::TimeDelta;

use axum::http::{Method, StatusCode};
use orbita_api::ApiConfig;
use orbita_app::api_tokens::TokenInput;
use orbita_app::{Access, RequestContext, api_tokens};
use orbita_domain::audit::AuditAction;
use orbita_storage::audit::AuditFilter;
use orbita_testkit::on_both;
use serde_json::{Value, json};
use support::{org, org_with, token_for};

#[tokio::test]
async fn tokens_act_with_their_users_rights() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let anonymous = org.client.anonymous();
        let no_token = anonymous.get("/api/v1/companies").await.expect(StatusCode::UNAUTHORIZED);
        assert_eq!(no_token.header("www-authenticate"), "Bearer realm=\"orbita\"");
        org.client.as_token("orb_0000").get("/api/v1/companies").await.expect(StatusCode::UNAUTHORIZED);
        org.client.as_token("not-even-ours").get("/api/v1/companies").await.expect(StatusCode::UNAUTHORIZED);
        anonymous
            .send(Method::GET, "/api/v1/companies", None, &[("authorization", "Basic YTpi")])
            .await
            .expect(StatusCode::UNAUTHORIZED);
        // Unknown paths and methods under the API are problems too, after authentication.
        anonymous.get("/api/v1/nothing-here").await.expect(StatusCode::UNAUTHORIZED);
        org.admin().get("/api/v1/nothing-here").await.expect(StatusCode::NOT_FOUND);
        let put = org.admin().send(Method::PUT, "/api/v1/companies", Some(&json!({})), &[]).await;
        put.expect(StatusCode::METHOD_NOT_ALLOWED);

        // Read-only: may read everything, create nothing.
        let reader = org.reader();
        reader.get("/api/v1/companies").await.expect(StatusCode::OK);
        reader.post("/api/v1/companies", json!({"name": "x"})).await.expect(StatusCode::FORBIDDEN);
        reader.post("/api/v1/deals", json!({"title": "x"})).await.expect(StatusCode::FORBIDDEN);

        // A manager does not see another manager's company: 404, not 403.
        let company = org.manager2().post("/api/v1/companies", json!({"name": "Чужая"})).await.id();
        let path = format!("/api/v1/companies/{company}");
        org.manager1().get(&path).await.expect(StatusCode::NOT_FOUND);
        org.manager1().patch(&path, json!({"name": "Моя"})).await.expect(StatusCode::NOT_FOUND);
        org.manager1().delete(&path).await.expect(StatusCode::NOT_FOUND);
        let listed = org.manager1().get("/api/v1/companies").await.expect(StatusCode::OK);
        assert_eq!(listed.body["items"], json!([]));
        reader.get(&path).await.expect(StatusCode::OK);

        // Revoked: 401 from then on. Tokens are managed by their owner only.
        let access = Access::load(&t.db, org.manager2, None).await.expect("access");
        let tokens = api_tokens::list(&t.db, &access).await.expect("tokens");
        assert_eq!(tokens.len(), 1);
        assert!(tokens[0].last_used_at.is_some());
        let reader_access = Access::load(&t.db, org.reader, None).await.expect("access");
        let foreign = api_tokens::revoke(&t.db, &reader_access, tokens[0].id).await;
        assert!(matches!(foreign, Err(orbita_app::AppError::NotFound)));
        api_tokens::revoke(&t.db, &access, tokens[0].id).await.expect("revoke");
        org.manager2().get("/api/v1/companies").await.expect(StatusCode::UNAUTHORIZED);
        assert!(api_tokens::list(&t.db, &access).await.expect("tokens")[0].revoked_at.is_some());

        // A second token of the same user works; creating and revoking were audited.
        let second = api_tokens::create(&t.db, &access, &TokenInput::named("second")).await.expect("token");
        assert!(second.secret.starts_with("orb_"));
        org.client.as_token(&second.secret).get(&path).await.expect(StatusCode::OK);
        let admin = Access::load(&t.db, org.admin, None).await.expect("access");
        let filter = AuditFilter { entity: Some("api_token".into()), ..AuditFilter::default() };
        let events = orbita_app::admin::audit_log(&t.db, &admin, &filter, None, 50).await.expect("log");
        let actions: Vec<_> = events.items.iter().map(|e| e.action).collect();
        assert_eq!(actions.iter().filter(|a| **a == AuditAction::Create).count(), 5);
        assert_eq!(actions.iter().filter(|a| **a == AuditAction::Delete).count(), 1);
        assert_eq!(events.items[0].actor_id, Some(org.manager2), "the newest: the second token");
        t
    })
    .await;
}

#[tokio::test]
async fn api_changes_are_audited_as_their_user() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let id = org.manager1().post("/api/v1/companies", json!({"name": "Ромашка"})).await.id();
        org.manager1().patch(&format!("/api/v1/companies/{id}"), json!({"region": "Тверь"})).await;
        let admin = Access::load(&t.db, org.admin, None).await.expect("access");
        let filter =
            AuditFilter { entity: Some("company".into()), entity_id: Some(id), ..AuditFilter::default() };
        let events = orbita_app::admin::audit_log(&t.db, &admin, &filter, None, 50).await.expect("log");
        assert_eq!(events.items.len(), 2);
        assert!(events.items.iter().all(|e| e.actor_id == Some(org.manager1)));
        assert_eq!(events.items[0].changes[0].field, "region");
        t
    })
    .await;
}

#[tokio::test]
async fn a_retried_post_with_the_same_idempotency_key_creates_one_record() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let m1 = org.manager1();
        let body = json!({"name": "Ромашка", "region": "Тверь"});
        let key = [("idempotency-key", "retry-me-1")];
        let first =
            m1.send(Method::POST, "/api/v1/companies", Some(&body), &key).await.expect(StatusCode::CREATED);
        // The same JSON in another member order is the same request.
        let reordered = json!({"region": "Тверь", "name": "Ромашка"});
        let again = m1.send(Method::POST, "/api/v1/companies", Some(&reordered), &key).await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.body, first.body);
        assert_eq!(again.header("location"), first.header("location"));
        assert_eq!(again.header("etag"), first.header("etag"));
        assert_eq!(again.header("idempotent-replayed"), "true");
        let listed = m1.get("/api/v1/companies").await.expect(StatusCode::OK);
        assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));

        // The same key with another body, or on another path: 422, nothing created.
        let other = json!({"name": "Другая"});
        let reused = m1.send(Method::POST, "/api/v1/companies", Some(&other), &key).await;
        assert_eq!(reused.expect(StatusCode::UNPROCESSABLE_ENTITY).error_codes(), ["idempotency-key-reused"]);
        m1.send(Method::POST, "/api/v1/contacts", Some(&json!({"last_name": "x"})), &key)
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        // Keys belong to a token: another token's same key is another request.
        let theirs = org.manager2().send(Method::POST, "/api/v1/companies", Some(&other), &key).await;
        assert_eq!(theirs.status, StatusCode::CREATED);

        // A refused request is replayed as refused, and still creates nothing.
        let invalid = json!({"name": ""});
        let bad_key = [("idempotency-key", "retry-me-2")];
        for _ in 0..2 {
            m1.send(Method::POST, "/api/v1/companies", Some(&invalid), &bad_key)
                .await
                .expect(StatusCode::UNPROCESSABLE_ENTITY);
        }
        let long_key = "k".repeat(256);
        m1.send(Method::POST, "/api/v1/companies", Some(&body), &[("idempotency-key", long_key.as_str())])
            .await
            .expect(StatusCode::BAD_REQUEST);

        // Simultaneous retries: one runs, the others get its answer.
        let racing = [("idempotency-key", "race")];
        let body = json!({"name": "Гонка"});
        let sends = (0..4).map(|_| {
            let m1 = m1.clone();
            let body = body.clone();
            tokio::spawn(
                async move { m1.send(Method::POST, "/api/v1/companies", Some(&body), &racing).await },
            )
        });
        let mut ids = Vec::new();
        for send in sends {
            let response = send.await.expect("task");
            assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
            ids.push(response.id());
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "one record for one key");
        let named = m1.get("/api/v1/companies?q=Гонка").await.expect(StatusCode::OK);
        assert_eq!(named.body["items"].as_array().map(Vec::len), Some(1));
        t
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_concurrent_patches_with_the_same_if_match_one_gets_412() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let m1 = org.manager1();
        let created =
            m1.post("/api/v1/companies", json!({"name": "Ромашка"})).await.expect(StatusCode::CREATED);
        let path = format!("/api/v1/companies/{}", created.id());
        let etag = created.header("etag").to_owned();
        let patch = |region: &'static str| {
            let (m1, path, etag) = (m1.clone(), path.clone(), etag.clone());
            tokio::spawn(async move { m1.patch_if(&path, &etag, json!({"region": region})).await })
        };
        let (a, b) = (patch("Тверь"), patch("Псков"));
        let (a, b) = (a.await.expect("task"), b.await.expect("task"));
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED], "{} / {}", a.body, b.body);
        let winner = if a.status == StatusCode::OK { &a } else { &b };
        let stored = m1.get(&path).await.expect(StatusCode::OK);
        assert_eq!(stored.body["region"], winner.body["region"]);
        assert_eq!(stored.body["version"], json!(2));

        // Without If-Match both apply, one after the other (last write wins, field by field).
        let (c, d) = (
            {
                let (m1, path) = (m1.clone(), path.clone());
                tokio::spawn(async move { m1.patch(&path, json!({"industry": "Окна"})).await })
            },
            {
                let (m1, path) = (m1.clone(), path.clone());
                tokio::spawn(async move {
                    m1.patch(&path, json!({"address": "Тверь, ул. Мира, 1"})).await
                })
            },
        );
        assert_eq!(c.await.expect("task").status, StatusCode::OK);
        assert_eq!(d.await.expect("task").status, StatusCode::OK);
        let both = m1.get(&path).await.expect(StatusCode::OK);
        assert_eq!((both.body["industry"].clone(), both.body["version"].clone()), (json!("Окна"), json!(4)));
        assert_eq!(both.body["address"], "Тверь, ул. Мира, 1");
        t
    })
    .await;
}

#[tokio::test]
async fn a_token_over_its_limit_gets_429_with_retry_after() {
    on_both(|t| async move {
        let config = ApiConfig { rate_limit_per_minute: 3, ..ApiConfig::default() };
        let org = org_with(&t.db, config).await;
        let m1 = org.manager1();
        let mut statuses = Vec::new();
        let mut limited = None;
        // A minute boundary may fall inside the loop; then the count starts again.
        for _ in 0..8 {
            let response = m1.get("/api/v1/companies").await;
            statuses.push(response.status);
            if response.status == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(response);
                break;
            }
        }
        assert_eq!(&statuses[..3], [StatusCode::OK; 3]);
        let limited = limited.expect("a 429").expect(StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = limited.header("retry-after").parse().expect("seconds");
        assert!((1..=60).contains(&retry));
        // Another token has its own count.
        org.manager2().get("/api/v1/companies").await.expect(StatusCode::OK);
        t
    })
    .await;
}

#[tokio::test]
async fn a_key_claimed_for_another_request_is_refused_while_that_one_runs() {
    on_both(|t| async move {
        let config = ApiConfig { idempotency_wait: Duration::from_millis(200), ..ApiConfig::default() };
        let org = org_with(&t.db, config).await;
        // A key whose first request (another body) is still running: claimed, not completed.
        let access = Access::load(&t.db, org.manager1, None).await.expect("access");
        let token = api_tokens::list(&t.db, &access).await.expect("tokens")[0].id;
        let other_request = "0".repeat(64);
        let claim =
            api_tokens::idempotency::claim(&t.db, token, "busy", &other_request, TimeDelta::minutes(5))
                .await
                .expect("claim");
        assert_eq!(claim, api_tokens::idempotency::Claim::Run);
        let again =
            api_tokens::idempotency::claim(&t.db, token, "busy", &other_request, TimeDelta::minutes(5))
                .await
                .expect("claim");
        assert_eq!(again, api_tokens::idempotency::Claim::Pending);
        let body = json!({"name": "x"});
        let key = [("idempotency-key", "busy")];
        let reused = org.manager1().send(Method::POST, "/api/v1/companies", Some(&body), &key).await;
        assert_eq!(reused.expect(StatusCode::UNPROCESSABLE_ENTITY).error_codes(), ["idempotency-key-reused"]);
        // A pending key whose request died long ago is taken over.
        let stale = api_tokens::idempotency::claim(&t.db, token, "busy", &other_request, TimeDelta::zero())
            .await
            .expect("claim");
        assert_eq!(stale, api_tokens::idempotency::Claim::Run);
        t
    })
    .await;
}

#[tokio::test]
async fn the_openapi_document_describes_every_operation() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let doc = org.client.anonymous().get("/api/v1/openapi.json").await;
        assert_eq!(doc.status, StatusCode::OK);
        let doc: Value = doc.body;
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().expect("paths");
        let mut operations = 0;
        for (resource, item) in [
            ("companies", true),
            ("contacts", true),
            ("deals", true),
            ("tasks", true),
            ("activities", true),
            ("users", false),
        ] {
            let collection = &paths[&format!("/api/v1/{resource}")];
            let member = &paths[&format!("/api/v1/{resource}/{{id}}")];
            assert!(collection["get"].is_object() && member["get"].is_object(), "{resource}");
            if item {
                for op in [&collection["post"], &member["patch"], &member["delete"]] {
                    assert!(op.is_object(), "{resource}");
                }
            }
        }
        assert!(paths["/api/v1/pipelines"]["get"].is_object());
        for item in paths.values() {
            for (method, op) in item.as_object().expect("item") {
                operations += 1;
                let responses = &op["responses"];
                for status in ["401", "403", "404", "422", "429"] {
                    assert!(responses[status].is_object(), "{method} lacks {status}");
                }
                if method == "patch" {
                    assert!(responses["412"].is_object());
                }
            }
        }
        // Five resources of five operations, users (2), pipelines (1); sales targets (3), the
        // reports (2), and each list's, the summary's, the funnel's and the targets' XLSX and
        // CSV (16); and whatever else is added, each with its problem responses (checked above).
        assert!(operations >= 5 * 5 + 3 + 3 + 2 + 16, "{operations} operations");
        for (path, methods) in [
            ("/api/v1/sales-targets", &["get"][..]),
            ("/api/v1/sales-targets/{user_id}/{month}", &["get", "put"][..]),
            ("/api/v1/reports/summary", &["get"][..]),
            ("/api/v1/reports/funnel", &["get"][..]),
            ("/api/v1/reports/funnel.xlsx", &["get"][..]),
            ("/api/v1/reports/funnel.csv", &["get"][..]),
        ] {
            for method in methods {
                assert!(paths[path][*method].is_object(), "{method} {path}");
            }
        }
        for list in ["companies", "contacts", "deals", "tasks", "activities", "reports/summary", "sales-targets"] {
            for extension in ["xlsx", "csv"] {
                assert!(paths[&format!("/api/v1/{list}.{extension}")]["get"].is_object(), "{list}.{extension}");
            }
        }
        let put = &paths["/api/v1/sales-targets/{user_id}/{month}"]["put"];
        for status in ["200", "400", "413", "415", "422"] {
            assert!(put["responses"][status].is_object(), "put lacks {status}");
        }
        for (path, media) in [
            ("/api/v1/companies.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("/api/v1/reports/summary.csv", "text/csv"),
        ] {
            let ok = &paths[path]["get"]["responses"]["200"];
            assert_eq!(ok["content"][media]["schema"]["$ref"], "#/components/schemas/FileBody", "{path}");
            assert!(ok["headers"]["Content-Disposition"].is_object(), "{path}");
        }
        let file = &doc["components"]["schemas"]["FileBody"];
        assert_eq!((file["type"].as_str(), file["format"].as_str()), (Some("string"), Some("binary")));
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        for name in ["Problem", "FieldProblem", "Company", "CompanyPage", "DealWrite", "TaskPatch", "DealStatus"] {
            assert!(schemas.contains_key(name), "{name}");
        }
        assert_eq!(doc["components"]["responses"]["ValidationFailed"]["content"]["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem");
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
        let docs = org.client.anonymous().get("/api/docs/").await;
        assert_eq!(docs.status, StatusCode::OK);
        assert!(docs.body.as_str().is_some_and(|html| html.contains("swagger-ui")));
        t
    })
    .await;
}

#[tokio::test]
async fn the_cli_path_makes_tokens_by_email() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let secret = token_for(&t.db, "M1@X.RU").await;
        org.client.as_token(&secret).get("/api/v1/companies").await.expect(StatusCode::OK);
        let unknown = api_tokens::create_for_email(
            &t.db,
            &RequestContext::system(),
            "nobody@x.ru",
            &TokenInput::default(),
        )
        .await;
        assert!(matches!(unknown, Err(orbita_app::AppError::Invalid(_))));
        t
    })
    .await;
}
