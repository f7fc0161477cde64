-- "My day" (issue "Daily work, polished"): deals without a next step and deals stuck in their
-- stage, per owner, from an index rather than from every deal's tasks and history.
-- SQLite dialect; keep in step with ../postgres/0028_my_day.sql.
--
-- When the deal entered the stage it is at (its latest stage change): written with every move
-- by `deals::insert|move_stage` and the bulk loader.
ALTER TABLE deals ADD COLUMN stage_entered_at TEXT;
UPDATE deals SET stage_entered_at = coalesce(
    (SELECT max(c.changed_at) FROM deal_stage_changes c WHERE c.deal_id = deals.id),
    created_at
);

-- Its next steps: open tasks and planned calls or meetings. Counted again by the triggers
-- below whenever one is added, done, moved to another deal or removed, so it cannot drift;
-- a done activity or task (most of them) sets nothing off.
ALTER TABLE deals ADD COLUMN open_steps INTEGER NOT NULL DEFAULT 0;
UPDATE deals SET open_steps =
    (SELECT count(*) FROM tasks t WHERE t.deal_id = deals.id AND t.done_at IS NULL)
    + (SELECT count(*) FROM activities a WHERE a.deal_id = deals.id AND a.status = 'planned');

CREATE TRIGGER tasks_open_steps_insert AFTER INSERT ON tasks
WHEN new.deal_id IS NOT NULL AND new.done_at IS NULL
BEGIN
    UPDATE deals SET open_steps =
        (SELECT count(*) FROM tasks t WHERE t.deal_id = new.deal_id AND t.done_at IS NULL)
        + (SELECT count(*) FROM activities a WHERE a.deal_id = new.deal_id AND a.status = 'planned')
    WHERE id = new.deal_id;
END;

CREATE TRIGGER tasks_open_steps_delete AFTER DELETE ON tasks
WHEN old.deal_id IS NOT NULL AND old.done_at IS NULL
BEGIN
    UPDATE deals SET open_steps =
        (SELECT count(*) FROM tasks t WHERE t.deal_id = old.deal_id AND t.done_at IS NULL)
        + (SELECT count(*) FROM activities a WHERE a.deal_id = old.deal_id AND a.status = 'planned')
    WHERE id = old.deal_id;
END;

CREATE TRIGGER tasks_open_steps_update AFTER UPDATE OF deal_id, done_at ON tasks
WHEN old.deal_id IS NOT new.deal_id OR (old.done_at IS NULL) <> (new.done_at IS NULL)
BEGIN
    UPDATE deals SET open_steps =
        (SELECT count(*) FROM tasks t WHERE t.deal_id = deals.id AND t.done_at IS NULL)
        + (SELECT count(*) FROM activities a WHERE a.deal_id = deals.id AND a.status = 'planned')
    WHERE id IN (old.deal_id, new.deal_id);
END;

CREATE TRIGGER activities_open_steps_insert AFTER INSERT ON activities
WHEN new.deal_id IS NOT NULL AND new.status = 'planned'
BEGIN
    UPDATE deals SET open_steps =
        (SELECT count(*) FROM tasks t WHERE t.deal_id = new.deal_id AND t.done_at IS NULL)
        + (SELECT count(*) FROM activities a WHERE a.deal_id = new.deal_id AND a.status = 'planned')
    WHERE id = new.deal_id;
END;

CREATE TRIGGER activities_open_steps_delete AFTER DELETE ON activities
WHEN old.deal_id IS NOT NULL AND old.status = 'planned'
BEGIN
    UPDATE deals SET open_steps =
        (SELECT count(*) FROM tasks t WHERE t.deal_id = old.deal_id AND t.done_at IS NULL)
        + (SELECT count(*) FROM activities a WHERE a.deal_id = old.deal_id AND a.status = 'planned')
    WHERE id = old.deal_id;
END;

CREATE TRIGGER activities_open_steps_update AFTER UPDATE OF deal_id, status ON activities
WHEN old.deal_id IS NOT new.deal_id OR old.status <> new.status
BEGIN
    UPDATE deals SET open_steps =
        (SELECT count(*) FROM tasks t WHERE t.deal_id = deals.id AND t.done_at IS NULL)
        + (SELECT count(*) FROM activities a WHERE a.deal_id = deals.id AND a.status = 'planned')
    WHERE id IN (old.deal_id, new.deal_id);
END;

-- An owner's open deals without a next step, longest waiting first; and stuck ones.
CREATE INDEX deals_owner_next_step ON deals (owner_id, status, open_steps, stage_entered_at);
CREATE INDEX deals_owner_stage_entered ON deals (owner_id, status, stage_entered_at);
