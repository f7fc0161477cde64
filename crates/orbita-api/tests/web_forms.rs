//! `/api/v1/web-forms` on SQLite and PostgreSQL: an administrator creates a form (its
//! assignee defaults to them), reads, lists, patches and deletes it; a wrong field is a 422
//! naming it; managers are refused; a deal a form made carries its UTM tags in its JSON.

mod support;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use orbita_testkit::on_both;
use serde_json::json;
use support::org;

#[tokio::test]
async fn administrators_build_forms_and_a_forms_deal_carries_its_tags() {
    on_both(|t| async move {
        let org = org(&t.db).await;
        let admin = org.admin();
        let body = json!({
            "name": "Заявка с сайта",
            "fields": [
                {"name": "Name", "maps_to": "contact.name", "required": true, "label_ru": "Имя"},
                {"name": "Phone", "maps_to": "contact.phone", "required": true},
                {"name": "Sum", "maps_to": "deal.amount"}
            ],
            "allowed_origins": ["https://okna.example.ru/page"],
            "thank_you": "Спасибо!"
        });
        let wrong = json!({"name": "X", "fields": [{"name": "a", "maps_to": "contact.age"}]});
        let refused = admin.post("/api/v1/web-forms", wrong).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.error_fields().contains(&"fields[0].maps_to".to_owned()),
            "{:?}",
            refused.error_fields()
        );
        org.manager1().post("/api/v1/web-forms", body.clone()).await.expect(StatusCode::FORBIDDEN);

        let made = admin.post("/api/v1/web-forms", body).await.expect(StatusCode::CREATED);
        let id = made.id();
        assert_eq!(made.body["assignee"], "user");
        assert_eq!(made.body["assignee_user_id"], org.admin.0, "the caller gets the requests");
        assert_eq!(made.body["allowed_origins"], json!(["https://okna.example.ru"]));
        assert_eq!(made.body["fields"][0]["label_en"], "Имя", "a label stands for the other");
        let key = made.body["key"].as_str().expect("key").to_owned();
        assert!(key.len() >= 20, "a key that cannot be guessed");

        let patched = admin
            .patch(&format!("/api/v1/web-forms/{id}"), json!({"thank_you": "Ждите звонка"}))
            .await
            .expect(StatusCode::OK);
        assert_eq!(patched.body["thank_you"], "Ждите звонка");
        assert_eq!(patched.body["fields"].as_array().map(Vec::len), Some(3), "the rest kept");
        let listed = admin.get("/api/v1/web-forms").await.expect(StatusCode::OK);
        assert_eq!(listed.body["items"][0]["key"], key.as_str());

        let form = orbita_app::web_forms::public(&t.db, &key).await.expect("public");
        let sent: BTreeMap<String, String> = [
            ("Name", "Олег"),
            ("Phone", "+7 900 000-00-01"),
            ("Sum", "250000"),
            ("utm_source", "google"),
            ("utm_medium", "cpc"),
            ("utm_campaign", "balcony"),
            ("utm_content", "banner-2"),
            ("utm_term", "остекление балкона"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let accepted =
            orbita_app::web_forms::submit(&t.db, &form, &sent, Some("203.0.113.1")).await.expect("taken");
        let deal = accepted.deal.expect("a deal");
        let got = admin.get(&format!("/api/v1/deals/{}", deal.0)).await.expect(StatusCode::OK);
        assert_eq!(got.body["source"], "Заявка с сайта");
        assert_eq!(got.body["amount"], "250000.00");
        assert_eq!(got.body["web_form_id"], id);
        for (tag, value) in [
            ("utm_source", "google"),
            ("utm_medium", "cpc"),
            ("utm_campaign", "balcony"),
            ("utm_content", "banner-2"),
            ("utm_term", "остекление балкона"),
        ] {
            assert_eq!(got.body[tag], value, "{tag}");
        }

        admin.delete(&format!("/api/v1/web-forms/{id}")).await.expect(StatusCode::NO_CONTENT);
        admin.get(&format!("/api/v1/web-forms/{id}")).await.expect(StatusCode::NOT_FOUND);
        let kept = admin.get(&format!("/api/v1/deals/{}", deal.0)).await.expect(StatusCode::OK);
        assert_eq!(kept.body["utm_campaign"], "balcony", "the deal keeps where it came from");
        assert!(kept.body["web_form_id"].is_null());
        t
    })
    .await;
}
