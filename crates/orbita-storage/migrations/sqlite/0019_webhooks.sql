-- Outgoing webhooks and their delivery log. SQLite dialect; keep in step with
-- ../postgres/0019_webhooks.sql.

-- `events`: the event names it is sent, comma-separated. The signing secret is never stored:
-- it is derived from the server's secret key and `secret_nonce` (a new nonce is a new secret).
-- `failures`: failed deliveries in a row; at the limit the webhook is switched off
-- (`disabled_at`) and administrators are told.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    description TEXT,
    active BOOLEAN NOT NULL,
    secret_nonce TEXT NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0,
    disabled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    status BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    delivered_at TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
