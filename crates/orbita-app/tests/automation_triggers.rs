//! Rules set off by a changed field, and deadlines counted in working hours, through the
//! application on SQLite and PostgreSQL.

mod robots;

use orbita_app::{AppError, admin, automation, deals, jobs};
use orbita_domain::automation::{AssigneeKind, RuleAction, RunOutcome, Trigger};
use orbita_domain::deal::DealInput;
use orbita_domain::list::AuditFilter;
use orbita_domain::now;
use orbita_testkit::on_both;
use robots::{new_deal, rule, tasks_of, world};

/// A time zone in which the clock now shows about noon (Etc/GMT-N is N hours ahead of UTC), so
/// that a working day from 14:00 to 15:00 has not begun yet, whenever the test runs.
fn zone_at_noon() -> String {
    use chrono::Timelike;
    let ahead = 12 - i64::from(now().hour());
    match ahead {
        0 => "UTC".to_owned(),
        n if n > 0 => format!("Etc/GMT-{n}"),
        n => format!("Etc/GMT+{}", -n),
    }
}

#[tokio::test]
async fn a_deadline_in_working_hours_waits_for_the_working_day() {
    on_both(|t| async move {
        let w = world(&t.db).await;
        let zone = zone_at_noon();
        let current = orbita_app::setup::settings(&t.db).await.expect("settings");
        let input = orbita_app::settings::SettingsInput {
            time_zone: zone.clone(),
            work_days: (1..=7).map(|d| d.to_string()).collect(),
            work_start: "14:00".into(),
            work_end: "15:00".into(),
            ..orbita_app::settings::SettingsInput::from(&current)
        };
        orbita_app::settings::update(&t.db, &w.admin, &input).await.expect("working week saved");
        let mut call = rule(&w, "Первый звонок", Trigger::DealCreated, 0, "Позвонить: {title}");
        call.due_minutes = Some(15);
        call.due_working = Some(true);
        let call = automation::create(&t.db, &w.admin, &call).await.expect("rule");
        assert!(call.fields.task.due_working, "{}", t.name);

        let deal = new_deal(&t.db, &w.manager, "Окна ночью", "90000").await;
        // The test run already says when the task would be due.
        let preview = automation::test_run(&t.db, &w.admin, call.id, deal.id).await.expect("preview");
        jobs::run_due(&t.db, "w").await.expect("run");
        let task = tasks_of(&t.db, &w.manager, &deal).await.pop().expect("the rule's task");
        let tz: chrono_tz::Tz = zone.parse().expect("zone");
        let today = now().with_timezone(&tz).date_naive();
        let opening_plus_15 = today.and_hms_opt(14, 15, 0).expect("time").and_local_timezone(tz).unwrap();
        assert_eq!(
            task.fields.due_at,
            Some(opening_plus_15.to_utc()),
            "{}: 15 minutes after work opens",
            t.name
        );
        match preview {
            orbita_app::automation::Preview::Task { due_at, .. } => {
                assert_eq!(due_at, Some(opening_plus_15.to_utc()), "{}", t.name)
            }
            other => panic!("{}: a task, not {other:?}", t.name),
        }

        // The working week is audited with the settings.
        let filter = AuditFilter { entity: Some("settings".into()), ..AuditFilter::default() };
        let events = admin::audit_log(&t.db, &w.admin, &filter, None, 10).await.expect("audit").items;
        let changed: Vec<_> =
            events.iter().flat_map(|e| e.changes.iter().map(|c| c.field.as_str())).collect();
        assert!(changed.contains(&"work_hours") && changed.contains(&"work_days"), "{}: {changed:?}", t.name);

        // A working week that does not read is refused, field by field, and nothing changes.
        let wrong = orbita_app::settings::SettingsInput {
            work_days: Vec::new(),
            work_start: "15:00".into(),
            work_end: "14:00".into(),
            ..input.clone()
        };
        let Err(AppError::Invalid(errors)) = orbita_app::settings::update(&t.db, &w.admin, &wrong).await
        else {
            panic!("{}: refused", t.name)
        };
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["work_days", "work_end"], "{}", t.name);
        let kept = orbita_app::setup::settings(&t.db).await.expect("settings").working_hours;
        assert_eq!((kept.start_text(), kept.end_text()), ("14:00".into(), "15:00".into()), "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_changed_field_sets_off_the_rules_watching_it() {
    on_both(|t| async move {
        let w = world(&t.db).await;
        let mut amount =
            rule(&w, "Сумма изменилась", Trigger::FieldChanged, 0, "Новая сумма: {title}, {amount}");
        amount.trigger_field = Some("amount".into());
        amount.action = Some(RuleAction::Notify);
        amount.assignee = Some(AssigneeKind::User);
        amount.assignee_user_id = Some(w.admin.user_id());
        let amount = automation::create(&t.db, &w.admin, &amount).await.expect("rule");
        assert_eq!((amount.fields.stage_id, amount.fields.trigger_field.as_deref()), (None, Some("amount")));
        let mut owner = rule(&w, "Новый владелец", Trigger::FieldChanged, 0, "Познакомиться: {title}");
        owner.trigger_field = Some("owner_id".into());
        let owner = automation::create(&t.db, &w.admin, &owner).await.expect("rule");

        let deal = new_deal(&t.db, &w.manager, "Окна в офис", "100000").await;
        assert_eq!(jobs::run_due(&t.db, "w").await.expect("run"), 0, "{}: a new deal is no change", t.name);
        let mut input = DealInput {
            title: "Окна в офис на Ленина".into(),
            amount: "100000".into(),
            ..Default::default()
        };
        deals::update(&t.db, &w.manager, deal.id, &input, None).await.expect("title edited");
        assert_eq!(jobs::run_due(&t.db, "w").await.expect("run"), 0, "{}: no watched field changed", t.name);

        input.amount = "150000".into();
        deals::update(&t.db, &w.manager, deal.id, &input, None).await.expect("amount edited");
        assert_eq!(jobs::run_due(&t.db, "w").await.expect("run"), 1, "{}: the amount's rule", t.name);
        let told = orbita_app::notifications::list(&t.db, &w.admin, true, None, 10).await.expect("bell");
        assert!(
            told.iter().any(|n| n.subject.starts_with("Новая сумма: Окна в офис на Ленина, 150")),
            "{}: {told:?}",
            t.name
        );
        let runs = automation::runs(&t.db, &w.admin, amount.id).await.expect("runs");
        assert_eq!(runs.iter().map(|r| r.outcome).collect::<Vec<_>>(), [RunOutcome::Fired], "{}", t.name);

        // Handing the deal over sets off the owner's rule: its task is the new owner's.
        let measurer = w.measurer_ids[0];
        let handover = deals::DealChange { owner: Some(measurer), ..Default::default() };
        deals::change(&t.db, &w.admin, deal.id, &handover, None).await.expect("handed over");
        assert_eq!(jobs::run_due(&t.db, "w").await.expect("run"), 1, "{}: the owner's rule", t.name);
        let set = tasks_of(&t.db, &w.admin, &deal).await;
        assert_eq!(set.len(), 1, "{}", t.name);
        assert_eq!(set[0].fields.title, "Познакомиться: Окна в офис на Ленина", "{}", t.name);
        assert_eq!(set[0].fields.assignee_id, measurer, "{}", t.name);
        assert_eq!(automation::runs(&t.db, &w.admin, owner.id).await.expect("runs").len(), 1, "{}", t.name);

        // A field to watch is named, and a field deals have.
        let mut unnamed = rule(&w, "Без поля", Trigger::FieldChanged, 0, "x");
        unnamed.stage_id = None;
        let mut unknown = rule(&w, "Цвет", Trigger::FieldChanged, 0, "x");
        unknown.trigger_field = Some("colour".into());
        for input in [unnamed, unknown] {
            let Err(AppError::Invalid(errors)) = automation::create(&t.db, &w.admin, &input).await else {
                panic!("{}: {} refused", t.name, input.name)
            };
            let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["trigger_field"], "{}: {}", t.name, input.name);
        }
        t
    })
    .await;
}

#[tokio::test]
async fn a_rule_watching_a_custom_field_is_set_off_by_its_change() {
    on_both(|t| async move {
        let w = world(&t.db).await;
        let field = orbita_domain::custom::CustomFieldInput {
            key: "window_type".into(),
            ty: "list".into(),
            label_ru: "Тип окна".into(),
            label_en: "Window type".into(),
            options: vec!["ПВХ".into(), "Дерево".into()],
            ..Default::default()
        };
        orbita_app::custom_fields::add(&t.db, &w.admin, orbita_domain::kind::RecordKind::Deal, &field)
            .await
            .expect("field");
        let mut watch = rule(&w, "Дерево", Trigger::FieldChanged, 0, "Заказать брус: {title}");
        watch.trigger_field = Some("custom.window_type".into());
        watch.condition = Some(r#"{"field":"custom.window_type","op":"eq","value":"Дерево"}"#.into());
        automation::create(&t.db, &w.admin, &watch).await.expect("rule on a custom field");

        let deal = new_deal(&t.db, &w.manager, "Дача", "80000").await;
        let mut custom = serde_json::Map::new();
        custom.insert("window_type".into(), "Дерево".into());
        let change = deals::DealChange { custom: Some(custom), ..Default::default() };
        deals::change(&t.db, &w.manager, deal.id, &change, None).await.expect("custom value set");
        assert_eq!(jobs::run_due(&t.db, "w").await.expect("run"), 1, "{}", t.name);
        let set = tasks_of(&t.db, &w.manager, &deal).await;
        assert_eq!(
            set.iter().map(|t| t.fields.title.as_str()).collect::<Vec<_>>(),
            ["Заказать брус: Дача"],
            "{}",
            t.name
        );
        // The same value again is no change, and sets nothing off.
        deals::change(&t.db, &w.manager, deal.id, &change, None).await.expect("same value");
        assert_eq!(jobs::run_due(&t.db, "w").await.expect("run"), 0, "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_deals_task_falling_overdue_sets_off_the_pipelines_rules_once() {
    on_both(|t| async move {
        let w = world(&t.db).await;
        let mut late = rule(&w, "Просрочка", Trigger::TaskOverdue, 0, "Просрочена задача по сделке {title}");
        late.action = Some(RuleAction::Notify);
        late.assignee = Some(AssigneeKind::User);
        late.assignee_user_id = Some(w.admin.user_id());
        let late = automation::create(&t.db, &w.admin, &late).await.expect("rule");
        assert_eq!(late.fields.stage_id, None, "{}: the pipeline's, whatever the stage", t.name);

        let deal = new_deal(&t.db, &w.manager, "Окна в школу", "300000").await;
        let task = |title: &str, deal_id| orbita_domain::task::TaskInput {
            title: title.into(),
            description: String::new(),
            due_at: Some(now() + chrono::Duration::minutes(30)),
            assignee_id: w.manager.user_id(),
            priority: None,
            company_id: None,
            contact_id: None,
            deal_id,
        };
        orbita_app::tasks::create(&t.db, &w.manager, &task("Перезвонить", Some(deal.id)))
            .await
            .expect("task");
        orbita_app::tasks::create(&t.db, &w.manager, &task("Своё", None)).await.expect("a task of no deal");
        jobs::run_due(&t.db, "w").await.expect("run");
        let later = now() + chrono::Duration::minutes(31);
        let scanned = orbita_app::notifications::scan_overdue(&t.db, later).await.expect("scan");
        assert_eq!(scanned.assignees, 2, "{}", t.name);
        assert_eq!(
            jobs::run_due_at(&t.db, "w", later).await.expect("run"),
            1,
            "{}: the deal's task only",
            t.name
        );
        let told = orbita_app::notifications::list(&t.db, &w.admin, true, None, 10).await.expect("bell");
        assert!(
            told.iter().any(|n| n.subject == "Просрочена задача по сделке Окна в школу"),
            "{}: {told:?}",
            t.name
        );
        // The next scan finds it told already: the rule is not set off again.
        orbita_app::notifications::scan_overdue(&t.db, later).await.expect("scan");
        jobs::run_due_at(&t.db, "w", later).await.expect("run");
        assert_eq!(automation::runs(&t.db, &w.admin, late.id).await.expect("runs").len(), 1, "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn a_task_is_due_on_the_deals_date_when_the_rule_says_so() {
    on_both(|t| async move {
        let w = world(&t.db).await;
        let field = orbita_domain::custom::CustomFieldInput {
            key: "measure_date".into(),
            ty: "date".into(),
            label_ru: "Дата замера".into(),
            label_en: "Measuring date".into(),
            ..Default::default()
        };
        orbita_app::custom_fields::add(&t.db, &w.admin, orbita_domain::kind::RecordKind::Deal, &field)
            .await
            .expect("field");
        let mut visit = rule(&w, "Замер", Trigger::StageEntered, 1, "Замер: {title}");
        visit.due_field = Some("custom.measure_date".into());
        visit.due_minutes = Some(60);
        let visit = automation::create(&t.db, &w.admin, &visit).await.expect("rule");
        assert_eq!(visit.fields.task.due_field.as_deref(), Some("custom.measure_date"), "{}", t.name);

        let dated = new_deal(&t.db, &w.manager, "С датой", "1000").await;
        let mut custom = serde_json::Map::new();
        custom.insert("measure_date".into(), "2027-01-15".into());
        let change = deals::DealChange { custom: Some(custom), ..Default::default() };
        deals::change(&t.db, &w.manager, dated.id, &change, None).await.expect("date set");
        let undated = new_deal(&t.db, &w.manager, "Без даты", "1000").await;
        for deal in [&dated, &undated] {
            deals::move_stage(&t.db, &w.manager, deal.id, w.stages[1].id, "", None).await.expect("move");
        }
        let before = now();
        jobs::run_due(&t.db, "w").await.expect("run");
        let (db, manager) = (&t.db, &w.manager);
        let due = |deal| async move { tasks_of(db, manager, deal).await.pop().expect("task").fields.due_at };
        // 09:00 in Moscow, the working week's start, is 06:00 UTC.
        let on_the_day = chrono::DateTime::parse_from_rfc3339("2027-01-15T06:00:00Z").expect("time").to_utc();
        assert_eq!(due(&dated).await, Some(on_the_day), "{}: at the start of the measuring day", t.name);
        let counted = due(&undated).await.expect("due");
        assert!(counted >= before + chrono::Duration::minutes(60), "{}: no date, the minutes count", t.name);

        let mut wrong = rule(&w, "Не дата", Trigger::StageEntered, 1, "x");
        wrong.due_field = Some("amount".into());
        let Err(AppError::Invalid(errors)) = automation::create(&t.db, &w.admin, &wrong).await else {
            panic!("{}: refused", t.name)
        };
        assert_eq!(
            errors.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["due_field"],
            "{}",
            t.name
        );
        t
    })
    .await;
}
