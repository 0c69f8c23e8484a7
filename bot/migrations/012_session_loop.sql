-- Session news: the student is told of every
-- change to their sessions. Changes wait here a short while so that several made in a minute
-- reach the student as one message; the queue is on disk, so a restart loses nothing.
-- change: scheduled, series, rescheduled, cancelled, series_cancelled, archived.
CREATE TABLE session_news (
    id             INTEGER PRIMARY KEY,
    recipient_id   INTEGER NOT NULL,
    guild_id       INTEGER NOT NULL,
    mentorship_id  INTEGER NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    mentor_id      INTEGER NOT NULL,
    session_id     INTEGER,
    change         TEXT NOT NULL CHECK (length(change) BETWEEN 1 AND 32),
    starts_at      TEXT,
    old_starts_at  TEXT,
    detail         TEXT NOT NULL DEFAULT '{}',
    due_at         TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
    batch          TEXT,
    message_id     INTEGER,
    created_at     TEXT NOT NULL,
    sent_at        TEXT
);

CREATE INDEX session_news_due ON session_news (due_at) WHERE status = 'pending';
CREATE INDEX session_news_sending ON session_news (batch) WHERE status = 'sending';
CREATE INDEX session_news_by_recipient ON session_news (recipient_id, status);

-- A student may turn session news off (NULL: on).
ALTER TABLE user_prefs ADD COLUMN session_news INTEGER CHECK (session_news IN (0, 1));

-- The mentor's display name as they last gave it, so that students see who their mentor is.
ALTER TABLE mentorships ADD COLUMN mentor_name TEXT;

-- The student's check-in before a session: what they did, where they are stuck, what they
-- want to discuss, a link to their work. Shown to the mentor in /prep and the review nudge.
CREATE TABLE checkins (
    session_id  INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    student_id  INTEGER NOT NULL,
    done        TEXT CHECK (length(done) <= 1000),
    stuck       TEXT CHECK (length(stuck) <= 1000),
    discuss     TEXT CHECK (length(discuss) <= 1000),
    work_link   TEXT CHECK (length(work_link) <= 500),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Where the student's project lives, and where the sessions happen.
ALTER TABLE mentorships ADD COLUMN project_link TEXT CHECK (length(project_link) <= 500);
ALTER TABLE mentorships ADD COLUMN meeting_link TEXT CHECK (length(meeting_link) <= 500);

-- Every correction of a recorded outcome, kept: who changed what, when.
CREATE TABLE outcome_changes (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    old_status   TEXT NOT NULL,
    new_status   TEXT NOT NULL,
    changed_by   INTEGER NOT NULL,
    changed_at   TEXT NOT NULL
);

CREATE INDEX outcome_changes_by_session ON outcome_changes (session_id, changed_at);

-- How many times a session was moved or cancelled: its calendar SEQUENCE, so that a
-- re-imported .ics updates the event instead of adding a second one.
ALTER TABLE sessions ADD COLUMN revision INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0);

-- A mentor's time off: their sessions in the range are cancelled, now and as series extend.
CREATE TABLE time_off (
    id          INTEGER PRIMARY KEY,
    mentor_id   INTEGER NOT NULL,
    first_day   TEXT NOT NULL,
    last_day    TEXT NOT NULL,
    zone        TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK (first_day <= last_day AND starts_at < ends_at)
);

CREATE INDEX time_off_by_mentor ON time_off (mentor_id, ends_at);
