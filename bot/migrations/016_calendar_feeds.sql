-- A person's private calendar feed (GET /calendar/<token>.ics on the HTTP endpoint): only the
-- SHA-256 of its secret token is kept, so the database never holds a working address. One
-- feed per person; a reset replaces the hash, and the old address stops working.
CREATE TABLE calendar_feeds (
    user_id     INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at  TEXT NOT NULL
);
