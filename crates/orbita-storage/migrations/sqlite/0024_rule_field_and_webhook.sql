-- no-transaction
-- Two more things a rule may do: set a field of the deal (`set_field`, `set_value`) and call
-- one of the organisation's webhooks (`webhook_id`). SQLite dialect; keep in step with
-- ../postgres/0024_rule_field_and_webhook.sql.
--
-- The action's CHECK changes, so the table is rebuilt as in 0023 (foreign keys off, its own
-- transaction, the rules' runs kept).
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
        CHECK (action IN ('set_task', 'notify', 'move_stage', 'assign_owner', 'set_field', 'call_webhook')),
    target_stage_id BIGINT REFERENCES stages (id),
    due_working BOOLEAN NOT NULL DEFAULT FALSE,
    -- The deadline from a date of the deal (`expected_close_date`, `custom.<key>`).
    due_field TEXT,
    trigger_field TEXT,
    -- A `set_field` rule's field and value; a `call_webhook` rule's webhook.
    set_field TEXT,
    set_value TEXT,
    webhook_id BIGINT REFERENCES webhooks (id) ON DELETE SET NULL
);
INSERT INTO automation_rules_new (
    id, name, active, pipeline_id, stage_id, trigger_event, condition, delay_minutes, task_title,
    task_description, task_priority, assignee_kind, assignee_user_id, assignee_group_id,
    due_minutes, created_at, updated_at, action, target_stage_id, due_working, due_field, trigger_field
)
SELECT
    id, name, active, pipeline_id, stage_id, trigger_event, condition, delay_minutes, task_title,
    task_description, task_priority, assignee_kind, assignee_user_id, assignee_group_id,
    due_minutes, created_at, updated_at, action, target_stage_id, due_working, due_field, trigger_field
FROM automation_rules;
DROP TABLE automation_rules;
ALTER TABLE automation_rules_new RENAME TO automation_rules;
-- The rules an event sets off: read inside every deal write that creates, moves or edits a deal.
CREATE INDEX automation_rules_event ON automation_rules (pipeline_id, trigger_event, stage_id);
COMMIT;
PRAGMA foreign_keys = ON;
