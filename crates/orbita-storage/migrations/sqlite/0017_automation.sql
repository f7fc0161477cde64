-- Automation rules ("robots") on a pipeline's stages, their runs, and the audit log's word for
-- a change a rule made. SQLite dialect; keep in step with ../postgres/0017_automation.sql.

-- A rule: on `trigger_event` (deal_created, stage_entered) in a pipeline (and at a stage), for
-- a deal matching `condition` (a filter tree in JSON, or every deal), set a task after
-- `delay_minutes`. The assignee is the deal's owner, a user, or a group's member in turn or the
-- least loaded; a group is not a foreign key, so a removed group fails the run with a reason
-- instead of changing the rule.
CREATE TABLE automation_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    pipeline_id BIGINT NOT NULL REFERENCES pipelines (id),
    stage_id BIGINT REFERENCES stages (id),
    trigger_event TEXT NOT NULL CHECK (trigger_event IN ('deal_created', 'stage_entered')),
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
    updated_at TEXT NOT NULL
);
-- The rules an event sets off: read inside every deal write that creates or moves a deal.
CREATE INDEX automation_rules_event ON automation_rules (pipeline_id, trigger_event, stage_id);

-- What each run came to. `event_key` names the event (a deal created, a stage entered at a
-- moment): one run per rule and event, so a job run twice does its work once.
CREATE TABLE automation_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id BIGINT NOT NULL REFERENCES automation_rules (id) ON DELETE CASCADE,
    deal_id BIGINT NOT NULL,
    event_key TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('fired', 'skipped', 'failed')),
    detail TEXT,
    task_id BIGINT,
    assignee_id BIGINT,
    occurred_at TEXT NOT NULL,
    UNIQUE (rule_id, event_key)
);
CREATE INDEX automation_runs_rule ON automation_runs (rule_id, id);

-- Who made a change besides a person: "automation: <rule name>" as the rule was named then.
ALTER TABLE audit_events ADD COLUMN via TEXT;
