//! Notifications by e-mail and the daily digest. A notification its user wants by e-mail waits
//! for a batch: the first of a burst queues one job [`MAIL_BATCH`] later, and that job sends
//! one letter with everything still waiting, leaving out what was read in the bell meanwhile.
//! A digest is queued by the workers' scan at its user's hour, once per day across instances,
//! and sent only when it has something to say.

use chrono::{Duration, NaiveDate};
use orbita_domain::notification::{MailState, Notification, next_digest_at};
use orbita_domain::org::Locale;
use orbita_domain::user::User;
use orbita_domain::{Timestamp, UserId, local_time, now};
use orbita_i18n::{self as i18n, FluentValue, format};
use orbita_storage::digest::{self, Line};
use orbita_storage::notification_preferences as pref_store;
use orbita_storage::notifications as store;
use orbita_storage::{Db, Tx, users};

use crate::AppError;
use crate::jobs::{self, Work};
use crate::mail::Mailer;
use crate::webhooks::Outbound;

/// How long the first notification of a burst waits for the rest before its letter goes.
pub const MAIL_BATCH: Duration = Duration::minutes(2);
/// How long an open deal stays in one stage before the digest calls it stuck.
pub const DIGEST_STUCK_AFTER: Duration = Duration::days(14);
/// Notifications in one letter; more wait for the next.
const BATCH_LIMIT: u64 = 50;
/// Lines in each part of a digest.
const DIGEST_LINES: u64 = 20;
/// Digests queued by one scan; the next scan takes the rest.
const DIGEST_SCAN: u64 = 200;

/// Queues the recipient's e-mail batch for the notification `id`, unless another of theirs
/// waits already (its batch will take this one too): a burst of notifications is one job and
/// one letter.
pub(crate) async fn queue_batch_in(
    tx: &mut Tx,
    user: UserId,
    id: i64,
    at: Timestamp,
) -> Result<(), AppError> {
    if store::mail_waiting_besides(tx, user, id).await? {
        return Ok(());
    }
    let key = format!("notification-mail:{user}:{id}");
    jobs::enqueue_once_in(tx, &Work::NotificationMail { user_id: user.0 }, at + MAIL_BATCH, &key).await
}

/// Queues a batch for each user whose notification has waited for its e-mail longer than a
/// batch should take: one written while that user's batch was being sent saw the batch's
/// notices still waiting and queued none of its own.
pub async fn sweep_mail(db: &Db, at: Timestamp) -> Result<usize, AppError> {
    let stragglers = store::mail_stragglers(db, at - MAIL_BATCH * 2, DIGEST_SCAN).await?;
    let mut tx = db.begin().await?;
    for (user_id, oldest) in &stragglers {
        let key = format!("notification-mail:{user_id}:late:{oldest}");
        jobs::enqueue_once_in(&mut tx, &Work::NotificationMail { user_id: *user_id }, at, &key).await?;
    }
    tx.commit().await?;
    Ok(stragglers.len())
}

/// Sends the user's waiting notifications in one letter. They are marked sent before the letter
/// goes, so that two batches running at once never send one twice; a refused letter puts them
/// back to wait for the job's next attempt.
pub(crate) async fn send_batch(db: &Db, outbound: &Outbound, user_id: i64) -> Result<(), String> {
    let user = UserId(user_id);
    let at = now();
    if !store::mail_waiting(db, user, at).await.map_err(|e| e.to_string())? {
        // Taken by an earlier batch: the common case of a late batch, one indexed read.
        return Ok(());
    }
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    let pending = store::mail_pending(&mut tx, user, at, BATCH_LIMIT).await.map_err(|e| e.to_string())?;
    if pending.is_empty() {
        // Taken by a batch running at the same moment.
        return Ok(());
    }
    let person = users::get(db, user).await.map_err(|e| e.to_string())?;
    let (read, unread): (Vec<&Notification>, Vec<&Notification>) =
        pending.iter().partition(|n| n.read_at.is_some());
    let mailer = outbound.mail.as_deref().filter(|_| person.is_active);
    let unread_ids: Vec<i64> = unread.iter().map(|n| n.id).collect();
    let mut skipped: Vec<i64> = read.iter().map(|n| n.id).collect();
    if mailer.is_none() {
        skipped.extend(&unread_ids);
    }
    store::set_mail_state(&mut tx, &skipped, MailState::Skipped).await.map_err(|e| e.to_string())?;
    let (Some(mailer), false) = (mailer, unread.is_empty()) else {
        return tx.commit().await.map_err(|e| e.to_string());
    };
    store::set_mail_state(&mut tx, &unread_ids, MailState::Sent).await.map_err(|e| e.to_string())?;
    if pending.len() as u64 == BATCH_LIMIT {
        // More are waiting: the next letter follows at once.
        jobs::enqueue_in(&mut tx, &Work::NotificationMail { user_id }, now())
            .await
            .map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    let locale = locale_of(db, &person).await.map_err(|e| e.to_string())?;
    let (subject, body) = batch_letter(locale, mailer, &person, &unread);
    if let Err(error) = mailer.send(&person.name, person.email.as_str(), &subject, body).await {
        let mut tx = db.begin().await.map_err(|e| e.to_string())?;
        store::set_mail_state(&mut tx, &unread_ids, MailState::Pending).await.map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        return Err(error);
    }
    Ok(())
}

/// The reader's language: their own choice, else the organisation's.
async fn locale_of(db: &Db, person: &User) -> Result<Locale, AppError> {
    Ok(match person.locale {
        Some(locale) => locale,
        None => crate::setup::settings(db).await?.locale,
    })
}

/// One notification: its text as the subject. Several: their count as the subject and each on
/// its own lines with its link.
fn batch_letter(locale: Locale, mailer: &Mailer, person: &User, items: &[&Notification]) -> (String, String) {
    let text = |n: &Notification| {
        i18n::t_args(locale, &n.kind.text_key(), &[("subject", n.subject.as_str().into())])
    };
    let subject = match items {
        [one] => text(one),
        _ => i18n::count(locale, "mail-notifications-subject", items.len() as i64),
    };
    let mut body = greeting(locale, person);
    for n in items {
        let link = mailer.link(&format!("/notifications/{}/open", n.id));
        body.push_str(&format!("• {}\n  {link}\n\n", text(n)));
    }
    body.push_str(&footer(locale, mailer));
    (subject, body)
}

fn greeting(locale: Locale, person: &User) -> String {
    format!("{}\n\n", i18n::t_args(locale, "mail-greeting", &[("name", person.name.as_str().into())]))
}

fn footer(locale: Locale, mailer: &Mailer) -> String {
    format!("—\n{}\n{}\n", i18n::t(locale, "mail-footer-settings"), mailer.link("/notifications/settings"))
}

/// Queues the digests due at `at`: each moves on to its next day in the same write that queues
/// it, so one instance queues it and the day's key keeps it to one letter.
pub async fn scan_digests(db: &Db, at: Timestamp) -> Result<usize, AppError> {
    let due = pref_store::due_digests(db, at, DIGEST_SCAN).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let zone = format::time_zone(&crate::setup::settings(db).await?.time_zone);
    let mut queued = 0;
    for digest in due {
        let user = UserId(digest.user_id);
        let next = next_digest_at(u8::try_from(digest.hour).unwrap_or(0), &zone, at);
        let day = digest.next_at.with_timezone(&zone).date_naive();
        let mut tx = db.begin().await?;
        if pref_store::advance_digest(&mut tx, user, digest.next_at, next).await? {
            let work = Work::Digest { user_id: user.0, day: day.to_string() };
            jobs::enqueue_once_in(&mut tx, &work, at, &format!("digest:{user}:{day}")).await?;
            queued += 1;
        }
        tx.commit().await?;
    }
    Ok(queued)
}

/// Sends the user's digest for `day`: their overdue tasks, those due that day, and their deals
/// stuck in a stage. Nothing to say, no letter; no SMTP server, nothing to do.
pub(crate) async fn send_digest(db: &Db, outbound: &Outbound, user_id: i64, day: &str) -> Result<(), String> {
    let Some(mailer) = outbound.mail.as_deref() else { return Ok(()) };
    let day: NaiveDate = day.parse().map_err(|_| format!("the digest day {day:?} is not a date"))?;
    let user = UserId(user_id);
    let person = users::get(db, user).await.map_err(|e| e.to_string())?;
    if !person.is_active {
        return Ok(());
    }
    let settings = crate::setup::settings(db).await.map_err(|e| e.to_string())?;
    let zone = format::time_zone(&settings.time_zone);
    let at = now();
    let until = local_time::day_end(day, &zone);
    let tasks = digest::tasks_due(db, user, until, DIGEST_LINES).await.map_err(|e| e.to_string())?;
    let stuck = digest::stuck_deals(db, user, at - DIGEST_STUCK_AFTER, DIGEST_LINES)
        .await
        .map_err(|e| e.to_string())?;
    if tasks.is_empty() && stuck.is_empty() {
        return Ok(());
    }
    let locale = person.locale.unwrap_or(settings.locale);
    let letter = Digest { locale, mailer, time_zone: &settings.time_zone, at };
    let subject = i18n::t_args(locale, "mail-digest-subject", &[("day", format::date(locale, day).into())]);
    let body = letter.body(&person, &tasks, &stuck);
    mailer.send(&person.name, person.email.as_str(), &subject, body).await
}

struct Digest<'a> {
    locale: Locale,
    mailer: &'a Mailer,
    time_zone: &'a str,
    at: Timestamp,
}

impl Digest<'_> {
    fn body(&self, person: &User, tasks: &[Line], stuck: &[Line]) -> String {
        let (overdue, today): (Vec<&Line>, Vec<&Line>) = tasks.iter().partition(|t| t.at < self.at);
        let mut body = greeting(self.locale, person);
        self.part(&mut body, "mail-digest-overdue", &overdue, "/tasks", |t| {
            format::datetime(self.locale, self.time_zone, t.at)
        });
        self.part(&mut body, "mail-digest-today", &today, "/tasks", |t| {
            format::time(self.locale, self.time_zone, t.at)
        });
        let stuck: Vec<&Line> = stuck.iter().collect();
        self.part(&mut body, "mail-digest-stuck", &stuck, "/deals", |d| {
            let days = (self.at - d.at).num_days();
            i18n::t_args(self.locale, "mail-digest-days-in-stage", &[("days", FluentValue::from(days))])
        });
        body.push_str(&footer(self.locale, self.mailer));
        body
    }

    fn part(
        &self,
        body: &mut String,
        heading: &str,
        lines: &[&Line],
        base: &str,
        when: impl Fn(&Line) -> String,
    ) {
        if lines.is_empty() {
            return;
        }
        body.push_str(&format!("{}\n\n", i18n::t(self.locale, heading)));
        for line in lines {
            let link = self.mailer.link(&format!("{base}/{}", line.id));
            body.push_str(&format!("• {} — {}\n  {link}\n", line.title, when(line)));
        }
        body.push('\n');
    }
}
