-- The kanban's column headers (count and sum per stage and currency) counted every index entry
-- of the board's deals: ~100,000 for a head of sales of 20 managers on the large data set.
-- Kept here per owner, pipeline, stage and currency by a trigger in the deal's own transaction,
-- a board reads at most owners x stages rows instead. Boards filtered by anything but pipeline
-- and owner still count the deals themselves.
CREATE TABLE deal_stage_totals (
    owner_id BIGINT NOT NULL,
    pipeline_id BIGINT NOT NULL,
    stage_id BIGINT NOT NULL,
    currency TEXT NOT NULL,
    deal_count BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (pipeline_id, owner_id, stage_id, currency)
);

INSERT INTO deal_stage_totals (owner_id, pipeline_id, stage_id, currency, deal_count, amount_minor)
SELECT owner_id, pipeline_id, stage_id, currency, COUNT(*), SUM(amount_minor)
FROM deals
GROUP BY owner_id, pipeline_id, stage_id, currency;

CREATE FUNCTION deal_stage_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    -- A move takes from one totals row and adds to another. Two moves in opposite directions
    -- would lock the same two rows in opposite orders and deadlock; the lower key goes first.
    old_first BOOLEAN := TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND
        ROW(OLD.pipeline_id, OLD.owner_id, OLD.stage_id, OLD.currency)
            < ROW(NEW.pipeline_id, NEW.owner_id, NEW.stage_id, NEW.currency));
BEGIN
    IF old_first THEN
        PERFORM deal_stage_totals_take(OLD.pipeline_id, OLD.owner_id, OLD.stage_id, OLD.currency, OLD.amount_minor);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO deal_stage_totals (owner_id, pipeline_id, stage_id, currency, deal_count, amount_minor)
        VALUES (NEW.owner_id, NEW.pipeline_id, NEW.stage_id, NEW.currency, 1, NEW.amount_minor)
        ON CONFLICT (pipeline_id, owner_id, stage_id, currency) DO UPDATE
            SET deal_count = deal_stage_totals.deal_count + 1,
                amount_minor = deal_stage_totals.amount_minor + EXCLUDED.amount_minor;
    END IF;
    IF TG_OP = 'UPDATE' AND NOT old_first THEN
        PERFORM deal_stage_totals_take(OLD.pipeline_id, OLD.owner_id, OLD.stage_id, OLD.currency, OLD.amount_minor);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION deal_stage_totals_take(p BIGINT, o BIGINT, s BIGINT, c TEXT, amount BIGINT)
RETURNS void LANGUAGE sql AS $$
    UPDATE deal_stage_totals
    SET deal_count = deal_count - 1, amount_minor = amount_minor - amount
    WHERE pipeline_id = p AND owner_id = o AND stage_id = s AND currency = c;
$$;

CREATE TRIGGER deal_stage_totals
AFTER INSERT OR DELETE OR UPDATE OF owner_id, pipeline_id, stage_id, currency, amount_minor ON deals
FOR EACH ROW EXECUTE FUNCTION deal_stage_totals_apply();
