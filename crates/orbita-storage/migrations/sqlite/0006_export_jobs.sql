-- Background exports: a job per requested file, its progress and, once done, the file itself
-- in chunks. SQLite dialect; keep in step with ../postgres/0006_export_jobs.sql (same tables
-- and columns). The file lives in the database, not on one instance's disk, so that any
-- instance behind the load balancer can show the progress and serve the download.

-- `status`: running, done or failed. `updated_at` is the runner's heartbeat: a running job
-- whose heartbeat stopped lost its server. `query` is the list's query string as the page had
-- it, so the job can be told apart in "My exports".
-- AUTOINCREMENT: ids of deleted jobs are never reused, so an old link to /exports/{id} can
-- never lead to another (newer) file.
CREATE TABLE export_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('xlsx', 'csv')),
    query TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    rows_written INTEGER NOT NULL DEFAULT 0,
    rows_total INTEGER,
    file_name TEXT,
    byte_size INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);
-- "My exports", newest first; the clean-up of old jobs.
CREATE INDEX export_jobs_user ON export_jobs (user_id, id);
CREATE INDEX export_jobs_created ON export_jobs (created_at);

-- The finished file in about 1 MiB pieces, read back in `seq` order.
CREATE TABLE export_job_chunks (
    job_id INTEGER NOT NULL REFERENCES export_jobs (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (job_id, seq)
);
