//! The services behind the daily screens: kanban, global search, a card's timeline, saved
//! views: on both databases, under the user's rights.

use chrono::Duration;
use orbita_app::{
    Access, AppError, RequestContext, activities, companies, deals, kanban, search, setup, tasks, timeline,
    users, views,
};
use orbita_domain::activity::{ActivityInput, ActivityKind, Direction};
use orbita_domain::company::CompanyInput;
use orbita_domain::deal::DealInput;
use orbita_domain::pipeline::StageKind;
use orbita_domain::task::TaskInput;
use orbita_domain::{UserId, now};
use orbita_storage::Db;
use orbita_storage::deals::DealFilter;
use orbita_testkit::on_both;

async fn manager(db: &Db, email: &str) -> Access {
    let id =
        users::create_user(db, &RequestContext::system(), email, email, "manager", "a good long password")
            .await
            .expect("user");
    Access::load(db, id, None).await.expect("access")
}

fn task(title: &str, assignee: UserId, due_in_hours: i64) -> TaskInput {
    TaskInput {
        title: title.into(),
        description: String::new(),
        due_at: Some(now() + Duration::hours(due_in_hours)),
        assignee_id: assignee,
        priority: None,
        company_id: None,
        contact_id: None,
        deal_id: None,
    }
}

#[tokio::test]
async fn kanban_columns_count_and_sum_exactly_and_show_the_next_task() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let me = manager(&t.db, "me@x.ru").await;
        let other = manager(&t.db, "other@x.ru").await;
        let (pipelines, stages) = deals::pipelines_and_stages(&t.db).await.expect("stages");
        let pipeline = pipelines[0].id;
        for (who, amount) in [(&me, "1000.10"), (&me, "2000.20"), (&other, "999999.99")] {
            let input =
                DealInput { title: "Сделка".into(), amount: amount.into(), ..Default::default() };
            deals::create(&t.db, who, &input, None, None, None).await.expect("deal");
        }
        let first = deals::create(
            &t.db,
            &me,
            &DealInput { title: "Окна".into(), ..Default::default() },
            None,
            None,
            None,
        )
        .await
        .expect("deal");
        let won = stages.iter().find(|s| s.kind == StageKind::Won).expect("won");
        deals::move_stage(&t.db, &me, first.id, won.id, "", None).await.expect("won");
        let mut later = task("Позвонить позже", me.user_id(), 48);
        later.deal_id = Some(first.id);
        let mut sooner = task("Позвонить сейчас", me.user_id(), 1);
        sooner.deal_id = Some(first.id);
        tasks::create(&t.db, &me, &later).await.expect("task");
        tasks::create(&t.db, &me, &sooner).await.expect("task");

        let board = kanban::board(&t.db, &me, pipeline, &DealFilter::default()).await.expect("board");
        assert_eq!(board.len(), stages.len());
        let new = &board[0];
        assert_eq!(
            (new.count, new.sums.clone()),
            (2, vec![("RUB".to_owned(), 300_030)]),
            "{}: only my deals",
            t.name
        );
        let won_column = board.iter().find(|c| c.stage.id == won.id).expect("won column");
        assert_eq!(won_column.count, 1);
        let next = won_column.cards[0].next_task.as_ref().map(|t| t.fields.title.as_str());
        assert_eq!(next, Some("Позвонить сейчас"), "{}: the earliest open task", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn global_search_finds_across_kinds_within_the_users_scope() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let me = manager(&t.db, "me@x.ru").await;
        let other = manager(&t.db, "other@x.ru").await;
        let mine = CompanyInput {
            name: "ООО «Ромашка»".into(),
            inn: "7707083893".into(),
            kpp: "773601001".into(),
            ..Default::default()
        };
        companies::create(&t.db, &me, &mine, None).await.expect("company");
        companies::create(
            &t.db,
            &other,
            &CompanyInput { name: "Ромашка-чужая".into(), ..Default::default() },
            None,
        )
        .await
        .expect("company");
        deals::create(
            &t.db,
            &me,
            &DealInput { title: "Ромашки на склад".into(), ..Default::default() },
            None,
            None,
            None,
        )
        .await
        .expect("deal");
        let found = search::global(&t.db, &me, "ромаш", 5).await.expect("search");
        assert_eq!(found.companies.len(), 1, "{}: not the other manager's company", t.name);
        assert_eq!(found.deals.len(), 1);
        let by_inn = search::global(&t.db, &me, "7707083893", 5).await.expect("search");
        assert_eq!(by_inn.companies.len(), 1, "{}", t.name);
        assert!(search::global(&t.db, &me, "  ", 5).await.expect("empty").companies.is_empty());
        t
    })
    .await;
}

#[tokio::test]
async fn a_company_timeline_shows_calls_tasks_and_edits_newest_first() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let me = manager(&t.db, "me@x.ru").await;
        let company = companies::create(
            &t.db,
            &me,
            &CompanyInput { name: "Клиент".into(), ..Default::default() },
            None,
        )
        .await
        .expect("company");
        let call = ActivityInput {
            kind: ActivityKind::Call,
            direction: Some(Direction::Outgoing),
            status: None,
            occurred_at: now(),
            duration_minutes: Some(7),
            subject: "Клиент просит КП".into(),
            responsible_id: me.user_id(),
            company_id: Some(company.id),
            contact_id: None,
            deal_id: None,
        };
        let follow_up = task("Отправить КП", me.user_id(), 24);
        let (_, task_id) = activities::log(&t.db, &me, &call, Some(&follow_up)).await.expect("log call");
        let task = tasks::get(&t.db, &me, task_id.expect("follow-up created")).await.expect("task");
        assert_eq!(
            task.fields.company_id,
            Some(company.id),
            "{}: the follow-up links to the company",
            t.name
        );
        let edit = CompanyInput { name: "Клиент-2".into(), ..Default::default() };
        companies::update(&t.db, &me, company.id, &edit, None).await.expect("edit");
        let entries = timeline::for_record(&t.db, &me, company.id.into(), 50).await.expect("timeline");
        let kinds: Vec<&str> = entries
            .iter()
            .map(|e| match e {
                timeline::Entry::Activity(_) => "activity",
                timeline::Entry::TaskCreated(_) => "task",
                timeline::Entry::TaskDone(_) => "done",
                timeline::Entry::StageChanged(_) => "stage",
                timeline::Entry::Changed(_) => "changed",
            })
            .collect();
        assert_eq!(
            kinds,
            ["changed", "task", "activity", "changed"],
            "{}: edit, task, call, creation",
            t.name
        );
        assert!(entries.windows(2).all(|w| w[0].at() >= w[1].at()));
        t
    })
    .await;
}

#[tokio::test]
async fn saved_views_belong_to_their_user() {
    on_both(|t| async move {
        setup::bootstrap(&t.db).await.expect("bootstrap");
        let me = manager(&t.db, "me@x.ru").await;
        let other = manager(&t.db, "other@x.ru").await;
        let id = views::save(&t.db, &me, "deals", "Мои открытые", "?status=open&sort=-amount")
            .await
            .expect("save");
        let again = views::save(&t.db, &me, "deals", "Мои открытые", "status=won").await;
        assert!(
            matches!(&again, Err(AppError::Invalid(e)) if e.field("name").is_some()),
            "{}: {again:?}",
            t.name
        );
        assert_eq!(
            views::list(&t.db, &me, "deals").await.expect("list")[0].query,
            "status=open&sort=-amount"
        );
        assert!(views::list(&t.db, &other, "deals").await.expect("list").is_empty());
        assert!(matches!(views::delete(&t.db, &other, id).await, Err(AppError::NotFound)));
        views::delete(&t.db, &me, id).await.expect("delete");
        t
    })
    .await;
}
