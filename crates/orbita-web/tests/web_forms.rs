//! Web forms end to end: an administrator builds one on its page; a buyer posts the hosted page
//! and a site's own embedded form (from another origin); a contact, the deal at the first
//! stage with its UTM tags, the automation's task and the audit event appear; a second post
//! with the same phone links to the same person. Abuse: the trap, the clock, a double click,
//! a foreign site, a large body and the rate limit.

mod support;

use axum::body::Body;
use axum::http::{StatusCode, header};
use orbita_app::Access;
use orbita_domain::automation::{AssigneeKind, RuleInput, Trigger};
use orbita_domain::list::AuditFilter;
use orbita_domain::list::{ContactFilter, ContactSort, DealFilter, DealSort};
use orbita_storage::{Db, audit, contacts, deals, web_forms};
use orbita_testkit::{TestDb, on_both};
use support::{Browser, PASSWORD, Response, with_user};

const SITE: &str = "https://okna.example.ru";

/// A post to `/f/{key}` as a site's page makes it: from `origin`, form-encoded or JSON.
async fn post_form(
    browser: &mut Browser,
    key: &str,
    origin: Option<&str>,
    fields: &[(&str, &str)],
    json: bool,
) -> Response {
    let mut request = browser.request("POST", &format!("/f/{key}"));
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin).header(header::REFERER, format!("{origin}/zamer"));
    }
    let body = if json {
        request = request.header(header::CONTENT_TYPE, "application/json");
        let map: serde_json::Map<String, serde_json::Value> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).to_owned())))
            .collect();
        serde_json::Value::Object(map).to_string()
    } else {
        request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        serde_urlencoded::to_string(fields).expect("form")
    };
    browser.send(request.body(Body::from(body)).expect("request")).await
}

fn long_ago() -> String {
    (orbita_domain::now().timestamp_millis() - 30_000).to_string()
}

async fn all_deals(db: &Db) -> Vec<orbita_domain::deal::Deal> {
    deals::list(db, &DealFilter::default(), DealSort::CreatedAt, false, None, 100).await.expect("deals").items
}

#[tokio::test]
async fn a_request_from_the_site_becomes_a_contact_and_a_deal_with_its_task() {
    on_both(|t: TestDb| async move {
        let admin_id = with_user(&t.db, "admin@x.ru", "administrator").await;
        let mut admin = Browser::new(&t.db);
        admin.sign_in("admin@x.ru", PASSWORD).await;
        let access = Access::load(&t.db, admin_id, None).await.expect("access");
        let (pipelines, stages) = orbita_app::deals::pipelines_and_stages(&t.db).await.expect("stages");
        let rule = RuleInput {
            name: "Первый звонок".into(),
            pipeline_id: Some(pipelines[0].id),
            // "A deal created from a source": the creation trigger with the source as condition.
            trigger: Some(Trigger::DealCreated),
            condition: Some(r#"{"field": "source", "op": "eq", "value": "Заявка на замер"}"#.into()),
            task_title: "Позвонить клиенту: {title}".into(),
            assignee: Some(AssigneeKind::DealOwner),
            due_minutes: Some(15),
            ..RuleInput::default()
        };
        orbita_app::automation::create(&t.db, &access, &rule).await.expect("rule");

        let page = admin.get("/admin/web-forms").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("contact.phone") && page.body.contains("Веб-формы"),
            "a fresh form's fields"
        );
        let admin_text = admin_id.0.to_string();
        let mut fields = vec![
            ("name", "Заявка на замер"),
            ("assignee", "user"),
            ("assignee_user_id", admin_text.as_str()),
            ("fields[0].name", "name"),
            ("fields[0].maps_to", "contact.name"),
            ("fields[0].required", "on"),
            ("fields[0].label_ru", "Ваше имя"),
            ("fields[1].name", "phone"),
            ("fields[1].maps_to", "contact.age"),
            ("fields[2].name", "comment"),
            ("fields[2].maps_to", "deal.notes"),
            ("allowed_origins", SITE),
            ("thank_you", "Спасибо, перезвоним за 15 минут"),
        ];
        let refused = admin.post("/admin/web-forms", &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("Выберите, куда записать ответ")
                && refused.body.contains("Заявка на замер")
        );
        fields[8] = ("fields[1].maps_to", "contact.phone");
        fields.push(("fields[1].required", "on"));
        let saved = admin.post("/admin/web-forms", &fields).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let form = web_forms::list(&t.db).await.expect("forms").remove(0);
        let shown = admin.get(saved.location()).await;
        assert!(
            shown.body.contains(&format!("/f/{}", form.key)) && shown.body.contains("data-orbita-form"),
            "the code for the site"
        );

        // The hosted page: the boxes, the clock, the trap.
        let mut buyer = Browser::new(&t.db);
        let hosted = buyer.get(&format!("/f/{}", form.key)).await;
        assert_eq!(hosted.status, StatusCode::OK);
        assert!(
            hosted.body.contains("Ваше имя")
                && hosted.body.contains("name=\"_ts\"")
                && hosted.body.contains("name=\"_hp\"")
        );
        let ago = long_ago();
        let missing = post_form(&mut buyer, &form.key, None, &[("name", "Анна"), ("_ts", &ago)], false).await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            missing.body.contains("Заполните это поле") && missing.body.contains("value=\"Анна\""),
            "kept, named"
        );
        let posted = [
            ("name", "Анна Соколова"),
            ("phone", "+7 (912) 345-67-89"),
            ("comment", "Три окна, ПВХ"),
            ("utm_source", "yandex"),
            ("utm_campaign", "spring-windows"),
            ("_ts", ago.as_str()),
        ];
        let taken = post_form(&mut buyer, &form.key, None, &posted, false).await;
        assert_eq!(taken.status, StatusCode::OK);
        assert!(taken.body.contains("Спасибо, перезвоним за 15 минут"), "{}", taken.body);

        let made = all_deals(&t.db).await;
        assert_eq!(made.len(), 1);
        let deal = &made[0];
        assert_eq!(
            deal.stage_id,
            stages.iter().find(|s| s.pipeline_id == pipelines[0].id).expect("first").id
        );
        assert_eq!(deal.fields.source.as_deref(), Some("Заявка на замер"));
        assert_eq!(deal.fields.title, "Заявка на замер: Анна Соколова");
        assert_eq!(deal.fields.notes.as_deref(), Some("Три окна, ПВХ"));
        assert_eq!(deal.owner_id, admin_id);
        assert_eq!(deal.origin.web_form_id, Some(form.id));
        assert_eq!(deal.origin.utm_source.as_deref(), Some("yandex"));
        assert_eq!(deal.origin.utm_campaign.as_deref(), Some("spring-windows"));
        let people = contacts::list(&t.db, &ContactFilter::default(), ContactSort::Name, false, None, 10)
            .await
            .expect("contacts")
            .items;
        assert_eq!(people.len(), 1);
        assert_eq!(deal.fields.contact_id, Some(people[0].id));
        assert_eq!(people[0].fields.phones[0].as_str(), "+79123456789");

        orbita_web::run_due_jobs(&t.db).await;
        let card = admin.get(&format!("/deals/{}", deal.id)).await;
        assert!(card.body.contains("Позвонить клиенту: Заявка на замер: Анна Соколова"), "the rule's task");
        assert!(card.body.contains("spring-windows"), "the tags on the card");
        let events = audit::list(
            &t.db,
            &AuditFilter { entity_id: Some(deal.id.0), ..AuditFilter::default() },
            None,
            10,
        )
        .await
        .expect("audit")
        .items;
        assert!(
            events
                .iter()
                .any(|e| e.via.as_deref() == Some("web form: Заявка на замер") && e.actor_id.is_none())
        );

        // The site's own form, from the allowed site, no script: the same person again.
        let embedded = [("name", "Анна"), ("phone", "89123456789"), ("comment", "Ещё балкон")];
        let again = post_form(&mut buyer, &form.key, Some(SITE), &embedded, false).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(
            again.headers.get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
            Some(SITE)
        );
        let made = all_deals(&t.db).await;
        assert_eq!(made.len(), 2, "a second deal");
        assert!(made.iter().all(|d| d.fields.contact_id == Some(people[0].id)), "for the same person");
        let second = made.iter().find(|d| d.fields.notes.as_deref() == Some("Ещё балкон")).expect("second");
        assert_eq!(
            second.origin.landing_page.as_deref(),
            Some("https://okna.example.ru/zamer"),
            "the page it was on"
        );

        // A double click: the same post twice makes one deal.
        let twice = post_form(&mut buyer, &form.key, Some(SITE), &embedded, false).await;
        assert_eq!(twice.status, StatusCode::OK);
        assert_eq!(all_deals(&t.db).await.len(), 2, "no third deal");

        // A site builder's multipart post, a file beside the answers (passed over).
        let b = "----orbita-test";
        let part = |name: &str, value: &str| {
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
        };
        let body = format!(
            "{}{}--{b}\r\nContent-Disposition: form-data; name=\"plan\"; filename=\"plan.txt\"\r\n\
             Content-Type: text/plain\r\n\r\nwindow plan\r\n--{b}--\r\n",
            part("name", "Пётр Власов"),
            part("phone", "+7 912 000-11-22"),
        );
        let request = buyer
            .request("POST", &format!("/f/{}", form.key))
            .header(header::ORIGIN, SITE)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={b}"))
            .header(header::ACCEPT, "application/json");
        let multipart = buyer.send(request.body(Body::from(body)).expect("request")).await;
        assert_eq!(multipart.status, StatusCode::OK, "{}: {}", t.name, multipart.body);
        let made = all_deals(&t.db).await;
        assert!(made.iter().any(|d| d.fields.title.contains("Пётр Власов")), "{}", t.name);

        // Where clients come from: the form's two requests, one of them from a campaign.
        let report = admin.get("/reports/sources").await;
        assert_eq!(report.status, StatusCode::OK);
        assert!(
            report.body.contains("Заявка на замер") && report.body.contains("spring-windows"),
            "{}",
            report.body
        );
        assert!(
            report.body.contains("/deals?source=%D0%97%D0%B0%D1%8F%D0%B2%D0%BA%D0%B0"),
            "a source opens its deals"
        );
        let campaign = report.body.split("href=\"").find(|h| h.starts_with("/deals?campaign=spring-windows"));
        let campaign = campaign.and_then(|h| h.split('"').next()).expect("a campaign opens its deals");
        let listed = admin.get(&campaign.replace("&amp;", "&")).await;
        assert_eq!(listed.status, StatusCode::OK);
        assert!(listed.body.contains("Заявка на замер: Анна Соколова"), "the campaign's deal");
        assert!(!listed.body.contains("Заявка на замер: Анна<"), "not the deal without a campaign");
        let file = admin.get("/reports/sources.csv").await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(
            file.body.contains("Заявка на замер") && file.body.contains("utm_campaign: spring-windows"),
            "{}",
            file.body
        );

        // A deal typed in by hand is not from the site: the rule leaves it alone.
        let input = orbita_domain::deal::DealInput {
            title: "Звонок с выставки".into(),
            ..Default::default()
        };
        let by_hand =
            orbita_app::deals::create(&t.db, &access, &input, None, None, None).await.expect("deal");
        orbita_web::run_due_jobs(&t.db).await;
        let other = admin.get(&format!("/deals/{}", by_hand.id)).await;
        assert_eq!(other.status, StatusCode::OK);
        assert!(
            !other.body.contains("Позвонить клиенту: Звонок с выставки"),
            "{}: not from the site",
            t.name
        );
        t
    })
    .await;
}

#[tokio::test]
async fn robots_foreign_sites_large_bodies_and_floods_make_nothing() {
    let t = TestDb::sqlite().await;
    let admin_id = with_user(&t.db, "admin@x.ru", "administrator").await;
    let access = Access::load(&t.db, admin_id, None).await.expect("access");
    let input = orbita_domain::web_form::WebFormInput {
        name: "Звонок".into(),
        assignee: Some(orbita_domain::automation::Assignee::User(admin_id)),
        fields: vec![orbita_domain::web_form::FormFieldInput {
            name: "phone".into(),
            maps_to: "contact.phone".into(),
            required: true,
            ..Default::default()
        }],
        allowed_origins: vec![SITE.into()],
        ..Default::default()
    };
    let form = orbita_app::web_forms::create(&t.db, &access, &input).await.expect("form");
    let mut robot = Browser::at_address(&t.db, "203.0.113.9");

    let trapped =
        post_form(&mut robot, &form.key, None, &[("phone", "+79001234567"), ("_hp", "http://spam")], false)
            .await;
    assert_eq!(trapped.status, StatusCode::OK, "answered as taken");
    let now = orbita_domain::now().timestamp_millis().to_string();
    let hasty =
        post_form(&mut robot, &form.key, None, &[("phone", "+79001234568"), ("_ts", &now)], false).await;
    assert_eq!(hasty.status, StatusCode::OK);
    assert!(all_deals(&t.db).await.is_empty(), "neither made a deal");

    let foreign =
        post_form(&mut robot, &form.key, Some("https://evil.example"), &[("phone", "+79001234569")], true)
            .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert!(foreign.headers.get("access-control-allow-origin").is_none());
    let preflight = robot
        .request("OPTIONS", &format!("/f/{}", form.key))
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::empty())
        .expect("request");
    assert!(
        robot.send(preflight).await.headers.get("access-control-allow-origin").is_none(),
        "no CORS for others"
    );

    let bad = post_form(&mut robot, &form.key, Some(SITE), &[("phone", "позвоните")], true).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = serde_json::from_str(&bad.body).expect("json");
    assert_eq!(problem["errors"][0]["field"], "phone", "{problem}");

    let huge = "x".repeat(1024 * 1024);
    let large = post_form(&mut robot, &form.key, None, &[("phone", huge.as_str())], false).await;
    assert_eq!(large.status, StatusCode::PAYLOAD_TOO_LARGE);

    let unknown = post_form(&mut robot, "no-such-form", None, &[("phone", "+79001234567")], false).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let mut cut = 0;
    for _ in 0..100 {
        let answer =
            post_form(&mut robot, &form.key, None, &[("phone", "+79001234567"), ("_hp", "x")], false).await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(answer.headers.get(header::RETRY_AFTER).is_some());
            cut += 1;
        }
    }
    assert!(cut >= 75, "the flood is cut: {cut} of 100");
    let mut other = Browser::at_address(&t.db, "198.51.100.7");
    let elsewhere = post_form(&mut other, &form.key, None, &[("phone", "+79001234567")], false).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "another address is not");
    assert_eq!(all_deals(&t.db).await.len(), 1);
    t.cleanup().await;
}
