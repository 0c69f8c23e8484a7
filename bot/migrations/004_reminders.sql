-- Reminders: the database is the source of truth; one row per (session, kind, recipient, lead).

CREATE TABLE reminders (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL
                  CHECK (kind IN ('student_reminder', 'mentor_review', 'record_nudge',
                                  'digest', 'presentation')),
    session_id    INTEGER REFERENCES sessions (id) ON DELETE CASCADE,
    recipient_id  INTEGER NOT NULL,
    guild_id      INTEGER NOT NULL,
    slot          TEXT NOT NULL DEFAULT '',
    due_at        TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sending', 'sent', 'missed', 'failed',
                                    'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    deliveries    INTEGER NOT NULL DEFAULT 0 CHECK (deliveries >= 0),
    late          INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    delivered_via TEXT CHECK (delivered_via IN ('dm', 'channel')),
    message_id    INTEGER,
    last_error    TEXT,
    sent_at       TEXT,
    created_at    TEXT NOT NULL
);

-- A reminder can never be planned twice (NULL sessions: digests, keyed by their slot).
CREATE UNIQUE INDEX reminders_once
    ON reminders (session_id, kind, recipient_id, slot) WHERE session_id IS NOT NULL;
CREATE UNIQUE INDEX reminders_once_without_session
    ON reminders (kind, recipient_id, slot) WHERE session_id IS NULL;

-- The dispatcher only ever asks for the earliest reminders still to send, and at start for
-- the sends a crash interrupted.
CREATE INDEX reminders_due ON reminders (due_at) WHERE status = 'pending';
CREATE INDEX reminders_interrupted ON reminders (due_at) WHERE status = 'sending';
CREATE INDEX reminders_by_recipient ON reminders (recipient_id, status);
CREATE INDEX reminders_by_session ON reminders (session_id);

-- People's own reminder settings (missing row or NULL column: the defaults).
CREATE TABLE reminder_prefs (
    user_id             INTEGER PRIMARY KEY,
    student_leads       TEXT,
    review_lead_hours   INTEGER CHECK (review_lead_hours BETWEEN 1 AND 168),
    via                 TEXT CHECK (via IN ('dm', 'channel')),
    paused              INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    updated_at          TEXT NOT NULL
);

ALTER TABLE guild_config ADD COLUMN reminders_channel_id INTEGER;
