-- The REST API: personal tokens, per-token rate windows and idempotency keys. SQLite dialect;
-- keep in step with ../postgres/0004_api.sql (same tables and columns).

-- A personal API token. Only the SHA-256 of the token is stored: a leaked table (or backup)
-- does not hand out access. Revoked tokens stay for the record.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

-- Requests per token per minute, in the database so that every instance counts together.
-- Only the current window of a token is kept.
CREATE TABLE api_rate_windows (
    token_id INTEGER NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    window_start TEXT NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (token_id, window_start)
);

-- `Idempotency-Key` of a POST: the first response, replayed to retries. `status` is NULL while
-- the first request is still running.
CREATE TABLE idempotency_keys (
    token_id INTEGER NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    response_headers TEXT,
    response_body TEXT,
    created_at TEXT NOT NULL,
    completed_at TEXT,
    PRIMARY KEY (token_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
