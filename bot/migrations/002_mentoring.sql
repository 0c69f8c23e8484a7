-- Mentoring core: mentorships, recurring series, sessions and the mentor's notes.
-- Instants are ISO UTC text written by bot.clock.iso, so they compare as text.

CREATE TABLE mentorships (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    mentor_id        INTEGER NOT NULL,
    student_id       INTEGER NOT NULL,
    student_name     TEXT NOT NULL,
    project          TEXT NOT NULL,
    path             TEXT,
    goal             TEXT,
    session_minutes  INTEGER NOT NULL CHECK (session_minutes IN (30, 45)),
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    created_at       TEXT NOT NULL,
    archived_at      TEXT,
    CHECK ((status = 'archived') = (archived_at IS NOT NULL))
);

-- One active mentorship per mentor and student in a server (archived ones do not count).
CREATE UNIQUE INDEX mentorships_one_active
    ON mentorships (guild_id, mentor_id, student_id) WHERE status = 'active';

CREATE INDEX mentorships_by_student ON mentorships (guild_id, student_id);

CREATE INDEX mentorships_by_mentor ON mentorships (mentor_id, status);

-- The rule of a recurring session: wall-clock time in a zone, repeated.
CREATE TABLE series (
    id                  INTEGER PRIMARY KEY,
    mentorship_id       INTEGER NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    zone                TEXT NOT NULL,
    local_start         TEXT NOT NULL,
    repeat              TEXT NOT NULL CHECK (repeat IN ('none', 'weekly', 'biweekly')),
    kind                TEXT NOT NULL
                        CHECK (kind IN ('discovery', 'regular', 'mock_presentation',
                                        'assessment_prep')),
    duration_minutes    INTEGER NOT NULL CHECK (duration_minutes > 0),
    materialised_until  TEXT,
    ended_at            TEXT
);

CREATE INDEX series_by_mentorship ON series (mentorship_id);

CREATE INDEX series_to_extend ON series (materialised_until) WHERE ended_at IS NULL;

CREATE TABLE sessions (
    id                INTEGER PRIMARY KEY,
    mentorship_id     INTEGER NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    series_id         INTEGER REFERENCES series (id) ON DELETE SET NULL,
    occurrence        INTEGER CHECK (occurrence >= 0),
    starts_at         TEXT NOT NULL,
    duration_minutes  INTEGER NOT NULL CHECK (duration_minutes > 0),
    kind              TEXT NOT NULL
                      CHECK (kind IN ('discovery', 'regular', 'mock_presentation',
                                      'assessment_prep')),
    status            TEXT NOT NULL DEFAULT 'scheduled'
                      CHECK (status IN ('scheduled', 'cancelled', 'held', 'cancelled_early',
                                        'cancelled_late', 'no_show')),
    moved             INTEGER NOT NULL DEFAULT 0 CHECK (moved IN (0, 1)),
    student_response  TEXT CHECK (student_response IN ('confirmed', 'declined')),
    student_reason    TEXT,
    responded_at      TEXT,
    recorded_at       TEXT,
    created_at        TEXT NOT NULL,
    UNIQUE (series_id, occurrence)
);

CREATE INDEX sessions_by_start ON sessions (starts_at);

CREATE INDEX sessions_by_mentorship ON sessions (mentorship_id, starts_at);

CREATE TABLE notes (
    id             INTEGER PRIMARY KEY,
    mentorship_id  INTEGER NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    author_id      INTEGER NOT NULL,
    session_id     INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
    title          TEXT NOT NULL CHECK (length(title) <= 100),
    body           TEXT NOT NULL CHECK (length(body) <= 4000),
    source_url     TEXT,
    template       TEXT,
    fields         TEXT,
    shared_at      TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE INDEX notes_by_mentorship ON notes (mentorship_id, author_id, created_at);

CREATE INDEX notes_by_session ON notes (session_id);

-- Full-text index over notes (external content), kept in sync by the triggers below.
CREATE VIRTUAL TABLE notes_fts USING fts5 (
    title,
    body,
    content = 'notes',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER notes_fts_after_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TRIGGER notes_fts_after_delete AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
END;

CREATE TRIGGER notes_fts_after_update AFTER UPDATE OF title, body ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO notes_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
