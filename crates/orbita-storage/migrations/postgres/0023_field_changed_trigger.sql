-- A rule set off when a field of a deal changes (`trigger_field`: `amount`, `owner_id`,
-- `custom.<key>`, …), or when a task of a deal falls overdue. PostgreSQL dialect; keep in step with
-- ../sqlite/0023_field_changed_trigger.sql.
ALTER TABLE automation_rules DROP CONSTRAINT automation_rules_trigger_event_check;
ALTER TABLE automation_rules ADD CONSTRAINT automation_rules_trigger_event_check
    CHECK (trigger_event IN ('deal_created', 'stage_entered', 'field_changed', 'task_overdue'));
ALTER TABLE automation_rules ADD COLUMN trigger_field TEXT;
