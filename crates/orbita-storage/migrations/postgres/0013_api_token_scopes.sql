-- API tokens get a scope and an optional expiry (an outside test found that a token could do
-- anything its user can, forever). PostgreSQL dialect; keep in step with
-- ../sqlite/0013_api_token_scopes.sql (same columns).

-- `read_only` tokens may only read (GET, HEAD, OPTIONS); `read_write` may do what their user
-- can. Tokens made before this migration keep working as they did: read_write.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read_write'
    CHECK (scope IN ('read_only', 'read_write'));

-- When the token stops working; NULL for a token that does not expire.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
