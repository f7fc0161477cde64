-- Notifications (the bell) and the mark that a task's overdue notice went out. SQLite
-- dialect; keep in step with ../postgres/0018_notifications.sql.

-- `unique_key`: a notice that must go out once across instances (a task's overdue notice).
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    read_at TEXT,
    unique_key TEXT UNIQUE,
    created_at TEXT NOT NULL
);
-- A user's bell: the newest first, and the unread count.
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- When the assignee was told the task is overdue; the scan reads the open, untold tasks that
-- fell due lately through a partial index, never the whole table.
ALTER TABLE tasks ADD COLUMN overdue_notified_at TEXT;
CREATE INDEX tasks_overdue_untold ON tasks (due_at) WHERE done_at IS NULL AND overdue_notified_at IS NULL;

-- When the assignee's heads of sales were told the task is (still) overdue, after the
-- organisation's delay (`org_settings.overdue_escalation_minutes`; 0: never).
ALTER TABLE tasks ADD COLUMN overdue_escalated_at TEXT;
CREATE INDEX tasks_overdue_unescalated ON tasks (due_at) WHERE done_at IS NULL AND overdue_escalated_at IS NULL;
ALTER TABLE org_settings ADD COLUMN overdue_escalation_minutes BIGINT NOT NULL DEFAULT 60;
