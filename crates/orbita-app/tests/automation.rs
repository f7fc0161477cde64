//! Automation rules through the application, on SQLite and PostgreSQL: a deal created or moved
//! queues the rules it sets off; the worker sets their tasks as the rule, once per event, to
//! the right person; a condition, a delay and a deal that moved on are honoured; only
//! administrators edit rules. Rules also tell someone, give the deal to someone and move it on,
//! and a loop of rules moving a deal back and forth is stopped and reported.

use chrono::Duration;
use orbita_app::{Access, AppError, admin, automation, deals, jobs, tasks};
use orbita_domain::automation::{AssigneeKind, MAX_CHAIN, RuleAction, RuleInput, RunOutcome, Trigger};
use orbita_domain::deal::Deal;
use orbita_domain::job::JobState;
use orbita_domain::list::AuditFilter;
use orbita_domain::{GroupId, now};
use orbita_testkit::on_both;

mod robots;

use robots::{World, new_deal, rule, tasks_of, world};

#[tokio::test]
async fn a_new_deal_gets_the_rules_task_once_as_the_rule() {
    on_both(|t| async move {
        let w = world(&t.db).await;
        let mut input = rule(&w, "Первый звонок", Trigger::DealCreated, 0, "Позвонить клиенту: {title}");
        input.due_minutes = Some(15);
        let first_call = automation::create(&t.db, &w.admin, &input).await.expect("rule");

        let deal = new_deal(&t.db, &w.manager, "Окна на дачу", "120000").await;
        assert!(tasks_of(&t.db, &w.manager, &deal).await.is_empty(), "{}: not inside the save", t.name);
        let before = now();
        assert_eq!(jobs::run_due(&t.db, "w").await.expect("run"), 1, "{}", t.name);
        let set = tasks_of(&t.db, &w.manager, &deal).await;
        assert_eq!(set.len(), 1, "{}", t.name);
        let task = &set[0];
        assert_eq!(task.fields.title, "Позвонить клиенту: Окна на дачу", "{}", t.name);
        assert_eq!(task.fields.assignee_id, w.manager.user_id(), "{}: the deal's owner, who sees it", t.name);
        let due = task.fields.due_at.expect("due");
        assert!(due >= before + Duration::minutes(15) && due <= now() + Duration::minutes(15), "{}", t.name);
        tasks::get(&t.db, &w.manager, task.id).await.expect("the manager sees the rule's task");
        let told = orbita_app::notifications::list(&t.db, &w.manager, true, None, 10).await.expect("bell");
        assert_eq!(told.len(), 1, "{}: the rule's task is news to the manager", t.name);
        assert_eq!(told[0].entity_id, task.id.0, "{}", t.name);

        // The audit log names the rule as the author of the task.
        let filter = AuditFilter { entity_id: Some(task.id.0), ..AuditFilter::default() };
        let events = admin::audit_log(&t.db, &w.admin, &filter, None, 10).await.expect("audit").items;
        let created = events.iter().find(|e| e.entity == "task").expect("task created event");
        assert_eq!(created.via.as_deref(), Some("automation: Первый звонок"), "{}", t.name);
        assert_eq!(created.actor_id, None, "{}", t.name);

        // The same job run again (its worker died after committing) sets nothing more.
        let done = orbita_storage::jobs::list(&t.db, &[JobState::Done], 10).await.expect("done");
        let payload: serde_json::Value = serde_json::from_str(&done[0].payload).expect("payload");
        let event = payload["event"].as_str().expect("event");
        automation::run(&t.db, first_call.id, deal.id.0, event, 0).await.expect("rerun");
        assert_eq!(tasks_of(&t.db, &w.manager, &deal).await.len(), 1, "{}: still one task", t.name);
        let runs = automation::runs(&t.db, &w.admin, first_call.id).await.expect("runs");
        assert_eq!(runs.len(), 1, "{}", t.name);
        assert_eq!((runs[0].outcome, runs[0].task_id), (RunOutcome::Fired, Some(task.id.0)), "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_stage_rule_honours_its_condition_and_gives_turns_in_its_group() {
    on_both(|t| async move {
        let w = world(&t.db).await;
        let mut input = rule(&w, "Замер", Trigger::StageEntered, 1, "Замер: {title} ({amount})");
        input.assignee = Some(AssigneeKind::RoundRobin);
        input.assignee_group_id = Some(w.measurers);
        input.condition = Some(r#"{"field":"amount","op":"gte","value":"100000"}"#.into());
        let measure = automation::create(&t.db, &w.admin, &input).await.expect("rule");
        let to_stage = |deal: &Deal| deals::move_stage(&t.db, &w.manager, deal.id, w.stages[1].id, "", None);

        let small = new_deal(&t.db, &w.manager, "Форточка", "5000").await;
        to_stage(&small).await.expect("move");
        jobs::run_due(&t.db, "w").await.expect("run");
        assert!(tasks_of(&t.db, &w.admin, &small).await.is_empty(), "{}: below the condition", t.name);
        let runs = automation::runs(&t.db, &w.admin, measure.id).await.expect("runs");
        assert_eq!(runs[0].outcome, RunOutcome::Skipped, "{}", t.name);

        let mut assignees = Vec::new();
        for title in ["Коттедж", "Офис", "Школа"] {
            let deal = new_deal(&t.db, &w.manager, title, "150000").await;
            to_stage(&deal).await.expect("move");
            jobs::run_due(&t.db, "w").await.expect("run");
            let set = tasks_of(&t.db, &w.admin, &deal).await;
            assert_eq!(set.len(), 1, "{}: {title}", t.name);
            assert!(
                set[0].fields.title.starts_with(&format!("Замер: {title} (")),
                "{}: {:?}",
                t.name,
                set[0]
            );
            assignees.push(set[0].fields.assignee_id);
        }
        let m = &w.measurer_ids;
        assert_eq!(assignees, [m[0], m[1], m[0]], "{}: in turn", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_delayed_rule_waits_and_does_nothing_for_a_deal_that_moved_on() {
    on_both(|t| async move {
        let w = world(&t.db).await;
        let mut input = rule(&w, "Перезвонить", Trigger::StageEntered, 2, "Рассчитать и перезвонить");
        input.delay_minutes = Some(120);
        input.assignee = Some(AssigneeKind::LeastLoaded);
        input.assignee_group_id = Some(w.measurers);
        let later = automation::create(&t.db, &w.admin, &input).await.expect("rule");

        let stays = new_deal(&t.db, &w.manager, "Остаётся", "1000").await;
        let leaves = new_deal(&t.db, &w.manager, "Уходит", "1000").await;
        for deal in [&stays, &leaves] {
            deals::move_stage(&t.db, &w.manager, deal.id, w.stages[2].id, "", None).await.expect("move");
        }
        deals::move_stage(&t.db, &w.manager, leaves.id, w.stages[1].id, "", None).await.expect("move on");
        // Away and back: at the stage again, but not since the event the first job waits for.
        let back = new_deal(&t.db, &w.manager, "Вернулась", "1000").await;
        for stage in [2, 1, 2] {
            deals::move_stage(&t.db, &w.manager, back.id, w.stages[stage].id, "", None).await.expect("move");
        }
        assert_eq!(jobs::run_due(&t.db, "w").await.expect("run"), 0, "{}: not yet", t.name);
        assert_eq!(
            jobs::run_due_at(&t.db, "w", now() + Duration::minutes(121)).await.expect("run"),
            4,
            "{}",
            t.name
        );
        assert_eq!(tasks_of(&t.db, &w.admin, &back).await.len(), 1, "{}: once, for its latest entry", t.name);
        let set = tasks_of(&t.db, &w.admin, &stays).await;
        assert_eq!(set.len(), 1, "{}", t.name);
        assert_eq!(set[0].fields.assignee_id, w.measurer_ids[0], "{}: both have none open", t.name);
        assert!(tasks_of(&t.db, &w.admin, &leaves).await.is_empty(), "{}", t.name);
        let runs = automation::runs(&t.db, &w.admin, later.id).await.expect("runs");
        let skipped = runs.iter().find(|r| r.deal_id == leaves.id.0).expect("run");
        assert_eq!(skipped.outcome, RunOutcome::Skipped, "{}", t.name);
        assert_eq!(skipped.detail.as_deref(), Some("the deal has left the stage"), "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn only_administrators_edit_rules_and_a_rule_is_checked_before_it_is_saved() {
    on_both(|t| async move {
        let w = world(&t.db).await;
        let input = rule(&w, "Звонок", Trigger::StageEntered, 1, "Позвонить");
        assert!(
            matches!(automation::create(&t.db, &w.manager, &input).await, Err(AppError::Forbidden)),
            "{}",
            t.name
        );
        assert!(
            matches!(automation::rules(&t.db, &w.manager, None).await, Err(AppError::Forbidden)),
            "{}",
            t.name
        );

        let (db, admin) = (&t.db, &w.admin);
        let refused = |input: RuleInput| async move {
            match automation::create(db, admin, &input).await {
                Err(AppError::Invalid(errors)) => errors.0.into_iter().map(|e| e.field).collect::<Vec<_>>(),
                other => panic!("{other:?}"),
            }
        };
        let bad_condition =
            RuleInput { condition: Some(r#"{"field":"nope","op":"eq","value":1}"#.into()), ..input.clone() };
        assert!(refused(bad_condition).await.iter().all(|f| f.starts_with("condition")), "{}", t.name);
        let other_pipeline = RuleInput { pipeline_id: Some(orbita_domain::PipelineId(999)), ..input.clone() };
        assert!(refused(other_pipeline).await.contains(&"pipeline_id".to_owned()), "{}", t.name);
        let no_group = RuleInput {
            assignee: Some(AssigneeKind::RoundRobin),
            assignee_group_id: Some(GroupId(999)),
            ..input.clone()
        };
        assert_eq!(refused(no_group).await, ["assignee_group_id"], "{}", t.name);
        assert!(automation::rules(&t.db, &w.admin, None).await.expect("rules").is_empty(), "{}", t.name);

        let saved = automation::create(&t.db, &w.admin, &input).await.expect("rule");
        let off = RuleInput { active: Some(false), ..input.clone() };
        automation::update(&t.db, &w.admin, saved.id, &off).await.expect("switched off");
        let deal = new_deal(&t.db, &w.manager, "Выключено", "1").await;
        deals::move_stage(&t.db, &w.manager, deal.id, w.stages[1].id, "", None).await.expect("move");
        assert_eq!(
            jobs::run_due(&t.db, "w").await.expect("run"),
            0,
            "{}: a rule switched off is not set off",
            t.name
        );
        automation::delete(&t.db, &w.admin, saved.id).await.expect("delete");
        assert!(
            matches!(automation::get(&t.db, &w.admin, saved.id).await, Err(AppError::NotFound)),
            "{}",
            t.name
        );
        t
    })
    .await;
}

#[tokio::test]
async fn rules_tell_the_owner_give_the_deal_in_turn_and_move_it_on_as_the_rule() {
    on_both(|t| async move {
        let w = world(&t.db).await;
        let notice = RuleInput {
            action: Some(RuleAction::Notify),
            ..rule(&w, "Клиент ждёт", Trigger::StageEntered, 1, "Клиент ждёт звонка: {title}")
        };
        automation::create(&t.db, &w.admin, &notice).await.expect("notice rule");
        let give = RuleInput {
            action: Some(RuleAction::AssignOwner),
            assignee: Some(AssigneeKind::RoundRobin),
            assignee_group_id: Some(w.measurers),
            ..rule(&w, "Замерщику", Trigger::StageEntered, 2, "")
        };
        automation::create(&t.db, &w.admin, &give).await.expect("owner rule");
        let onward = RuleInput {
            action: Some(RuleAction::MoveStage),
            target_stage_id: Some(w.stages[1].id),
            ..rule(&w, "Назад на этап", Trigger::StageEntered, 3, "")
        };
        let onward = automation::create(&t.db, &w.admin, &onward).await.expect("move rule");
        let elsewhere =
            RuleInput { target_stage_id: Some(orbita_domain::StageId(999_999)), ..onward_input(&w) };
        let refused = automation::create(&t.db, &w.admin, &elsewhere).await.expect_err("no such stage");
        assert!(
            matches!(refused, AppError::Invalid(e) if e.field("target_stage_id").is_some()),
            "{}",
            t.name
        );

        let deal = new_deal(&t.db, &w.admin, "Окна в офис", "90000").await;
        deals::move_stage(&t.db, &w.admin, deal.id, w.stages[1].id, "", None).await.expect("move");
        jobs::run_due(&t.db, "w").await.expect("run");
        // The owner (the admin, who made the deal) is told, even of their own move: the rule tells.
        let told = orbita_app::notifications::list(&t.db, &w.admin, true, None, 10).await.expect("bell");
        let notice =
            told.iter().find(|n| n.kind == orbita_domain::notification::NotificationKind::RuleNotice);
        let notice = notice.expect("the rule's notice");
        assert_eq!(
            (notice.subject.as_str(), notice.entity.as_str(), notice.entity_id),
            ("Клиент ждёт звонка: Окна в офис", "deal", deal.id.0)
        );

        deals::move_stage(&t.db, &w.admin, deal.id, w.stages[2].id, "", None).await.expect("move");
        jobs::run_due(&t.db, "w").await.expect("run");
        let given = deals::get(&t.db, &w.admin, deal.id).await.expect("deal");
        assert_eq!(given.owner_id, w.measurer_ids[0], "{}: the first in turn", t.name);
        let measurer = Access::load(&t.db, w.measurer_ids[0], None).await.expect("access");
        let bell = orbita_app::notifications::list(&t.db, &measurer, true, None, 10).await.expect("bell");
        assert!(bell.iter().any(|n| n.entity_id == deal.id.0), "{}: the new owner is told", t.name);

        // Entering stage 3 sends the deal back to stage 1, whose rule tells its new owner.
        deals::move_stage(&t.db, &w.admin, deal.id, w.stages[3].id, "", None).await.expect("move");
        jobs::run_due(&t.db, "w").await.expect("run");
        jobs::run_due(&t.db, "w").await.expect("run");
        let moved = deals::get(&t.db, &w.admin, deal.id).await.expect("deal");
        assert_eq!(moved.stage_id, w.stages[1].id, "{}", t.name);
        let filter =
            AuditFilter { entity: Some("deal".into()), entity_id: Some(deal.id.0), ..AuditFilter::default() };
        let log = admin::audit_log(&t.db, &w.admin, &filter, None, 50).await.expect("audit").items;
        assert!(log.iter().any(|e| e.via.as_deref() == Some("automation: Назад на этап")), "{}", t.name);
        assert!(log.iter().any(|e| e.via.as_deref() == Some("automation: Замерщику")), "{}", t.name);
        let runs = automation::runs(&t.db, &w.admin, onward.id).await.expect("runs");
        assert_eq!(runs[0].outcome, RunOutcome::Fired, "{}", t.name);
        let bell = orbita_app::notifications::list(&t.db, &measurer, true, None, 10).await.expect("bell");
        assert!(bell.iter().any(|n| n.subject == "Клиент ждёт звонка: Окна в офис"), "{}", t.name);
        t
    })
    .await;
}

fn onward_input(w: &World) -> RuleInput {
    RuleInput {
        action: Some(RuleAction::MoveStage), ..rule(w, "Куда-то", Trigger::StageEntered, 3, "")
    }
}

#[tokio::test]
async fn rules_that_move_a_deal_back_and_forth_are_stopped_and_say_so() {
    on_both(|t| async move {
        let w = world(&t.db).await;
        let there = RuleInput { target_stage_id: Some(w.stages[2].id), ..onward_input(&w) };
        let there = RuleInput { stage_id: Some(w.stages[1].id), name: "Туда".into(), ..there };
        let back = RuleInput { target_stage_id: Some(w.stages[1].id), ..onward_input(&w) };
        let back = RuleInput { stage_id: Some(w.stages[2].id), name: "Обратно".into(), ..back };
        let there = automation::create(&t.db, &w.admin, &there).await.expect("rule");
        let back = automation::create(&t.db, &w.admin, &back).await.expect("rule");
        let deal = new_deal(&t.db, &w.manager, "Вечный двигатель", "1000").await;
        deals::move_stage(&t.db, &w.manager, deal.id, w.stages[1].id, "", None).await.expect("move");
        let mut rounds = 0;
        while jobs::run_due(&t.db, "w").await.expect("run") > 0 {
            rounds += 1;
            assert!(rounds <= 2 * MAX_CHAIN as usize, "{}: the loop was not stopped", t.name);
        }
        let mut runs = automation::runs(&t.db, &w.admin, there.id).await.expect("runs");
        runs.extend(automation::runs(&t.db, &w.admin, back.id).await.expect("runs"));
        let fired = runs.iter().filter(|r| r.outcome == RunOutcome::Fired).count();
        assert_eq!(fired, MAX_CHAIN as usize + 1, "{}: the person's move and {MAX_CHAIN} more", t.name);
        let stopped: Vec<_> = runs.iter().filter(|r| r.outcome == RunOutcome::Failed).collect();
        assert_eq!(stopped.len(), 1, "{}", t.name);
        assert!(stopped[0].detail.as_deref().unwrap_or_default().contains("a loop?"), "{}", t.name);
        let jobs_dead =
            orbita_storage::jobs::list(&t.db, &[JobState::Dead, JobState::Failed], 10).await.expect("jobs");
        assert!(jobs_dead.is_empty(), "{}: a stopped loop is not a failing job", t.name);
        t
    })
    .await;
}
