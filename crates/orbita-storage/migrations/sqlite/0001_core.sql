-- Orbita core schema, SQLite dialect. Keep in step with ../postgres/0001_core.sql:
-- the same tables and columns (a test compares them). Applied migrations are never edited.
-- Timestamps are RFC 3339 UTC text (sorts correctly); dates are YYYY-MM-DD; money is integer
-- minor units (kopecks) with a currency code, so sums are exact.

CREATE TABLE org_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE roles (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    is_builtin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    role_id INTEGER NOT NULL REFERENCES roles (id),
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    locale TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE user_groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE user_group_members (
    group_id INTEGER NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX user_group_members_user ON user_group_members (user_id);

CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
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
-- Two companies with the same INN and KPP are one company.
CREATE UNIQUE INDEX companies_inn_kpp ON companies (inn, coalesce(kpp, '')) WHERE inn IS NOT NULL;
CREATE INDEX companies_kpp ON companies (kpp) WHERE kpp IS NOT NULL;
CREATE INDEX companies_name ON companies (name, id);
CREATE INDEX companies_owner_name ON companies (owner_id, name, id);
CREATE INDEX companies_created ON companies (created_at, id);
CREATE INDEX companies_region ON companies (region, name, id);
CREATE INDEX companies_industry ON companies (industry, name, id);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
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
CREATE INDEX contacts_company ON contacts (company_id);
CREATE INDEX contacts_name ON contacts (last_name, first_name, id);
CREATE INDEX contacts_owner_name ON contacts (owner_id, last_name, id);
CREATE INDEX contacts_created ON contacts (created_at, id);

CREATE TABLE pipelines (
    id INTEGER PRIMARY KEY,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One default pipeline: two instances starting at once cannot both create it.
CREATE UNIQUE INDEX pipelines_one_default ON pipelines (is_default) WHERE is_default;

CREATE TABLE stages (
    id INTEGER PRIMARY KEY,
    pipeline_id INTEGER NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX stages_pipeline ON stages (pipeline_id, position);

CREATE TABLE deals (
    id INTEGER PRIMARY KEY,
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
);
CREATE INDEX deals_stage ON deals (stage_id, updated_at, id);
CREATE INDEX deals_company ON deals (company_id);
CREATE INDEX deals_contact ON deals (contact_id);
CREATE INDEX deals_owner_status ON deals (owner_id, status, closed_at);
CREATE INDEX deals_status_closed ON deals (status, closed_at);
CREATE INDEX deals_title ON deals (title, id);
CREATE INDEX deals_created ON deals (created_at, id);

-- Every stage a deal entered, for the funnel ("reached this stage") and the timeline.
CREATE TABLE deal_stage_changes (
    id INTEGER PRIMARY KEY,
    deal_id INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    from_stage_id INTEGER REFERENCES stages (id),
    to_stage_id INTEGER NOT NULL REFERENCES stages (id),
    changed_by INTEGER REFERENCES users (id),
    changed_at TEXT NOT NULL
);
CREATE INDEX deal_stage_changes_deal ON deal_stage_changes (deal_id, changed_at);
CREATE INDEX deal_stage_changes_stage ON deal_stage_changes (to_stage_id, changed_at);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
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
CREATE INDEX tasks_assignee_open ON tasks (assignee_id, done_at, due_at);
CREATE INDEX tasks_company ON tasks (company_id) WHERE company_id IS NOT NULL;
CREATE INDEX tasks_contact ON tasks (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX tasks_deal ON tasks (deal_id) WHERE deal_id IS NOT NULL;

CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
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
CREATE INDEX activities_company ON activities (company_id, occurred_at) WHERE company_id IS NOT NULL;
CREATE INDEX activities_contact ON activities (contact_id, occurred_at) WHERE contact_id IS NOT NULL;
CREATE INDEX activities_deal ON activities (deal_id, occurred_at) WHERE deal_id IS NOT NULL;
CREATE INDEX activities_responsible ON activities (responsible_id, occurred_at);

-- Append-only. `changes` is a JSON array of {field, before, after}.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users (id),
    ip TEXT,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    action TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_events_time ON audit_events (occurred_at, id);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id, occurred_at);
CREATE INDEX audit_events_actor ON audit_events (actor_id, occurred_at);

-- Search: trigram full-text indexes kept in step with their tables by triggers.
CREATE VIRTUAL TABLE companies_fts USING fts5 (
    name, inn, kpp, phones, emails, content = 'companies', content_rowid = 'id', tokenize = 'trigram'
);
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

CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    last_name, first_name, middle_name, phones, emails,
    content = 'contacts', content_rowid = 'id', tokenize = 'trigram'
);
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

CREATE VIRTUAL TABLE deals_fts USING fts5 (title, content = 'deals', content_rowid = 'id', tokenize = 'trigram');
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
