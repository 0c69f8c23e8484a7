-- Coaching: session-prep ticks, open next steps from feedback, project progress and
-- presentation plans. Instants are ISO UTC text written by bot.clock.iso.

-- One row per checklist item a mentor ticked while preparing one session.
CREATE TABLE prep_ticks (
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    item_id     TEXT NOT NULL CHECK (length(item_id) BETWEEN 1 AND 32),
    ticked_by   INTEGER NOT NULL,
    ticked_at   TEXT NOT NULL,
    PRIMARY KEY (session_id, item_id)
);

-- A next step agreed in a feedback note (one line of its next-steps field).
CREATE TABLE next_steps (
    id               INTEGER PRIMARY KEY,
    mentorship_id    INTEGER NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    note_id          INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL CHECK (position >= 0),
    text             TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 200),
    created_at       TEXT NOT NULL,
    done_at          TEXT,
    done_session_id  INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
    CHECK (done_session_id IS NULL OR done_at IS NOT NULL)
);

CREATE INDEX next_steps_by_mentorship ON next_steps (mentorship_id, done_at);

CREATE INDEX next_steps_by_note ON next_steps (note_id, position);

-- Where a student's project stands, recorded by the mentor over time.
CREATE TABLE progress_entries (
    id                    INTEGER PRIMARY KEY,
    mentorship_id         INTEGER NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    author_id             INTEGER NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('behind', 'on_track', 'ahead')),
    ready_for_assessment  INTEGER NOT NULL DEFAULT 0 CHECK (ready_for_assessment IN (0, 1)),
    created_at            TEXT NOT NULL
);

CREATE INDEX progress_by_mentorship ON progress_entries (mentorship_id, created_at);

-- The end of a project: when to request the presentation and hold a mock one.
-- The reminder engine nudges the mentor and fills the *_nudged_at columns.
CREATE TABLE presentation_plans (
    id                  INTEGER PRIMARY KEY,
    mentorship_id       INTEGER NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    progress_id         INTEGER REFERENCES progress_entries (id) ON DELETE SET NULL,
    created_by          INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    request_by          TEXT NOT NULL,
    presentation_from   TEXT NOT NULL,
    presentation_until  TEXT NOT NULL,
    mock_by             TEXT,
    status              TEXT NOT NULL DEFAULT 'open'
                        CHECK (status IN ('open', 'done', 'cancelled')),
    request_nudged_at   TEXT,
    mock_nudged_at      TEXT,
    CHECK (request_by <= presentation_from AND presentation_from <= presentation_until)
);

-- At most one open plan per mentorship.
CREATE UNIQUE INDEX presentation_plans_one_open
    ON presentation_plans (mentorship_id) WHERE status = 'open';

CREATE INDEX presentation_plans_to_nudge ON presentation_plans (status, request_by);
