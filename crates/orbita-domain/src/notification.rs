//! A notification: something a user should know (a task or a deal given to them, a task of
//! theirs overdue), shown in the bell with a link to the record. Its text is made when it is
//! read, in the reader's language, from its kind and the record's name as it was then.

use chrono::{NaiveDate, NaiveTime, TimeZone};

use crate::{Timestamp, UserId};

crate::text_enum!(
    /// `team_task_overdue` goes to the heads of sales of an overdue task's assignee;
    /// `rule_notice` is an automation rule's message about a deal; `access_requested` asks a
    /// company's owner (and their heads of sales) to share it with someone who cannot see it.
    NotificationKind {
        TaskAssigned => "task_assigned",
        DealAssigned => "deal_assigned",
        TaskOverdue => "task_overdue",
        TeamTaskOverdue => "team_task_overdue",
        WebhookDisabled => "webhook_disabled",
        RuleNotice => "rule_notice",
        AccessRequested => "access_requested",
    }
);

impl NotificationKind {
    /// The message's key in the locale files: `notification-task-assigned`.
    pub fn text_key(self) -> String {
        format!("notification-{}", self.as_str().replace('_', "-"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub user_id: UserId,
    pub kind: NotificationKind,
    /// The record it is about: an audit entity (`task`, `deal`) and its id.
    pub entity: String,
    pub entity_id: i64,
    /// The record's title when it was made.
    pub subject: String,
    pub read_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// The longest subject kept: a title is cut, never refused.
pub const MAX_SUBJECT_CHARS: usize = 300;

/// `subject` cut to [`MAX_SUBJECT_CHARS`].
pub fn subject(text: &str) -> String {
    crate::text::cut(text, MAX_SUBJECT_CHARS)
}

/// The page of the record a notification is about (the bell and the e-mail link to it).
pub fn record_path(entity: &str, entity_id: i64) -> String {
    match entity {
        "task" => format!("/tasks/{entity_id}"),
        "deal" => format!("/deals/{entity_id}"),
        "company" => format!("/companies/{entity_id}"),
        "webhook" => format!("/admin/webhooks/{entity_id}"),
        _ => "/notifications".to_owned(),
    }
}

impl Notification {
    pub fn path(&self) -> String {
        record_path(&self.entity, self.entity_id)
    }
}

/// How a user is told of one kind of notification: in the bell, by e-mail, both or not at
/// all. Without a choice of their own both are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preference {
    pub kind: NotificationKind,
    pub in_app: bool,
    pub email: bool,
}

impl Preference {
    pub fn default_for(kind: NotificationKind) -> Preference {
        Preference { kind, in_app: true, email: true }
    }
}

/// A user's choices: one per kind (every kind, defaults filled in) and the daily digest's
/// local hour, `None` when it is off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    pub kinds: Vec<Preference>,
    pub digest_hour: Option<u8>,
}

impl Preferences {
    /// Every kind in [`NotificationKind::ALL`] order, the stored choices over the defaults.
    pub fn from_stored(stored: &[Preference], digest_hour: Option<u8>) -> Preferences {
        let kinds = NotificationKind::ALL
            .iter()
            .map(|&kind| {
                stored.iter().find(|p| p.kind == kind).copied().unwrap_or(Preference::default_for(kind))
            })
            .collect();
        Preferences { kinds, digest_hour }
    }

    pub fn get(&self, kind: NotificationKind) -> Preference {
        self.kinds.iter().find(|p| p.kind == kind).copied().unwrap_or(Preference::default_for(kind))
    }

    /// Refuses a digest hour outside 0–23.
    pub fn validate(&self) -> Result<(), crate::FieldError> {
        match self.digest_hour {
            Some(hour) if hour > 23 => Err(crate::FieldError::new(
                "digest_hour",
                "digest-hour-invalid",
                "The digest hour is from 0 to 23",
            )),
            _ => Ok(()),
        }
    }
}

/// The first moment after `after` when the clock in `zone` shows `hour`:00: when a daily
/// digest is next due.
pub fn next_digest_at<Z: TimeZone>(hour: u8, zone: &Z, after: Timestamp) -> Timestamp {
    let at = |day: NaiveDate| {
        let time = NaiveTime::from_hms_opt(u32::from(hour), 0, 0).unwrap_or(NaiveTime::MIN);
        crate::local_time::instant(day.and_time(time), zone)
    };
    let today = after.with_timezone(zone).date_naive();
    let first = at(today);
    if first > after { first } else { at(today.succ_opt().unwrap_or(today)) }
}

crate::text_enum!(
    /// Where a notification's e-mail is: waiting for its batch, sent, or skipped (read in the
    /// bell first, or e-mail is off on the server).
    MailState {
        Pending => "pending",
        Sent => "sent",
        Skipped => "skipped",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_fill_every_kind_with_the_defaults_under_the_stored_choices() {
        let off = Preference { kind: NotificationKind::TaskOverdue, in_app: true, email: false };
        let prefs = Preferences::from_stored(&[off], Some(8));
        assert_eq!(prefs.kinds.len(), NotificationKind::ALL.len());
        assert_eq!(prefs.get(NotificationKind::TaskOverdue), off);
        assert_eq!(
            prefs.get(NotificationKind::DealAssigned),
            Preference::default_for(NotificationKind::DealAssigned)
        );
        assert!(prefs.validate().is_ok());
        assert!(Preferences { digest_hour: Some(24), ..prefs }.validate().is_err());
    }

    #[test]
    fn a_digest_is_next_due_at_its_local_hour_today_or_else_tomorrow() {
        let moscow = chrono::FixedOffset::east_opt(3 * 3600).expect("offset");
        let at = |raw: &str| raw.parse::<Timestamp>().expect("instant");
        // 05:00 UTC is 08:00 in Moscow: a digest at 9 is due at 06:00 UTC today, one at 8 tomorrow.
        assert_eq!(next_digest_at(9, &moscow, at("2026-12-07T05:00:00Z")), at("2026-12-07T06:00:00Z"));
        assert_eq!(next_digest_at(8, &moscow, at("2026-12-07T05:00:00Z")), at("2026-12-08T05:00:00Z"));
        assert_eq!(next_digest_at(0, &moscow, at("2026-12-07T22:30:00Z")), at("2026-12-08T21:00:00Z"));
    }

    #[test]
    fn a_notification_links_to_its_record() {
        assert_eq!(record_path("task", 7), "/tasks/7");
        assert_eq!(record_path("deal", 3), "/deals/3");
        assert_eq!(record_path("webhook", 2), "/admin/webhooks/2");
        assert_eq!(record_path("robot", 2), "/notifications");
    }
}
