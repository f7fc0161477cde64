-- The durable job queue: work that runs later or in the background (building a custom field's
-- indexes now; automation, notifications, e-mail and webhooks next). SQLite dialect; keep in
-- step with ../postgres/0016_jobs.sql (same table and columns).

-- `state`: queued, running, done, failed (waiting for its next attempt at `run_at`) or dead
-- (out of attempts, shown to administrators). A running job is leased to `locked_by` until
-- `locked_until`; a worker that dies loses its lease and another runs the job again.
-- `unique_key`: at most one job per key (a firing that must happen once across instances).
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead')),
    run_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    last_error TEXT,
    locked_by TEXT,
    locked_until TEXT,
    unique_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);
-- What is due: queued or failed ones by time, and running ones whose lease ran out.
CREATE INDEX jobs_due ON jobs (state, run_at, id);
CREATE INDEX jobs_lease ON jobs (state, locked_until);
