-- Reminder kinds live in one registry (bot/reminders/kinds.py), not in a CHECK: a new kind
-- needs no table rebuild. `unsure` marks a send whose outcome is unknown (a crash, a 5xx, a
-- timeout): before sending it again the dispatcher looks for it in the recipient's history.

CREATE TABLE reminders_rebuilt (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
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
    unsure        INTEGER NOT NULL DEFAULT 0 CHECK (unsure IN (0, 1)),
    delivered_via TEXT CHECK (delivered_via IN ('dm', 'channel')),
    message_id    INTEGER,
    last_error    TEXT,
    sent_at       TEXT,
    created_at    TEXT NOT NULL
);

INSERT INTO reminders_rebuilt (id, kind, session_id, recipient_id, guild_id, slot, due_at,
    status, attempts, deliveries, late, unsure, delivered_via, message_id, last_error, sent_at,
    created_at)
SELECT id, kind, session_id, recipient_id, guild_id, slot, due_at, status, attempts,
    deliveries, late, CASE WHEN status = 'sending' THEN 1 ELSE 0 END, delivered_via,
    message_id, last_error, sent_at, created_at
FROM reminders;

DROP TABLE reminders;
ALTER TABLE reminders_rebuilt RENAME TO reminders;

CREATE UNIQUE INDEX reminders_once
    ON reminders (session_id, kind, recipient_id, slot) WHERE session_id IS NOT NULL;
CREATE UNIQUE INDEX reminders_once_without_session
    ON reminders (kind, recipient_id, slot) WHERE session_id IS NULL;
CREATE INDEX reminders_due ON reminders (due_at) WHERE status = 'pending';
CREATE INDEX reminders_interrupted ON reminders (due_at) WHERE status = 'sending';
CREATE INDEX reminders_by_recipient ON reminders (recipient_id, status);
CREATE INDEX reminders_by_session ON reminders (session_id);
