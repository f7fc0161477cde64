-- no-transaction
-- Ids are never handed out twice. Without AUTOINCREMENT, SQLite gives a new row the largest id
-- plus one, so the id of the newest record, once deleted, went to the next one: its card, URL
-- and history (audit events, timeline) then belonged to both. Each table whose ids reach the
-- audit log, the timeline or a URL is rebuilt with AUTOINCREMENT (SQLite cannot add it in
-- place), then its indexes and triggers are created again as they were. Generated from the
-- schema after migration 0011; PostgreSQL's sequences never reuse a number (its 0012 is empty).
--
-- Outside sqlx's transaction because foreign keys must be off while a parent table is
-- replaced (the pragma is ignored inside a transaction); legacy_alter_table keeps the rename
-- from re-checking triggers of other tables that name a table being rebuilt.
PRAGMA foreign_keys = OFF;
PRAGMA legacy_alter_table = ON;
BEGIN IMMEDIATE;

-- users
CREATE TABLE users_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    role_id INTEGER NOT NULL REFERENCES roles (id),
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    locale TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO users_rebuilt SELECT * FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;

-- roles
CREATE TABLE roles_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    is_builtin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO roles_rebuilt SELECT * FROM roles;
DROP TABLE roles;
ALTER TABLE roles_rebuilt RENAME TO roles;

-- user_groups
CREATE TABLE user_groups_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO user_groups_rebuilt SELECT * FROM user_groups;
DROP TABLE user_groups;
ALTER TABLE user_groups_rebuilt RENAME TO user_groups;

-- pipelines
CREATE TABLE pipelines_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO pipelines_rebuilt SELECT * FROM pipelines;
DROP TABLE pipelines;
ALTER TABLE pipelines_rebuilt RENAME TO pipelines;
CREATE UNIQUE INDEX pipelines_one_default ON pipelines (is_default) WHERE is_default;

-- stages
CREATE TABLE stages_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline_id INTEGER NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO stages_rebuilt SELECT * FROM stages;
DROP TABLE stages;
ALTER TABLE stages_rebuilt RENAME TO stages;
CREATE INDEX stages_pipeline ON stages (pipeline_id, position);

-- companies
CREATE TABLE companies_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    inn TEXT,
    kpp TEXT,
    ogrn TEXT,
    industry TEXT,
    region TEXT,
    address TEXT,
    phones TEXT NOT NULL DEFAULT '',
    emails TEXT NOT NULL DEFAULT '',
    website TEXT,
    source TEXT,
    notes TEXT,
    owner_id INTEGER NOT NULL REFERENCES users (id),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
INSERT INTO companies_rebuilt SELECT * FROM companies;
DROP TABLE companies;
ALTER TABLE companies_rebuilt RENAME TO companies;
CREATE UNIQUE INDEX companies_inn_kpp ON companies (inn, coalesce(kpp, '')) WHERE inn IS NOT NULL;
CREATE INDEX companies_kpp ON companies (kpp) WHERE kpp IS NOT NULL;
CREATE INDEX companies_name ON companies (name, id);
CREATE INDEX companies_owner_name ON companies (owner_id, name, id);
CREATE INDEX companies_created ON companies (created_at, id);
CREATE INDEX companies_region ON companies (region, name, id);
CREATE INDEX companies_industry ON companies (industry, name, id);
CREATE TRIGGER companies_fts_insert AFTER INSERT ON companies BEGIN
    INSERT INTO companies_fts (rowid, name, inn, kpp, phones, emails)
    VALUES (new.id, new.name, new.inn, new.kpp, new.phones, new.emails);
END;
CREATE TRIGGER companies_fts_delete AFTER DELETE ON companies BEGIN
    INSERT INTO companies_fts (companies_fts, rowid, name, inn, kpp, phones, emails)
    VALUES ('delete', old.id, old.name, old.inn, old.kpp, old.phones, old.emails);
END;
CREATE TRIGGER companies_fts_update AFTER UPDATE OF name, inn, kpp, phones, emails ON companies BEGIN
    INSERT INTO companies_fts (companies_fts, rowid, name, inn, kpp, phones, emails)
    VALUES ('delete', old.id, old.name, old.inn, old.kpp, old.phones, old.emails);
    INSERT INTO companies_fts (rowid, name, inn, kpp, phones, emails)
    VALUES (new.id, new.name, new.inn, new.kpp, new.phones, new.emails);
END;

-- contacts
CREATE TABLE contacts_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    last_name TEXT NOT NULL,
    first_name TEXT,
    middle_name TEXT,
    position TEXT,
    company_id INTEGER REFERENCES companies (id) ON DELETE SET NULL,
    phones TEXT NOT NULL DEFAULT '',
    emails TEXT NOT NULL DEFAULT '',
    notes TEXT,
    owner_id INTEGER NOT NULL REFERENCES users (id),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
INSERT INTO contacts_rebuilt SELECT * FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_rebuilt RENAME TO contacts;
CREATE INDEX contacts_company ON contacts (company_id);
CREATE INDEX contacts_name ON contacts (last_name, first_name, id);
CREATE INDEX contacts_owner_name ON contacts (owner_id, last_name, id);
CREATE INDEX contacts_created ON contacts (created_at, id);
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, last_name, first_name, middle_name, phones, emails)
    VALUES (new.id, new.last_name, new.first_name, new.middle_name, new.phones, new.emails);
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, last_name, first_name, middle_name, phones, emails)
    VALUES ('delete', old.id, old.last_name, old.first_name, old.middle_name, old.phones, old.emails);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF last_name, first_name, middle_name, phones, emails ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, last_name, first_name, middle_name, phones, emails)
    VALUES ('delete', old.id, old.last_name, old.first_name, old.middle_name, old.phones, old.emails);
    INSERT INTO contacts_fts (rowid, last_name, first_name, middle_name, phones, emails)
    VALUES (new.id, new.last_name, new.first_name, new.middle_name, new.phones, new.emails);
END;

-- deals
CREATE TABLE deals_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    company_id INTEGER REFERENCES companies (id) ON DELETE SET NULL,
    contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    pipeline_id INTEGER NOT NULL REFERENCES pipelines (id),
    stage_id INTEGER NOT NULL REFERENCES stages (id),
    amount_minor BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    expected_close_date TEXT,
    source TEXT,
    notes TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    lost_reason TEXT,
    closed_at TEXT,
    owner_id INTEGER NOT NULL REFERENCES users (id),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
, furthest_position INTEGER NOT NULL DEFAULT 0, lost_from_stage_id INTEGER);
INSERT INTO deals_rebuilt SELECT * FROM deals;
DROP TABLE deals;
ALTER TABLE deals_rebuilt RENAME TO deals;
CREATE INDEX deals_stage ON deals (stage_id, updated_at, id);
CREATE INDEX deals_company ON deals (company_id);
CREATE INDEX deals_contact ON deals (contact_id);
CREATE INDEX deals_owner_status ON deals (owner_id, status, closed_at);
CREATE INDEX deals_status_closed ON deals (status, closed_at);
CREATE INDEX deals_title ON deals (title, id);
CREATE INDEX deals_created ON deals (created_at, id);
CREATE INDEX deals_owner_created ON deals (owner_id, created_at, id);
CREATE INDEX deals_owner_status_amounts ON deals (owner_id, status, closed_at, currency, amount_minor, probability);
CREATE INDEX deals_board ON deals (owner_id, pipeline_id, stage_id, updated_at, currency, amount_minor);
CREATE INDEX deals_funnel_owner ON deals (owner_id, pipeline_id, created_at, status, furthest_position);
CREATE INDEX deals_funnel ON deals (pipeline_id, created_at, status, furthest_position);
CREATE TRIGGER deals_fts_insert AFTER INSERT ON deals BEGIN
    INSERT INTO deals_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER deals_fts_delete AFTER DELETE ON deals BEGIN
    INSERT INTO deals_fts (deals_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER deals_fts_update AFTER UPDATE OF title ON deals BEGIN
    INSERT INTO deals_fts (deals_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO deals_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER deal_stage_totals_insert AFTER INSERT ON deals
BEGIN
    INSERT INTO deal_stage_totals (owner_id, pipeline_id, stage_id, currency, deal_count, amount_minor)
    VALUES (new.owner_id, new.pipeline_id, new.stage_id, new.currency, 1, new.amount_minor)
    ON CONFLICT (pipeline_id, owner_id, stage_id, currency) DO UPDATE
        SET deal_count = deal_count + 1, amount_minor = amount_minor + excluded.amount_minor;
END;
CREATE TRIGGER deal_stage_totals_delete AFTER DELETE ON deals
BEGIN
    UPDATE deal_stage_totals
    SET deal_count = deal_count - 1, amount_minor = amount_minor - old.amount_minor
    WHERE pipeline_id = old.pipeline_id AND owner_id = old.owner_id
        AND stage_id = old.stage_id AND currency = old.currency;
END;
CREATE TRIGGER deal_stage_totals_update
AFTER UPDATE OF owner_id, pipeline_id, stage_id, currency, amount_minor ON deals
BEGIN
    UPDATE deal_stage_totals
    SET deal_count = deal_count - 1, amount_minor = amount_minor - old.amount_minor
    WHERE pipeline_id = old.pipeline_id AND owner_id = old.owner_id
        AND stage_id = old.stage_id AND currency = old.currency;
    INSERT INTO deal_stage_totals (owner_id, pipeline_id, stage_id, currency, deal_count, amount_minor)
    VALUES (new.owner_id, new.pipeline_id, new.stage_id, new.currency, 1, new.amount_minor)
    ON CONFLICT (pipeline_id, owner_id, stage_id, currency) DO UPDATE
        SET deal_count = deal_count + 1, amount_minor = amount_minor + excluded.amount_minor;
END;

-- tasks
CREATE TABLE tasks_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT,
    due_at TEXT,
    assignee_id INTEGER NOT NULL REFERENCES users (id),
    author_id INTEGER REFERENCES users (id),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high')),
    company_id INTEGER REFERENCES companies (id) ON DELETE CASCADE,
    contact_id INTEGER REFERENCES contacts (id) ON DELETE CASCADE,
    deal_id INTEGER REFERENCES deals (id) ON DELETE CASCADE,
    done_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
INSERT INTO tasks_rebuilt SELECT * FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_rebuilt RENAME TO tasks;
CREATE INDEX tasks_assignee_open ON tasks (assignee_id, done_at, due_at);
CREATE INDEX tasks_company ON tasks (company_id) WHERE company_id IS NOT NULL;
CREATE INDEX tasks_contact ON tasks (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX tasks_deal ON tasks (deal_id) WHERE deal_id IS NOT NULL;
CREATE INDEX tasks_assignee_due ON tasks (assignee_id, due_at, id);

-- activities
CREATE TABLE activities_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'meeting', 'email', 'note')),
    direction TEXT CHECK (direction IN ('incoming', 'outgoing')),
    status TEXT NOT NULL CHECK (status IN ('planned', 'done')),
    occurred_at TEXT NOT NULL,
    duration_minutes INTEGER,
    subject TEXT NOT NULL DEFAULT '',
    responsible_id INTEGER NOT NULL REFERENCES users (id),
    company_id INTEGER REFERENCES companies (id) ON DELETE CASCADE,
    contact_id INTEGER REFERENCES contacts (id) ON DELETE CASCADE,
    deal_id INTEGER REFERENCES deals (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
INSERT INTO activities_rebuilt SELECT * FROM activities;
DROP TABLE activities;
ALTER TABLE activities_rebuilt RENAME TO activities;
CREATE INDEX activities_company ON activities (company_id, occurred_at) WHERE company_id IS NOT NULL;
CREATE INDEX activities_contact ON activities (contact_id, occurred_at) WHERE contact_id IS NOT NULL;
CREATE INDEX activities_deal ON activities (deal_id, occurred_at) WHERE deal_id IS NOT NULL;
CREATE INDEX activities_responsible ON activities (responsible_id, occurred_at);
CREATE INDEX activities_responsible_kind ON activities (responsible_id, occurred_at, kind, status);
CREATE INDEX activities_kind_occurred_status ON activities (kind, occurred_at, responsible_id, status);
CREATE INDEX activities_occurred ON activities (occurred_at, id);

-- api_tokens
CREATE TABLE api_tokens_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
INSERT INTO api_tokens_rebuilt SELECT * FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_rebuilt RENAME TO api_tokens;
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

-- saved_views
CREATE TABLE saved_views_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, list, name)
);
INSERT INTO saved_views_rebuilt SELECT * FROM saved_views;
DROP TABLE saved_views;
ALTER TABLE saved_views_rebuilt RENAME TO saved_views;

-- /readyz rewrites this one row to learn whether the database takes writes (a full disk).
CREATE TABLE readiness_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL
);

COMMIT;
PRAGMA legacy_alter_table = OFF;
PRAGMA foreign_keys = ON;
