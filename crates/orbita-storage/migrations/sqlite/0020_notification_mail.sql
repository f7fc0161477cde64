-- E-mail for notifications, each user's choices, and the daily digest. SQLite
-- dialect; keep in step with ../postgres/0020_notification_mail.sql.

-- `in_app`: shown in the bell (false: written only to be e-mailed). `mail_state`: NULL when no
-- e-mail is wanted; pending (waiting for the user's batch), sent, or skipped (read first, or
-- e-mail is off on the server).
ALTER TABLE notifications ADD COLUMN in_app BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE notifications ADD COLUMN mail_state TEXT;
DROP INDEX notifications_unread;
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL AND in_app;
-- A batch reads its user's waiting e-mails, never the whole table.
CREATE INDEX notifications_mail_pending ON notifications (user_id, id) WHERE mail_state = 'pending';

-- A user's choice for a kind; no row: both on.
CREATE TABLE notification_preferences (
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    in_app BOOLEAN NOT NULL,
    email BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- The daily digest of a user who asked for it: at `hour` in the organisation's time zone; the
-- workers' scan reads the due ones by `next_at` and moves it on a day as it queues each.
CREATE TABLE notification_digests (
    user_id BIGINT PRIMARY KEY REFERENCES users (id),
    hour BIGINT NOT NULL CHECK (hour BETWEEN 0 AND 23),
    next_at TEXT NOT NULL
);
CREATE INDEX notification_digests_due ON notification_digests (next_at);
