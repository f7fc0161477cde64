-- A rule set off when a field of a deal changes (`trigger_field`: `amount`, `owner_id`,
-- `custom.<key>`, …), or when a task of a deal falls overdue; a task's deadline from a date
-- field of the deal. PostgreSQL dialect; keep in step with
-- ../sqlite/0023_field_changed_trigger.sql.
ALTER TABLE automation_rules DROP CONSTRAINT automation_rules_trigger_event_check;
ALTER TABLE automation_rules ADD CONSTRAINT automation_rules_trigger_event_check
    CHECK (trigger_event IN ('deal_created', 'stage_entered', 'field_changed', 'task_overdue'));
ALTER TABLE automation_rules ADD COLUMN trigger_field TEXT;
-- The deadline from a date of the deal (`expected_close_date`, `custom.<key>`).
ALTER TABLE automation_rules ADD COLUMN due_field TEXT;
