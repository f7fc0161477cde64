//! Loss reasons through the pages, on both databases: an administrator keeps the list at
//! Admin → Loss reasons; closing a deal as lost from its card offers the pipeline's reasons
//! and "other" in one's own words; the deal keeps the words; a retired reason is no longer
//! offered, and the audit log names the changes.

mod support;

use axum::http::StatusCode;
use orbita_app::Access;
use orbita_domain::deal::DealInput;
use orbita_domain::pipeline::StageKind;
use orbita_testkit::on_both;
use support::{Browser, PASSWORD, with_user};

#[tokio::test]
async fn a_lost_deal_takes_a_reason_from_the_list_or_its_own_words() {
    on_both(|t| async move {
        let admin_id = with_user(&t.db, "admin@x.ru", "administrator").await;
        let mut admin = Browser::new(&t.db);
        admin.sign_in("admin@x.ru", PASSWORD).await;
        let page = admin.get("/admin/loss-reasons").await;
        assert_eq!(page.status, StatusCode::OK, "{}", t.name);
        let empty = admin.post("/admin/loss-reasons", &[("name", " ")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name);
        assert!(empty.body.contains("Заполните это поле"), "{}", t.name);
        for name in ["Дорого", "Выбрали конкурента"] {
            let made = admin.post("/admin/loss-reasons", &[("name", name), ("pipeline_id", "")]).await;
            assert_eq!(made.location(), "/admin/loss-reasons?notice=created", "{}", t.name);
        }
        let reasons = orbita_app::loss_reasons::list(&t.db).await.expect("reasons");
        assert_eq!(
            reasons.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["Дорого", "Выбрали конкурента"]
        );

        let access = Access::load(&t.db, admin_id, None).await.expect("access");
        let deal = |title: &'static str| {
            let access = access.clone();
            let db = t.db.clone();
            async move {
                let input = DealInput { title: title.into(), ..DealInput::default() };
                orbita_app::deals::create(&db, &access, &input, None, None, None).await.expect("deal")
            }
        };
        let (first, second, third) = (deal("Окна в офис").await, deal("Балкон").await, deal("Лоджия").await);
        let card = admin.get(&format!("/deals/{}", first.id)).await;
        assert!(
            card.body.contains("name=\"lost_choice\"") && card.body.contains("Выбрали конкурента"),
            "{}",
            t.name
        );
        let board = admin.get("/deals/kanban").await;
        assert!(
            board.body.contains("name=\"lost_choice\"") && board.body.contains("Дорого"),
            "{}: the board offers them",
            t.name
        );
        let (_, stages) = orbita_app::deals::pipelines_and_stages(&t.db).await.expect("stages");
        let lost = stages.iter().find(|s| s.kind == StageKind::Lost).expect("lost").id.to_string();

        let picked = reasons[1].id.to_string();
        let closed = admin
            .post(&format!("/deals/{}/stage", first.id), &[("stage_id", &lost), ("lost_choice", &picked)])
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}: {}", t.name, closed.body);
        let own =
            [("stage_id", lost.as_str()), ("lost_choice", "other"), ("lost_reason", "Уехали за границу")];
        admin.post(&format!("/deals/{}/stage", second.id), &own).await;
        let nothing = admin
            .post(&format!("/deals/{}/stage", third.id), &[("stage_id", &lost), ("lost_choice", "other")])
            .await;
        assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: other needs words", t.name);
        let reason_of = |id| {
            let db = t.db.clone();
            async move { orbita_storage::deals::get(&db, id).await.expect("deal").lost_reason }
        };
        assert_eq!(reason_of(first.id).await.as_deref(), Some("Выбрали конкурента"), "{}", t.name);
        assert_eq!(reason_of(second.id).await.as_deref(), Some("Уехали за границу"), "{}", t.name);
        assert_eq!(reason_of(third.id).await, None, "{}", t.name);

        // Retired: no longer offered; the deal lost for it keeps its words.
        let path = format!("/admin/loss-reasons/{}", reasons[1].id);
        let retired = admin.post(&path, &[("name", "Выбрали конкурента"), ("pipeline_id", "")]).await;
        assert_eq!(retired.location(), "/admin/loss-reasons?notice=saved", "{}", t.name);
        let card = admin.get(&format!("/deals/{}", third.id)).await;
        assert!(card.body.contains("Дорого") && !card.body.contains("Выбрали конкурента"), "{}", t.name);
        assert_eq!(reason_of(first.id).await.as_deref(), Some("Выбрали конкурента"), "{}", t.name);
        let log = admin.get("/admin/audit?entity=loss_reason").await;
        assert!(
            log.body.contains("Причина проигрыша") && log.body.contains("Выбрали конкурента"),
            "{}",
            t.name
        );
        t
    })
    .await;
}
