//! Ids are never reused: a record created after the newest one was deleted gets a new id, so
//! the deleted record's history, timeline and links can never show up on it.

use orbita_domain::activity::{ActivityInput, ActivityKind};
use orbita_domain::company::CompanyInput;
use orbita_domain::contact::ContactInput;
use orbita_domain::deal::{DealInput, move_to_stage};
use orbita_domain::kind::RecordKind;
use orbita_domain::now;
use orbita_domain::pipeline::{DEFAULT_PIPELINE, DEFAULT_STAGES};
use orbita_domain::task::TaskInput;
use orbita_domain::validation::{Currency, Inn};
use orbita_domain::{ActivityId, CompanyId, ContactId, DealId, TaskId, UserId};
use orbita_storage::{Db, StorageError, activities, companies, contacts, deals, ownership, pipelines, tasks};

use orbita_testkit::on_both;

/// Creates a record, deletes it, creates another: the second id must be larger.
async fn new_id_after_deleting_the_newest<Id, C, D>(db: &Db, kind: &str, create: C, delete: D)
where
    Id: Copy + PartialOrd + std::fmt::Debug,
    C: AsyncFn(&Db, usize) -> Result<Id, StorageError>,
    D: AsyncFn(&Db, Id) -> Result<(), StorageError>,
{
    let first = create(db, 1).await.expect("create");
    delete(db, first).await.expect("delete");
    let second = create(db, 2).await.expect("create again");
    assert!(second > first, "{kind}: {first:?} was given again as {second:?}");
}

fn company_input(n: usize) -> CompanyInput {
    let inn = Inn::with_check_digits(&format!("77{n:07}")).expect("inn");
    CompanyInput {
        name: format!("ООО Ромашка {n}"),
        inn: inn.as_str().to_owned(),
        kpp: "770101001".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn ids_of_deleted_records_are_never_given_again() {
    on_both(|t| async move {
        let owner: UserId = t.user("owner@example.com").await;
        let db = &t.db;
        new_id_after_deleting_the_newest(
            db,
            "company",
            async |db: &Db, n| {
                let mut tx = db.begin().await?;
                let fields = company_input(n).validate().expect("company");
                let id = companies::insert(&mut tx, &fields, owner, Some(owner), now()).await?;
                tx.commit().await?;
                Ok(id)
            },
            async |db: &Db, id: CompanyId| {
                let mut tx = db.begin().await?;
                ownership::delete(&mut tx, RecordKind::Company, id.0).await?;
                tx.commit().await
            },
        )
        .await;
        new_id_after_deleting_the_newest(
            db,
            "contact",
            async |db: &Db, n| {
                let input = ContactInput { last_name: format!("Иванов {n}"), ..Default::default() };
                let mut tx = db.begin().await?;
                let id =
                    contacts::insert(&mut tx, &input.validate().expect("contact"), owner, Some(owner), now())
                        .await?;
                tx.commit().await?;
                Ok(id)
            },
            async |db: &Db, id: ContactId| {
                let mut tx = db.begin().await?;
                ownership::delete(&mut tx, RecordKind::Contact, id.0).await?;
                tx.commit().await
            },
        )
        .await;
        let mut tx = db.begin().await.expect("begin");
        let pipeline = pipelines::insert(&mut tx, DEFAULT_PIPELINE, true, DEFAULT_STAGES, now())
            .await
            .expect("pipeline");
        tx.commit().await.expect("commit");
        let stages = pipelines::stages(db).await.expect("stages");
        let start = move_to_stage(&stages[0], "", now()).expect("start");
        new_id_after_deleting_the_newest(
            db,
            "deal",
            async |db: &Db, n| {
                let fields =
                    DealInput { title: format!("Окна {n}"), amount: "100".into(), ..Default::default() }
                        .validate(&Currency::RUB)
                        .expect("deal");
                let mut tx = db.begin().await?;
                let id = deals::insert(&mut tx, &fields, pipeline, &start, owner, Some(owner), now()).await?;
                tx.commit().await?;
                Ok(id)
            },
            async |db: &Db, id: DealId| {
                let mut tx = db.begin().await?;
                ownership::delete(&mut tx, RecordKind::Deal, id.0).await?;
                tx.commit().await
            },
        )
        .await;
        new_id_after_deleting_the_newest(
            db,
            "task",
            async |db: &Db, n| {
                let input = TaskInput {
                    title: format!("Позвонить {n}"),
                    description: String::new(),
                    due_at: None,
                    assignee_id: owner,
                    priority: None,
                    company_id: None,
                    contact_id: None,
                    deal_id: None,
                };
                let mut tx = db.begin().await?;
                let id = tasks::insert(&mut tx, &input.validate().expect("task"), Some(owner), now()).await?;
                tx.commit().await?;
                Ok(id)
            },
            async |db: &Db, id: TaskId| {
                let mut tx = db.begin().await?;
                ownership::delete(&mut tx, RecordKind::Task, id.0).await?;
                tx.commit().await
            },
        )
        .await;
        let mut tx = db.begin().await.expect("begin");
        let fields = company_input(9).validate().expect("company");
        let company = companies::insert(&mut tx, &fields, owner, Some(owner), now()).await.expect("company");
        tx.commit().await.expect("commit");
        new_id_after_deleting_the_newest(
            db,
            "activity",
            async |db: &Db, n| {
                let input = ActivityInput {
                    kind: ActivityKind::Call,
                    direction: None,
                    status: None,
                    occurred_at: now(),
                    duration_minutes: None,
                    subject: format!("Звонок {n}"),
                    responsible_id: owner,
                    company_id: Some(company),
                    contact_id: None,
                    deal_id: None,
                };
                let mut tx = db.begin().await?;
                let id =
                    activities::insert(&mut tx, &input.validate().expect("activity"), Some(owner), now())
                        .await?;
                tx.commit().await?;
                Ok(id)
            },
            async |db: &Db, id: ActivityId| {
                let mut tx = db.begin().await?;
                ownership::delete(&mut tx, RecordKind::Activity, id.0).await?;
                tx.commit().await
            },
        )
        .await;
        t
    })
    .await;
}
