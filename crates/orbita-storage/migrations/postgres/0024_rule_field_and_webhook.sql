-- Two more things a rule may do: set a field of the deal (`set_field`, `set_value`) and call
-- one of the organisation's webhooks (`webhook_id`). PostgreSQL dialect; keep in step with
-- ../sqlite/0024_rule_field_and_webhook.sql.
ALTER TABLE automation_rules DROP CONSTRAINT automation_rules_action_check;
ALTER TABLE automation_rules ADD CONSTRAINT automation_rules_action_check
    CHECK (action IN ('set_task', 'notify', 'move_stage', 'assign_owner', 'set_field', 'call_webhook'));
ALTER TABLE automation_rules ADD COLUMN set_field TEXT;
ALTER TABLE automation_rules ADD COLUMN set_value TEXT;
ALTER TABLE automation_rules ADD COLUMN webhook_id BIGINT REFERENCES webhooks (id) ON DELETE SET NULL;
