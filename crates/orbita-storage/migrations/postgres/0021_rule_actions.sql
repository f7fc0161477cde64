-- What a rule does besides setting a task: tell someone, move the deal to a stage, give it to
-- someone. PostgreSQL dialect; keep in step with ../sqlite/0021_rule_actions.sql.

-- `task_title` is the notice's text for `notify`; the assignee columns name who is told, or
-- the deal's new owner.
ALTER TABLE automation_rules ADD COLUMN action TEXT NOT NULL DEFAULT 'set_task'
    CHECK (action IN ('set_task', 'notify', 'move_stage', 'assign_owner'));
-- Where a `move_stage` rule moves the deal.
ALTER TABLE automation_rules ADD COLUMN target_stage_id BIGINT REFERENCES stages (id);
