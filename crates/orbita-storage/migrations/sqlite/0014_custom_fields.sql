-- Custom fields (records kernel): the fields an administrator adds to a kind of record, and
-- every record's values of them. SQLite dialect; keep in step with
-- ../postgres/0014_custom_fields.sql (same columns).

-- One definition per kind and key. A removed field keeps its row (and its values stay in the
-- records) until purged, so its key cannot be taken again by a field of another type.
CREATE TABLE custom_fields (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    type TEXT NOT NULL,
    label_ru TEXT NOT NULL,
    label_en TEXT NOT NULL,
    -- The options of a list as a JSON array of strings.
    options TEXT NOT NULL DEFAULT '[]',
    link_kind TEXT,
    required BOOLEAN NOT NULL DEFAULT FALSE,
    indexed BOOLEAN NOT NULL DEFAULT FALSE,
    group_name TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    removed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (kind, key)
);

-- A record's values: one JSON object, key → canonical value (orbita_domain::custom). An
-- indexed field gets expression indexes on it, created when the field is marked indexed.
ALTER TABLE companies ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE contacts ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE deals ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tasks ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE activities ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
