//! Notification e-mail against a real SMTP server on loopback (aiosmtpd), on SQLite and
//! PostgreSQL: a burst of assignments is one letter in its reader's language with links to
//! the records; one read in the bell first is not sent; each user's choices hold; the daily
//! digest is queued once per day and says nothing when there is nothing to say.

use chrono::Duration;
use mail_parser::{MessageParser, MimeHeaders};
use orbita_app::jobs;
use orbita_app::mail::Mailer;
use orbita_app::webhooks::Outbound;
use orbita_app::{Access, RequestContext, notifications, tasks, users};
use orbita_domain::notification::{NotificationKind, Preference, Preferences};
use orbita_domain::org::Locale;
use orbita_domain::task::TaskInput;
use orbita_domain::{UserId, now};
use orbita_storage::Db;
use orbita_testkit::on_both;
use orbita_testkit::smtp::SmtpServer;

async fn person(db: &Db, email: &str, role: &str, locale: Option<Locale>) -> Access {
    let id: UserId =
        users::create_user(db, &RequestContext::system(), email, email, role, "a good long password")
            .await
            .expect("user");
    if locale.is_some() {
        let user = orbita_storage::users::get(db, id).await.expect("user");
        let changes = orbita_storage::users::UserChanges {
            email: &user.email,
            name: &user.name,
            role_id: user.role_id,
            is_active: true,
            locale,
        };
        let mut tx = db.begin().await.expect("tx");
        orbita_storage::users::update(&mut tx, id, &changes, now()).await.expect("locale");
        tx.commit().await.expect("commit");
    }
    Access::load(db, id, None).await.expect("access")
}

fn task(title: &str, assignee: UserId, due_in: Option<Duration>) -> TaskInput {
    TaskInput {
        title: title.into(),
        description: String::new(),
        due_at: due_in.map(|d| now() + d),
        assignee_id: assignee,
        priority: None,
        company_id: None,
        contact_id: None,
        deal_id: None,
    }
}

struct Letter {
    to: String,
    subject: String,
    body: String,
    plain: bool,
}

fn letters(smtp: &SmtpServer) -> Vec<Letter> {
    smtp.messages()
        .iter()
        .map(|raw| {
            let message = MessageParser::default().parse(raw).expect("a message");
            let to = message
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .map(str::to_owned)
                .unwrap_or_default();
            let text = message.body_text(0).map(|b| b.into_owned()).unwrap_or_default();
            let plain =
                message.content_type().is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("plain"));
            Letter { to, subject: message.subject().unwrap_or_default().to_owned(), body: text, plain }
        })
        .collect()
}

fn mail(smtp: &SmtpServer) -> Outbound {
    let mailer =
        Mailer::new(&smtp.url(), "Orbita <crm@example.ru>", "https://crm.example.ru/").expect("mailer");
    Outbound::default().with_mail(mailer)
}

/// Runs the jobs due after the batch window (and again, for what those queued).
async fn run_batches(db: &Db, outbound: &Outbound) {
    let later = now() + notifications::MAIL_BATCH + Duration::seconds(5);
    while jobs::run_due_with(db, "test", outbound, later).await.expect("jobs") > 0 {}
    let states = [orbita_domain::job::JobState::Failed, orbita_domain::job::JobState::Dead];
    let troubled = orbita_storage::jobs::list(db, &states, 10).await.expect("jobs");
    assert!(troubled.is_empty(), "{:?}", troubled.iter().map(|j| &j.last_error).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_burst_of_assignments_is_one_letter_in_the_readers_language_and_a_read_one_is_not_sent() {
    on_both(|t| async move {
        let Some(smtp) = SmtpServer::start() else { return t };
        let outbound = mail(&smtp);
        orbita_app::setup::bootstrap(&t.db).await.expect("bootstrap");
        let head = person(&t.db, "head@x.ru", "administrator", None).await;
        let anna = person(&t.db, "anna@x.ru", "manager", Some(Locale::En)).await;
        let boris = person(&t.db, "boris@x.ru", "manager", None).await;

        // Three tasks for Anna in a burst, one for Boris; the head's own task tells nobody.
        for title in ["Call the client", "Send the offer", "Measure the windows"] {
            tasks::create(&t.db, &head, &task(title, anna.user_id(), None)).await.expect("task");
        }
        tasks::create(&t.db, &head, &task("Позвонить клиенту", boris.user_id(), None)).await.expect("task");
        tasks::create(&t.db, &head, &task("Своя", head.user_id(), None)).await.expect("own");

        // Nothing goes before the batch window closes.
        jobs::run_due_with(&t.db, "test", &outbound, now()).await.expect("jobs");
        assert!(smtp.messages().is_empty(), "{}: sent before the batch window", t.name);
        run_batches(&t.db, &outbound).await;
        let sent = letters(&smtp);
        assert_eq!(sent.len(), 2, "{}: one letter per person", t.name);
        let to_anna = sent.iter().find(|l| l.to == "anna@x.ru").expect("Anna's letter");
        assert_eq!(to_anna.subject, "3 new notifications", "{}", t.name);
        assert!(to_anna.plain, "{}: plain text", t.name);
        for title in ["Call the client", "Send the offer", "Measure the windows"] {
            assert!(
                to_anna.body.contains(&format!("Task assigned to you: {title}")),
                "{}: {}",
                t.name,
                to_anna.body
            );
        }
        assert!(to_anna.body.contains("Hello, anna@x.ru!"), "{}", t.name);
        let first = notifications::list(&t.db, &anna, false, None, 50).await.expect("list");
        for n in &first {
            let link = format!("https://crm.example.ru/notifications/{}/open", n.id);
            assert!(to_anna.body.contains(&link), "{}: {link} in {}", t.name, to_anna.body);
        }
        assert!(to_anna.body.contains("https://crm.example.ru/notifications/settings"), "{}", t.name);
        let to_boris = sent.iter().find(|l| l.to == "boris@x.ru").expect("Boris's letter");
        assert_eq!(to_boris.subject, "Вам поручена задача: Позвонить клиенту", "{}", t.name);
        assert!(to_boris.body.contains("Здравствуйте"), "{}", t.name);

        // A notification read in the bell before its batch is not e-mailed.
        tasks::create(&t.db, &head, &task("Read it first", anna.user_id(), None)).await.expect("task");
        notifications::mark_read(&t.db, &anna, None).await.expect("read");
        run_batches(&t.db, &outbound).await;
        assert_eq!(smtp.messages().len(), 2, "{}: a read notification was e-mailed", t.name);

        // Boris wants task notices only by e-mail: the bell stays empty, the letter comes.
        let mut prefs = notifications::preferences(&t.db, &boris).await.expect("prefs");
        for p in &mut prefs.kinds {
            if p.kind == NotificationKind::TaskAssigned {
                *p = Preference { kind: p.kind, in_app: false, email: true };
            }
        }
        notifications::save_preferences(&t.db, &boris, &prefs).await.expect("saved");
        notifications::mark_read(&t.db, &boris, None).await.expect("read");
        tasks::create(&t.db, &head, &task("Только почтой", boris.user_id(), None)).await.expect("task");
        assert_eq!(notifications::unread_count(&t.db, &boris).await.expect("count"), 0, "{}", t.name);
        run_batches(&t.db, &outbound).await;
        let sent = letters(&smtp);
        assert_eq!(sent.len(), 3, "{}", t.name);
        assert!(
            sent.iter().any(|l| l.to == "boris@x.ru" && l.subject == "Вам поручена задача: Только почтой"),
            "{}",
            t.name
        );

        // And neither: nothing in the bell, no letter.
        prefs
            .kinds
            .iter_mut()
            .filter(|p| p.kind == NotificationKind::TaskAssigned)
            .for_each(|p| p.email = false);
        notifications::save_preferences(&t.db, &boris, &prefs).await.expect("saved");
        tasks::create(&t.db, &head, &task("Никак", boris.user_id(), None)).await.expect("task");
        run_batches(&t.db, &outbound).await;
        assert_eq!(smtp.messages().len(), 3, "{}", t.name);
        assert_eq!(notifications::list(&t.db, &boris, false, None, 50).await.expect("list").len(), 1);

        // A notice left waiting (its batch raced with it) is swept into a late batch; the batch
        // and the late one running both send it once.
        tasks::create(&t.db, &head, &task("Late", anna.user_id(), None)).await.expect("task");
        let late = now() + notifications::MAIL_BATCH * 3;
        assert_eq!(notifications::sweep_mail(&t.db, late).await.expect("sweep"), 1, "{}", t.name);
        while jobs::run_due_with(&t.db, "test", &outbound, late).await.expect("jobs") > 0 {}
        let sent = letters(&smtp);
        assert_eq!(
            sent.iter().filter(|l| l.subject == "Task assigned to you: Late").count(),
            1,
            "{}",
            t.name
        );
        assert_eq!(notifications::sweep_mail(&t.db, late).await.expect("sweep"), 0, "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn without_an_smtp_server_nothing_is_sent_and_nothing_waits() {
    on_both(|t| async move {
        orbita_app::setup::bootstrap(&t.db).await.expect("bootstrap");
        let head = person(&t.db, "head@x.ru", "administrator", None).await;
        let anna = person(&t.db, "anna@x.ru", "manager", None).await;
        tasks::create(&t.db, &head, &task("Позвонить", anna.user_id(), None)).await.expect("task");
        run_batches(&t.db, &Outbound::default()).await;
        // The batch ran and set the notice aside: a later server does not send old news.
        let mut tx = t.db.begin().await.expect("tx");
        let pending = orbita_storage::notifications::mail_pending(&mut tx, anna.user_id(), now(), 50)
            .await
            .expect("pending");
        assert!(pending.is_empty(), "{}", t.name);
        t
    })
    .await;
}

#[tokio::test]
async fn the_daily_digest_goes_once_a_day_at_its_hour_and_not_when_empty() {
    on_both(|t| async move {
        let Some(smtp) = SmtpServer::start() else { return t };
        let outbound = mail(&smtp);
        orbita_app::setup::bootstrap(&t.db).await.expect("bootstrap");
        let head = person(&t.db, "head@x.ru", "administrator", None).await;
        let anna = person(&t.db, "anna@x.ru", "manager", None).await;
        let idle = person(&t.db, "idle@x.ru", "manager", None).await;
        tasks::create(&t.db, &head, &task("Просроченная", anna.user_id(), Some(-Duration::hours(3))))
            .await
            .expect("task");
        tasks::create(&t.db, &anna, &task("Через неделю", anna.user_id(), Some(Duration::days(7))))
            .await
            .expect("task");
        for who in [&anna, &idle] {
            let prefs = Preferences {
                digest_hour: Some(8),
                ..notifications::preferences(&t.db, who).await.expect("prefs")
            };
            notifications::save_preferences(&t.db, who, &prefs).await.expect("digest on");
        }
        assert_eq!(notifications::preferences(&t.db, &anna).await.expect("prefs").digest_hour, Some(8));

        // Not due yet; then due within the next day: queued once, however many scans.
        assert_eq!(notifications::scan_digests(&t.db, now()).await.expect("scan"), 0, "{}", t.name);
        let tomorrow = now() + Duration::hours(24);
        assert_eq!(notifications::scan_digests(&t.db, tomorrow).await.expect("scan"), 2, "{}", t.name);
        assert_eq!(notifications::scan_digests(&t.db, tomorrow).await.expect("scan"), 0, "{}", t.name);
        while jobs::run_due_with(&t.db, "test", &outbound, tomorrow).await.expect("jobs") > 0 {}

        // Anna's digest names her overdue task and not next week's; the idle manager's is not sent.
        // (Anna's other letter tells her of the task the head gave her.)
        let sent: Vec<Letter> =
            letters(&smtp).into_iter().filter(|l| l.subject.starts_with("Ваш день в Orbita")).collect();
        assert_eq!(sent.len(), 1, "{}: {:?}", t.name, sent.iter().map(|l| &l.to).collect::<Vec<_>>());
        assert_eq!(sent[0].to, "anna@x.ru");
        assert!(sent[0].body.contains("Просроченные задачи"), "{}: {}", t.name, sent[0].body);
        assert!(sent[0].body.contains("Просроченная"), "{}", t.name);
        assert!(!sent[0].body.contains("Через неделю"), "{}", t.name);
        assert!(sent[0].body.contains("https://crm.example.ru/tasks/"), "{}", t.name);

        // Off: no longer queued.
        let prefs = Preferences {
            digest_hour: None,
            ..notifications::preferences(&t.db, &anna).await.expect("prefs")
        };
        notifications::save_preferences(&t.db, &anna, &prefs).await.expect("digest off");
        let day_after = tomorrow + Duration::hours(24);
        assert_eq!(
            notifications::scan_digests(&t.db, day_after).await.expect("scan"),
            1,
            "{}: only idle's",
            t.name
        );
        t
    })
    .await;
}
