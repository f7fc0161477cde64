//! `/api/v1/web-forms` on SQLite and PostgreSQL: an administrator creates a form (its
//! assignee defaults to them), reads, lists, patches and deletes it; a wrong field is a 422
//! naming it; managers are refused; a deal a form made carries its UTM tags in its JSON, and
//! the sources report (JSON and XLSX) counts it by its source and campaign.

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
            "thank_you": "Спасибо!",
            "consent": true,
            "consent_text": "Согласен с политикой ООО «Окна» (152-ФЗ)"
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
        assert_eq!(made.body["consent_text"], "Согласен с политикой ООО «Окна» (152-ФЗ)");
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
            ("_consent", "on"),
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

        // The sources report counts the form's deal, a deal typed in by hand from a call, and
        // one with no source; once the form's deal is won, its conversion and revenue.
        let by_hand = json!({"title": "Звонок из справочника", "source": "Звонок", "amount": "1000"});
        admin.post("/api/v1/deals", by_hand).await.expect(StatusCode::CREATED);
        admin.post("/api/v1/deals", json!({"title": "Без источника"})).await.expect(StatusCode::CREATED);
        let (_, stages) = orbita_app::deals::pipelines_and_stages(&t.db).await.expect("stages");
        let won =
            stages.iter().find(|s| s.kind == orbita_domain::pipeline::StageKind::Won).expect("won stage");
        let access = orbita_app::Access::load(&t.db, org.admin, None).await.expect("access");
        orbita_app::deals::move_stage(&t.db, &access, deal, won.id, "", None).await.expect("won");
        let report = admin.get("/api/v1/reports/sources").await.expect(StatusCode::OK);
        let line = |list: &str, name: &str| {
            report.body[list]
                .as_array()
                .and_then(|l| l.iter().find(|x| x["source"] == name).cloned())
                .expect(name)
        };
        let form_line = line("by_source", "Заявка с сайта");
        assert_eq!((form_line["leads"].as_i64(), form_line["won"].as_i64()), (Some(1), Some(1)));
        assert_eq!(form_line["conversion"], "100.00");
        assert_eq!(form_line["revenue"], "250000.00");
        assert_eq!(form_line["average"], "250000.00");
        assert_eq!(line("by_source", "Звонок")["won"], 0);
        assert!(
            report.body["by_source"].as_array().expect("lines").last().expect("last")["source"].is_null(),
            "no source last"
        );
        assert_eq!(line("by_campaign", "balcony")["leads"], 1);
        assert_eq!(
            report.body["by_campaign"].as_array().map(Vec::len),
            Some(1),
            "only deals with a campaign"
        );
        assert_eq!(
            (report.body["total"]["leads"].as_i64(), report.body["total"]["won"].as_i64()),
            (Some(3), Some(1))
        );
        let file = admin.download("/api/v1/reports/sources.xlsx").await;
        assert_eq!(file.status, StatusCode::OK);
        let mut workbook: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(file.bytes)).expect("valid xlsx");
        use calamine::Reader;
        let names = workbook.sheet_names();
        let sheet = workbook.worksheet_range(&names[0]).expect("sheet");
        let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(ToString::to_string)).collect();
        for expected in ["Заявка с сайта", "Звонок", "utm_campaign: balcony", "Итого"]
        {
            assert!(cells.iter().any(|c| c == expected), "{expected} in {cells:?}");
        }
        org.manager1().get("/api/v1/reports/sources").await.expect(StatusCode::OK);

        admin.delete(&format!("/api/v1/web-forms/{id}")).await.expect(StatusCode::NO_CONTENT);
        admin.get(&format!("/api/v1/web-forms/{id}")).await.expect(StatusCode::NOT_FOUND);
        let kept = admin.get(&format!("/api/v1/deals/{}", deal.0)).await.expect(StatusCode::OK);
        assert_eq!(kept.body["utm_campaign"], "balcony", "the deal keeps where it came from");
        assert!(kept.body["web_form_id"].is_null());
        t
    })
    .await;
}
