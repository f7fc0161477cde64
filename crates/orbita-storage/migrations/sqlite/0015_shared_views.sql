-- A saved view may be shared with a user group (records kernel: saved views shared with a
-- group or private). SQLite dialect; keep in step with ../postgres/0015_shared_views.sql.
-- NULL: private to its author. A group's removal makes its views private again.
ALTER TABLE saved_views ADD COLUMN group_id INTEGER REFERENCES user_groups (id) ON DELETE SET NULL;
CREATE INDEX saved_views_group ON saved_views (group_id, list) WHERE group_id IS NOT NULL;
