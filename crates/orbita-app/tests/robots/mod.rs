//! The world the robots' tests share: an administrator, a manager, a group of two measurers,
//! the default pipeline's stages, and short ways to write a rule and a deal.

// Each test file that includes this module uses a part of it.
#![allow(dead_code)]

use orbita_app::{Access, RequestContext, admin, deals, tasks, users};
use orbita_domain::automation::{RuleInput, Trigger};
use orbita_domain::deal::{Deal, DealInput};
use orbita_domain::list::TaskFilter;
use orbita_domain::pipeline::Stage;
use orbita_domain::{GroupId, UserId, now};
use orbita_storage::Db;

pub async fn person(db: &Db, email: &str, name: &str, role: &str) -> Access {
    let id: UserId =
        users::create_user(db, &RequestContext::system(), email, name, role, "a good long password")
            .await
            .expect("user");
    Access::load(db, id, None).await.expect("access")
}

pub struct World {
    pub admin: Access,
    pub manager: Access,
    pub measurers: GroupId,
    pub measurer_ids: Vec<UserId>,
    pub stages: Vec<Stage>,
}

pub async fn world(db: &Db) -> World {
    orbita_app::setup::bootstrap(db).await.expect("bootstrap");
    let admin = person(db, "admin@x.ru", "Админ", "administrator").await;
    let manager = person(db, "manager@x.ru", "Менеджер", "manager").await;
    let measurers = admin::create_group(db, &admin, "Замерщики").await.expect("group");
    let mut measurer_ids = Vec::new();
    for n in 1..=2 {
        let m = person(db, &format!("measurer{n}@x.ru"), &format!("Замерщик {n}"), "manager").await;
        let mut tx = db.begin().await.expect("begin");
        orbita_storage::users::add_to_group(&mut tx, measurers, m.user_id(), now()).await.expect("member");
        tx.commit().await.expect("commit");
        measurer_ids.push(m.user_id());
    }
    let (_, stages) = deals::pipelines_and_stages(db).await.expect("stages");
    World { admin, manager, measurers, measurer_ids, stages }
}

pub fn rule(w: &World, name: &str, trigger: Trigger, stage: usize, title: &str) -> RuleInput {
    RuleInput {
        name: name.into(),
        pipeline_id: Some(w.stages[stage].pipeline_id),
        stage_id: Some(w.stages[stage].id),
        trigger: Some(trigger),
        task_title: title.into(),
        ..RuleInput::default()
    }
}

pub async fn new_deal(db: &Db, who: &Access, title: &str, amount: &str) -> Deal {
    let input = DealInput { title: title.into(), amount: amount.into(), ..DealInput::default() };
    deals::create(db, who, &input, None, None, None).await.expect("deal")
}

pub async fn tasks_of(db: &Db, who: &Access, deal: &Deal) -> Vec<orbita_domain::task::Task> {
    let filter = TaskFilter { deal_id: Some(deal.id), ..TaskFilter::default() };
    tasks::list(db, who, &filter, None, 100).await.expect("tasks").items
}
