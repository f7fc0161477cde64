-- The organisation's working week, and robots' deadlines counted in it. SQLite dialect; keep in
-- step with ../postgres/0022_working_hours.sql.

-- The weekdays worked as ISO digits (Monday 1 … Sunday 7), the day's work from and to in
-- minutes after local midnight.
ALTER TABLE org_settings ADD COLUMN work_days TEXT NOT NULL DEFAULT '12345';
ALTER TABLE org_settings ADD COLUMN work_start_minute BIGINT NOT NULL DEFAULT 540
    CHECK (work_start_minute >= 0 AND work_start_minute < 1440);
ALTER TABLE org_settings ADD COLUMN work_end_minute BIGINT NOT NULL DEFAULT 1080
    CHECK (work_end_minute > 0 AND work_end_minute < 1440);
-- A rule's task deadline (`due_minutes`) counts only working time.
ALTER TABLE automation_rules ADD COLUMN due_working BOOLEAN NOT NULL DEFAULT FALSE;
