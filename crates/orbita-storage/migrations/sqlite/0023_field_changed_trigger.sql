-- no-transaction
-- A rule set off when a field of a deal changes (`trigger_field`: `amount`, `owner_id`,
-- `custom.<key>`, …), or when a task of a deal falls overdue; a task's deadline from a date
-- field of the deal. SQLite dialect; keep in step with ../postgres/0023_field_changed_trigger.sql.
--
-- SQLite cannot change a CHECK constraint, so the table is rebuilt (SQLite's documented
-- twelve steps): foreign keys are off while it is, else dropping the old table would delete
-- every rule's runs through their ON DELETE CASCADE. That needs the migration outside
-- sqlx's transaction, hence its own BEGIN … COMMIT.
PRAGMA foreign_keys = OFF;
BEGIN;
DROP TABLE IF EXISTS automation_rules_new;
CREATE TABLE automation_rules_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    pipeline_id BIGINT NOT NULL REFERENCES pipelines (id),
    stage_id BIGINT REFERENCES stages (id),
    trigger_event TEXT NOT NULL
        CHECK (trigger_event IN ('deal_created', 'stage_entered', 'field_changed', 'task_overdue')),
    trigger_field TEXT,
    condition TEXT,
    delay_minutes BIGINT NOT NULL,
    task_title TEXT NOT NULL,
    task_description TEXT,
    task_priority TEXT NOT NULL CHECK (task_priority IN ('low', 'normal', 'high')),
    assignee_kind TEXT NOT NULL
        CHECK (assignee_kind IN ('deal_owner', 'user', 'round_robin', 'least_loaded')),
    assignee_user_id BIGINT REFERENCES users (id),
    assignee_group_id BIGINT,
    due_minutes BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    action TEXT NOT NULL DEFAULT 'set_task'
        CHECK (action IN ('set_task', 'notify', 'move_stage', 'assign_owner')),
    target_stage_id BIGINT REFERENCES stages (id),
    due_working BOOLEAN NOT NULL DEFAULT FALSE,
    -- The deadline from a date of the deal (`expected_close_date`, `custom.<key>`).
    due_field TEXT
);
INSERT INTO automation_rules_new (
    id, name, active, pipeline_id, stage_id, trigger_event, condition, delay_minutes, task_title,
    task_description, task_priority, assignee_kind, assignee_user_id, assignee_group_id,
    due_minutes, created_at, updated_at, action, target_stage_id, due_working
)
SELECT
    id, name, active, pipeline_id, stage_id, trigger_event, condition, delay_minutes, task_title,
    task_description, task_priority, assignee_kind, assignee_user_id, assignee_group_id,
    due_minutes, created_at, updated_at, action, target_stage_id, due_working
FROM automation_rules;
DROP TABLE automation_rules;
ALTER TABLE automation_rules_new RENAME TO automation_rules;
-- The rules an event sets off: read inside every deal write that creates, moves or edits a deal.
CREATE INDEX automation_rules_event ON automation_rules (pipeline_id, trigger_event, stage_id);
COMMIT;
PRAGMA foreign_keys = ON;
