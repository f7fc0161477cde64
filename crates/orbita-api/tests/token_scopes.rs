//! Token scopes and expiry, and who may revoke whose token: a read-only token reads and is
//! refused every write before it reaches a handler; an expired token is a 401 that says so;
//! administrators revoke anyone's token, managers only their own. On SQLite and PostgreSQL.

mod support;

use axum::http::{Method, StatusCode};
use chrono::TimeDelta;
use orbita_app::api_tokens::{self, TokenInput};
use orbita_app::{Access, AppError};
use orbita_domain::UserId;
use orbita_domain::audit::AuditAction;
use orbita_storage::Db;
use orbita_storage::audit::AuditFilter;
use orbita_testkit::on_both;
use serde_json::json;
use support::{Client, Response, org};

async fn access(db: &Db, user: UserId) -> Access {
    Access::load(db, user, None).await.expect("access")
}

fn input(scope: &str, expires_on: &str) -> TokenInput {
    TokenInput { name: format!("{scope} {expires_on}"), scope: scope.into(), expires_on: expires_on.into() }
}

/// A day after today, as the create form and the command line take it.
fn tomorrow() -> String {
    (orbita_domain::now() + TimeDelta::days(1)).format("%Y-%m-%d").to_string()
}

fn problem_type(response: &Response) -> &str {
    response.body["type"].as_str().unwrap_or_default()
}

async fn company_names(client: &Client) -> Vec<String> {
    let listed = client.get("/api/v1/companies").await.expect(StatusCode::OK);
    let items = listed.body["items"].as_array().cloned().unwrap_or_default();
    items.iter().filter_map(|c| c["name"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn a_read_only_token_reads_and_every_write_is_refused_without_a_change() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let path = format!(
            "/api/v1/companies/{}",
            org.admin().post("/api/v1/companies", json!({"name": "Ромашка"})).await.id()
        );
        // An administrator's read-only token: the role could do all of this, the scope cannot.
        let admin = access(&t.db, org.admin).await;
        let made = api_tokens::create(&t.db, &admin, &input("read_only", "")).await.expect("token");
        assert_eq!(made.token.scope.as_str(), "read_only");
        let reader = org.client.as_token(&made.secret);

        assert_eq!(company_names(&reader).await, ["Ромашка"], "{}", t.name);
        reader.get(&path).await.expect(StatusCode::OK);
        let head = reader.send(Method::HEAD, "/api/v1/companies", None, &[]).await;
        assert_eq!(head.status, StatusCode::OK, "{}", t.name);

        let refusals = [
            reader.post("/api/v1/companies", json!({"name": "Новая"})).await,
            reader.patch(&path, json!({"name": "Лютик"})).await,
            reader.delete(&path).await,
            reader.put("/api/v1/companies/1", json!({"name": "x"})).await,
            reader
                .send(
                    Method::POST,
                    "/api/v1/companies",
                    Some(&json!({"name": "Повтор"})),
                    &[("idempotency-key", "k1")],
                )
                .await,
        ];
        for refused in refusals {
            let refused = refused.expect(StatusCode::FORBIDDEN);
            assert_eq!(problem_type(&refused), "urn:orbita:problem:token-read-only", "{}", t.name);
        }
        // Nothing changed: the one company, under its name.
        assert_eq!(company_names(&org.admin()).await, ["Ромашка"], "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_read_write_token_with_an_expiry_writes() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let admin = access(&t.db, org.admin).await;
        let made = api_tokens::create(&t.db, &admin, &input("read_write", &tomorrow())).await.expect("token");
        assert!(made.token.expires_at.is_some() && !made.token.expired, "{}", t.name);
        let writer = org.client.as_token(&made.secret);

        let id = writer
            .post("/api/v1/companies", json!({"name": "Ромашка"}))
            .await
            .expect(StatusCode::CREATED)
            .id();
        let path = format!("/api/v1/companies/{id}");
        writer.patch(&path, json!({"name": "Лютик"})).await.expect(StatusCode::OK);
        assert_eq!(company_names(&writer).await, ["Лютик"], "{}", t.name);
        assert_eq!(writer.delete(&path).await.status, StatusCode::NO_CONTENT, "{}", t.name);
        assert!(company_names(&writer).await.is_empty(), "{}", t.name);

        // The creation is audited with its scope and expiry.
        let filter = AuditFilter { entity: Some("api_token".into()), ..AuditFilter::default() };
        let events = orbita_app::admin::audit_log(&t.db, &admin, &filter, None, 50).await.expect("log");
        let created = events.items.iter().find(|e| e.entity_id == Some(made.token.id)).expect("event");
        let after =
            |field: &str| created.changes.iter().find(|c| c.field == field).and_then(|c| c.after.clone());
        assert_eq!(after("scope").as_deref(), Some("read_write"), "{}", t.name);
        assert_eq!(after("expires_at"), made.token.expires_at.map(|at| at.to_rfc3339()), "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn an_expired_token_is_refused_with_a_401_that_says_so() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let manager = access(&t.db, org.manager1).await;
        // Made ten days ago to expire five days ago: no waiting for the clock.
        let then = orbita_domain::now() - TimeDelta::days(10);
        let expiry = (then + TimeDelta::days(5)).format("%Y-%m-%d").to_string();
        let made =
            api_tokens::create_at(&t.db, &manager, &input("read_write", &expiry), then).await.expect("token");

        let refused = org.client.as_token(&made.secret).get("/api/v1/companies").await;
        let refused = refused.expect(StatusCode::UNAUTHORIZED);
        assert_eq!(problem_type(&refused), "urn:orbita:problem:token-expired", "{}", t.name);
        assert_eq!(refused.body["title"], "The token has expired", "{}", t.name);
        assert!(refused.header("www-authenticate").starts_with("Bearer realm=\"orbita\""), "{}", t.name);
        let listed = api_tokens::list(&t.db, &manager).await.expect("tokens");
        assert!(listed.iter().any(|token| token.id == made.token.id && token.expired), "{}", t.name);

        // An expiry today or earlier is refused when the token is made.
        let today = orbita_domain::now().format("%Y-%m-%d").to_string();
        let past = api_tokens::create(&t.db, &manager, &input("read_only", &today)).await;
        let code = match &past {
            Err(AppError::Invalid(errors)) => errors.field("expires_at").map(|e| e.code),
            _ => None,
        };
        assert_eq!(code, Some("expiry-past"), "{}: {past:?}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn an_administrator_revokes_another_users_token_and_it_stops_working() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        org.manager1().get("/api/v1/companies").await.expect(StatusCode::OK);
        let admin = access(&t.db, org.admin).await;
        let everyone = api_tokens::list_all(&t.db, &admin).await.expect("tokens");
        let theirs = everyone.iter().find(|token| token.user_id == org.manager1.0).expect("manager's token");
        assert_eq!(theirs.owner_name, "m1@x.ru", "{}", t.name);

        api_tokens::revoke(&t.db, &admin, theirs.id).await.expect("revoke");
        org.manager1().get("/api/v1/companies").await.expect(StatusCode::UNAUTHORIZED);
        org.manager2().get("/api/v1/companies").await.expect(StatusCode::OK);

        // The revocation names who did it.
        let filter = AuditFilter { entity: Some("api_token".into()), ..AuditFilter::default() };
        let events = orbita_app::admin::audit_log(&t.db, &admin, &filter, None, 50).await.expect("log");
        let revoked = events.items.iter().find(|e| e.action == AuditAction::Delete).expect("revocation");
        assert_eq!((revoked.entity_id, revoked.actor_id), (Some(theirs.id), Some(org.admin)), "{}", t.name);
        let by = revoked.changes.iter().find(|c| c.field == "revoked_by").and_then(|c| c.after.clone());
        assert_eq!(by, Some(org.admin.to_string()), "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_manager_cannot_revoke_the_administrators_token_nor_list_everyones() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let manager = access(&t.db, org.manager1).await;
        let admin = access(&t.db, org.admin).await;
        let admins_token = api_tokens::list(&t.db, &admin).await.expect("tokens")[0].id;

        let refused = api_tokens::revoke(&t.db, &manager, admins_token).await;
        assert!(matches!(refused, Err(AppError::NotFound)), "{}: {refused:?}", t.name);
        let listed = api_tokens::list_all(&t.db, &manager).await;
        assert!(matches!(listed, Err(AppError::Forbidden)), "{}: {listed:?}", t.name);

        // Nothing changed: the token works and no revocation was recorded.
        org.admin().get("/api/v1/companies").await.expect(StatusCode::OK);
        assert!(api_tokens::list(&t.db, &admin).await.expect("tokens")[0].revoked_at.is_none());
        let filter = AuditFilter { entity: Some("api_token".into()), ..AuditFilter::default() };
        let events = orbita_app::admin::audit_log(&t.db, &admin, &filter, None, 50).await.expect("log");
        assert!(events.items.iter().all(|e| e.action != AuditAction::Delete), "{}", t.name);
        t
    })
    .await;
}
