-- Loss reasons as a list (issue "Daily work, polished"): the administrator's words a manager
-- picks when a deal is lost, for every pipeline or for one, so reports group them; "other"
-- still takes free text, and the reasons typed before stay on their deals as they were.
-- SQLite dialect; keep in step with ../postgres/0029_loss_reasons.sql.
CREATE TABLE loss_reasons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- None: offered in every pipeline.
    pipeline_id BIGINT REFERENCES pipelines (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX loss_reasons_order ON loss_reasons (pipeline_id, position, id);
