-- Rights, sessions and sign-in protection. SQLite dialect; keep in step with ../postgres/0002_access.sql.

-- A role's grant: in `area`, `action` is allowed on `scope` (own, group, all) records.
CREATE TABLE role_permissions (
    role_id INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    area TEXT NOT NULL,
    action TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('own', 'group', 'all')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (role_id, area, action)
);

-- Server-side sessions, shared by every instance. `id` is the SHA-256 of the cookie's token,
-- so a leaked table does not hand out sessions.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed sign-ins, counted per account and per address over a sliding window.
CREATE TABLE sign_in_failures (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, failed_at);

-- One-time links (the first administrator's set-up page). Only the SHA-256 is stored.
CREATE TABLE one_time_tokens (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

-- A company shared with a user who does not own it: they see it as if their own.
CREATE TABLE company_shares (
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, user_id)
);
CREATE INDEX company_shares_user ON company_shares (user_id, company_id);

-- Lists filter by owner and then sort: these serve the scoped lists.
CREATE INDEX deals_owner_created ON deals (owner_id, created_at, id);
CREATE INDEX tasks_assignee_due ON tasks (assignee_id, due_at, id);

-- A user's named list views ("My open deals"): the list and its query string.
CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, list, name)
);
