-- Monthly sales targets (план продаж). SQLite dialect; keep in step with
-- ../postgres/0003_targets.sql (a test compares the columns).
-- `month` is 'YYYY-MM' text in both dialects: a calendar month of the organisation's time zone,
-- not an instant, and text sorts and compares the same way on both databases.

CREATE TABLE sales_targets (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    month TEXT NOT NULL CHECK (length(month) = 7),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (user_id, month)
);
-- The grid and the report read a range of months for many users.
CREATE INDEX sales_targets_month ON sales_targets (month, user_id);

-- The summary report counts calls and meetings of a period for many users at once (won and
-- lost deals use deals_status_closed, tasks tasks_assignee_open).
CREATE INDEX activities_kind_occurred ON activities (kind, occurred_at, responsible_id);
