-- "My day" (issue "Daily work, polished"): deals without a next step and deals stuck in their
-- stage, per owner, from an index rather than from every deal's tasks and history.
-- PostgreSQL dialect; keep in step with ../sqlite/0028_my_day.sql.
--
-- When the deal entered the stage it is at (its latest stage change): written with every move
-- by `deals::insert|move_stage` and the bulk loader.
ALTER TABLE deals ADD COLUMN stage_entered_at TIMESTAMPTZ;
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
    + (SELECT count(*) FROM activities a WHERE a.deal_id = deals.id AND a.status = 'planned')
WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.deal_id = deals.id AND t.done_at IS NULL)
    OR EXISTS (SELECT 1 FROM activities a WHERE a.deal_id = deals.id AND a.status = 'planned');

CREATE FUNCTION deal_open_steps_count(deal BIGINT) RETURNS void LANGUAGE sql AS $$
    UPDATE deals SET open_steps =
        (SELECT count(*) FROM tasks t WHERE t.deal_id = deal AND t.done_at IS NULL)
        + (SELECT count(*) FROM activities a WHERE a.deal_id = deal AND a.status = 'planned')
    WHERE id = deal;
$$;

CREATE FUNCTION deal_open_steps_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.deal_id IS NOT NULL THEN
        PERFORM deal_open_steps_count(OLD.deal_id);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.deal_id IS NOT NULL
        AND (TG_OP = 'INSERT' OR NEW.deal_id IS DISTINCT FROM OLD.deal_id) THEN
        PERFORM deal_open_steps_count(NEW.deal_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER tasks_open_steps_insert AFTER INSERT ON tasks FOR EACH ROW
    WHEN (NEW.deal_id IS NOT NULL AND NEW.done_at IS NULL) EXECUTE FUNCTION deal_open_steps_apply();
CREATE TRIGGER tasks_open_steps_delete AFTER DELETE ON tasks FOR EACH ROW
    WHEN (OLD.deal_id IS NOT NULL AND OLD.done_at IS NULL) EXECUTE FUNCTION deal_open_steps_apply();
CREATE TRIGGER tasks_open_steps_update AFTER UPDATE OF deal_id, done_at ON tasks FOR EACH ROW
    WHEN (OLD.deal_id IS DISTINCT FROM NEW.deal_id OR (OLD.done_at IS NULL) <> (NEW.done_at IS NULL))
    EXECUTE FUNCTION deal_open_steps_apply();
CREATE TRIGGER activities_open_steps_insert AFTER INSERT ON activities FOR EACH ROW
    WHEN (NEW.deal_id IS NOT NULL AND NEW.status = 'planned') EXECUTE FUNCTION deal_open_steps_apply();
CREATE TRIGGER activities_open_steps_delete AFTER DELETE ON activities FOR EACH ROW
    WHEN (OLD.deal_id IS NOT NULL AND OLD.status = 'planned') EXECUTE FUNCTION deal_open_steps_apply();
CREATE TRIGGER activities_open_steps_update AFTER UPDATE OF deal_id, status ON activities FOR EACH ROW
    WHEN (OLD.deal_id IS DISTINCT FROM NEW.deal_id OR OLD.status <> NEW.status)
    EXECUTE FUNCTION deal_open_steps_apply();

-- An owner's open deals without a next step, longest waiting first; and stuck ones.
CREATE INDEX deals_owner_next_step ON deals (owner_id, status, open_steps, stage_entered_at);
CREATE INDEX deals_owner_stage_entered ON deals (owner_id, status, stage_entered_at);
