-- SQLite's 0012 rebuilds tables with AUTOINCREMENT so that a deleted record's id is never
-- handed out again. PostgreSQL's identity columns draw from sequences, which never give a
-- number twice: nothing to change for ids here.

-- /readyz rewrites this one row to learn whether the database takes writes (a full disk).
CREATE TABLE readiness_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TIMESTAMPTZ NOT NULL
);
