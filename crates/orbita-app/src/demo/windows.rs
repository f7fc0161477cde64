//! The window company of the product brief, in the demo: a second pipeline "Окна" from the
//! site's request to the fitting, a measurer and an installer (each in their group), and the
//! pipeline's robots — a new deal gets "call the client" due in 15 minutes, Замер gets the
//! measurer's visit, Согласование "calculate and call back" within 2 hours, Монтаж the
//! installer's fitting; a changed amount is agreed with the client again. The site's measuring
//! request form (`/f/demo-zamer`) sends the first requests into it.

use orbita_domain::loss_reason::LossReasonFields;
use std::collections::BTreeMap;

use orbita_domain::automation::{Assignee, RuleAction, RuleFields, TaskTemplate, Trigger};
use orbita_domain::pipeline::{StageKind, StageTemplate};
use orbita_domain::task::TaskPriority;
use orbita_domain::user::{BuiltinRole, NewUser};
use orbita_domain::web_form::{FormFieldInput, WebFormInput};
use orbita_domain::{PipelineId, StageId, Timestamp};
use orbita_storage::{Db, automation, pipelines, users, web_forms};

use crate::AppError;

const fn open(name_ru: &'static str, name_en: &'static str, probability: u8) -> StageTemplate {
    StageTemplate { name_ru, name_en, kind: StageKind::Open, probability }
}

const STAGES: &[StageTemplate] = &[
    open("Заявка с сайта", "Website request", 10),
    open("Первый звонок", "First call", 20),
    open("Замер", "Measuring", 40),
    open("Согласование", "Approval", 60),
    open("Оплата", "Payment", 80),
    open("Монтаж", "Fitting", 90),
    StageTemplate { name_ru: "Успешно", name_en: "Won", kind: StageKind::Won, probability: 100 },
    StageTemplate { name_ru: "Отказ", name_en: "Lost", kind: StageKind::Lost, probability: 0 },
];

/// The local hour of the measurer's and the installer's daily digest.
const DIGEST_HOUR: u8 = 8;

/// Stage positions in `STAGES` that the robots are on.
const MEASURING: usize = 2;
const APPROVAL: usize = 3;
const FITTING: usize = 5;

pub(super) async fn load(db: &Db, now: Timestamp) -> Result<(), AppError> {
    let password_hash = crate::passwords::hash(super::DEMO_PASSWORD)?;
    let roles = users::roles(db).await?;
    let manager = roles.iter().find(|r| r.key == BuiltinRole::Manager.as_str()).ok_or(AppError::NotFound)?.id;
    let zone = orbita_i18n::format::time_zone(&crate::setup::settings(db).await?.time_zone);
    // The field staff start their day with the e-mail digest (sent once an SMTP server is set).
    let digest = Some((DIGEST_HOUR, orbita_domain::notification::next_digest_at(DIGEST_HOUR, &zone, now)));
    let mut tx = db.begin().await?;
    let pipeline = pipelines::insert(&mut tx, ("Окна", "Windows"), false, STAGES, now).await?;
    let mut group_of = Vec::new();
    for (email, name, group) in [
        ("measurer@demo.orbita.local", "Олег Замеров", "Замерщики"),
        ("installer@demo.orbita.local", "Иван Монтажов", "Монтажники"),
    ] {
        let user =
            users::insert(&mut tx, &NewUser::parse(email, name)?, Some(&password_hash), manager, now).await?;
        let group = users::insert_group(&mut tx, group, now).await?;
        users::add_to_group(&mut tx, group, user, now).await?;
        orbita_storage::notification_preferences::set_digest(&mut tx, user, digest).await?;
        group_of.push(group);
    }
    // The loss reasons the demo's lost deals were given, offered in every pipeline, and one
    // the window company's measuring alone meets.
    let reasons = super::words::LOST_REASONS.iter().take(6).map(|name| (*name, None));
    for (name, only) in reasons.chain([("Замер не подтвердил проём", Some(pipeline))]) {
        let fields = LossReasonFields { name: name.to_owned(), pipeline_id: only, active: true };
        orbita_storage::loss_reasons::insert(&mut tx, &fields, now).await?;
    }
    tx.commit().await?;
    let stage = |at: usize| stage_id(db, pipeline, at);
    let rule = |name: &str, trigger, stage_id, title: &str, assignee, due_minutes| RuleFields {
        name: name.to_owned(),
        active: true,
        pipeline_id: pipeline,
        stage_id,
        trigger,
        trigger_field: None,
        condition: None,
        delay_minutes: 0,
        action: RuleAction::SetTask,
        target_stage_id: None,
        set_field: None,
        set_value: None,
        webhook_id: None,
        task: TaskTemplate {
            title: title.to_owned(),
            description: None,
            assignee,
            due_minutes: Some(due_minutes),
            // The office's calls (within 15 minutes, within 2 hours) count working hours: a
            // request at night is called back in the morning. The visits count calendar days.
            due_working: due_minutes <= 2 * 60,
            due_field: None,
            priority: TaskPriority::High,
        },
    };
    let rules = [
        rule(
            "Первый звонок",
            Trigger::DealCreated,
            None,
            "Позвонить клиенту: {title}",
            Assignee::DealOwner,
            15,
        ),
        // Due on the day agreed with the client, when it is on the deal; else within a day.
        {
            let visit = rule(
                "Замер",
                Trigger::StageEntered,
                Some(stage(MEASURING).await?),
                "Замер: {title}",
                Assignee::RoundRobin(group_of[0]),
                24 * 60,
            );
            let task =
                TaskTemplate { due_field: Some("custom.measure_date".to_owned()), ..visit.task.clone() };
            RuleFields { task, ..visit }
        },
        rule(
            "Расчёт",
            Trigger::StageEntered,
            Some(stage(APPROVAL).await?),
            "Рассчитать стоимость и перезвонить: {title}",
            Assignee::DealOwner,
            120,
        ),
        rule(
            "Монтаж",
            Trigger::StageEntered,
            Some(stage(FITTING).await?),
            "Монтаж: {title} ({amount})",
            Assignee::LeastLoaded(group_of[1]),
            3 * 24 * 60,
        ),
        // A new amount (the measuring changed the order) is agreed with the client again.
        RuleFields {
            trigger_field: Some("amount".to_owned()),
            ..rule(
                "Сумма изменилась",
                Trigger::FieldChanged,
                None,
                "Согласовать новую сумму с клиентом: {title} ({amount})",
                Assignee::DealOwner,
                120,
            )
        },
    ];
    // The deal's manager hears when fitting is set, and when approval has taken three days.
    let notice = |name: &str, at: StageId, delay_minutes: i64, text: &str| RuleFields {
        delay_minutes,
        ..told(rule(name, Trigger::StageEntered, Some(at), text, Assignee::DealOwner, 0))
    };
    let notices = [
        notice("Монтаж назначен", stage(FITTING).await?, 0, "Монтаж назначен: {title}"),
        notice(
            "Долгое согласование",
            stage(APPROVAL).await?,
            3 * 24 * 60,
            "Третий день на согласовании: {title}",
        ),
    ];
    // The head of sales hears of every overdue task of a window order, with the order's name.
    let head = users::list(db).await?.into_iter().find(|u| u.email.as_str() == "head@demo.orbita.local");
    let overdue = head.map(|head| {
        let text = "Просрочена задача по заказу: {title}";
        told(rule("Просрочка по заказу", Trigger::TaskOverdue, None, text, Assignee::User(head.id), 0))
    });
    // A request with no source came from the site's form: the rule says so, so the sources
    // report counts it.
    let from_site = RuleFields {
        action: RuleAction::SetField,
        set_field: Some("source".to_owned()),
        set_value: Some("Сайт".to_owned()),
        condition: Some(r#"{"field": "source", "op": "empty"}"#.to_owned()),
        task: TaskTemplate {
            title: String::new(),
            due_minutes: None,
            due_working: false,
            ..rules[0].task.clone()
        },
        ..rules[0].clone()
    };
    let from_site = RuleFields { name: "Источник: сайт".to_owned(), ..from_site };
    let mut tx = db.begin().await?;
    for rule in rules.iter().chain(&notices).chain(&overdue).chain([&from_site]) {
        automation::insert(&mut tx, rule, now).await?;
    }
    tx.commit().await?;
    site_form(db, pipeline, now).await
}

/// The measuring request form of the company's site, for the demo's manager, with three
/// requests already sent through it (from advertising, with their UTM tags).
async fn site_form(db: &Db, pipeline: PipelineId, now: Timestamp) -> Result<(), AppError> {
    let manager_email = super::load::logins().manager_email;
    let manager = users::list(db).await?.into_iter().find(|u| u.email.as_str() == manager_email);
    let manager = manager.ok_or(AppError::NotFound)?;
    let field = |name: &str, to: &str, required, ru: &str, en: &str| FormFieldInput {
        name: name.to_owned(),
        maps_to: to.to_owned(),
        required,
        label_ru: ru.to_owned(),
        label_en: en.to_owned(),
    };
    let input = WebFormInput {
        name: "Заявка на замер".to_owned(),
        pipeline_id: Some(pipeline),
        assignee: Some(Assignee::User(manager.id)),
        fields: vec![
            field("name", "contact.name", true, "Ваше имя", "Your name"),
            field("phone", "contact.phone", true, "Телефон", "Phone"),
            field("email", "contact.email", false, "E-mail", "E-mail"),
            field("comment", "deal.notes", false, "Что нужно остеклить?", "What needs glazing?"),
        ],
        allowed_origins: vec!["https://okna.example.ru".to_owned()],
        thank_you: "Спасибо! Перезвоним в течение 15 минут в рабочее время.".to_owned(),
        consent: true,
        consent_text:
            "Я согласен на обработку моих персональных данных ООО «Окна Комфорт» для ответа на заявку \
                       (152-ФЗ), согласно политике на сайте okna.example.ru."
                .to_owned(),
        ..WebFormInput::default()
    };
    let fields = input.validate()?;
    let mut tx = db.begin().await?;
    let id = web_forms::insert(&mut tx, &fields, "demo-zamer", now).await?;
    tx.commit().await?;
    let form = web_forms::get(db, id).await?.ok_or(AppError::NotFound)?;
    let requests = [
        ("Анна Соколова", "+7 912 345-67-89", "Три окна в квартире, ПВХ", "yandex", "cpc", "spring-windows"),
        ("Пётр Власов", "+7 903 111-22-33", "Балкон, тёплое остекление", "vk", "social", "balcony"),
        ("Ирина Белова", "+7 926 555-44-33", "Загородный дом, 12 окон", "yandex", "cpc", "country-house"),
    ];
    for (name, phone, comment, source, medium, campaign) in requests {
        let sent: BTreeMap<String, String> = [
            ("name", name),
            ("phone", phone),
            ("comment", comment),
            ("_consent", "on"),
            ("utm_source", source),
            ("utm_medium", medium),
            ("utm_campaign", campaign),
            ("_page", "https://okna.example.ru/zamer"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        crate::web_forms::submit(db, &form, &sent, None).await?;
    }
    Ok(())
}

/// `rule` as a notice to its assignee: its task's title is the text, and nothing is due.
fn told(rule: RuleFields) -> RuleFields {
    let task = TaskTemplate { due_minutes: None, due_working: false, ..rule.task.clone() };
    RuleFields { action: RuleAction::Notify, task, ..rule }
}

async fn stage_id(db: &Db, pipeline: PipelineId, at: usize) -> Result<StageId, AppError> {
    let stages = pipelines::stages(db).await?;
    stages.into_iter().filter(|s| s.pipeline_id == pipeline).nth(at).map(|s| s.id).ok_or(AppError::NotFound)
}
