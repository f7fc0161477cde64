-- Web forms on the company's site (issue "Web forms, lead sources"): the forms, their posts
-- (for the double-click guard and the round-robin turn), the public endpoints' rate windows,
-- and where a deal came from. SQLite dialect; keep in step with
-- ../postgres/0026_web_forms.sql.
CREATE TABLE web_forms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    pipeline_id BIGINT REFERENCES pipelines (id) ON DELETE SET NULL,
    stage_id BIGINT REFERENCES stages (id) ON DELETE SET NULL,
    assignee_kind TEXT NOT NULL CHECK (assignee_kind IN ('user', 'round_robin', 'least_loaded')),
    assignee_user_id BIGINT REFERENCES users (id),
    assignee_group_id BIGINT,
    -- The form's fields as JSON: [{"name", "maps_to", "required", "label_ru", "label_en"}].
    fields TEXT NOT NULL,
    -- Origins, one per line.
    allowed_origins TEXT NOT NULL DEFAULT '',
    thank_you TEXT,
    redirect_url TEXT,
    consent BOOLEAN NOT NULL DEFAULT FALSE,
    -- The words the buyer consents to (the organisation's personal-data text); none: the standard.
    consent_text TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE web_form_posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    web_form_id BIGINT NOT NULL REFERENCES web_forms (id) ON DELETE CASCADE,
    -- SHA-256 of the posted fields: the same body twice within a minute makes one deal.
    digest TEXT NOT NULL,
    deal_id BIGINT REFERENCES deals (id) ON DELETE SET NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX web_form_posts_digest ON web_form_posts (web_form_id, digest, created_at);
CREATE INDEX web_form_posts_form ON web_form_posts (web_form_id, id);

-- Requests to public endpoints per bucket ("form:<id>", "ip:<address>") and fixed window.
CREATE TABLE public_rate_windows (
    bucket TEXT NOT NULL,
    window_start TEXT NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

ALTER TABLE deals ADD COLUMN web_form_id BIGINT REFERENCES web_forms (id) ON DELETE SET NULL;
ALTER TABLE deals ADD COLUMN utm_source TEXT;
ALTER TABLE deals ADD COLUMN utm_medium TEXT;
ALTER TABLE deals ADD COLUMN utm_campaign TEXT;
ALTER TABLE deals ADD COLUMN utm_content TEXT;
ALTER TABLE deals ADD COLUMN utm_term TEXT;
ALTER TABLE deals ADD COLUMN referrer TEXT;
ALTER TABLE deals ADD COLUMN landing_page TEXT;
CREATE INDEX deals_web_form ON deals (web_form_id) WHERE web_form_id IS NOT NULL;
