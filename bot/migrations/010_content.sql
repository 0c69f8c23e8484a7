-- Coaching content by person and project.
-- Instants are ISO UTC text written by bot.clock.iso.

-- Where the student starts from (bot.content.STARTING_POINTS), optional: prep checklists and
-- coaching wording fit it.
ALTER TABLE mentorships ADD COLUMN starting_point TEXT;

-- The language a person chose (a folder of bot/locales), by themselves or, until they choose,
-- by their mentor at /student add. `locale` stays the last language their client was seen in.
ALTER TABLE user_prefs ADD COLUMN language TEXT;
ALTER TABLE user_prefs ADD COLUMN language_by_self INTEGER NOT NULL DEFAULT 0;

-- Projects (or families of projects, free text) a mentor is confident with, or would rather
-- not mentor, in one server.
CREATE TABLE mentor_projects (
    guild_id    INTEGER NOT NULL,
    mentor_id   INTEGER NOT NULL,
    project     TEXT NOT NULL COLLATE NOCASE CHECK (length(project) BETWEEN 1 AND 100),
    stance      TEXT NOT NULL CHECK (stance IN ('confident', 'rather_not')),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (guild_id, mentor_id, project)
);

-- Mentors who agreed to be listed by /coach peers in a server.
CREATE TABLE peer_listing (
    guild_id    INTEGER NOT NULL,
    mentor_id   INTEGER NOT NULL,
    listed_at   TEXT NOT NULL,
    PRIMARY KEY (guild_id, mentor_id)
);

-- A mentor asking a peer to take one session, or the whole mentorship. The peer answers,
-- then the student; only when both agree does anything move.
CREATE TABLE handovers (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    mentorship_id   INTEGER NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    session_id      INTEGER REFERENCES sessions (id) ON DELETE CASCADE,
    from_mentor_id     INTEGER NOT NULL,
    to_mentor_id       INTEGER NOT NULL,
    scope           TEXT NOT NULL CHECK (scope IN ('session', 'mentorship')),
    status          TEXT NOT NULL DEFAULT 'asked'
                    CHECK (status IN ('asked', 'peer_accepted', 'done', 'peer_declined',
                                      'student_declined', 'unreachable')),
    created_at      TEXT NOT NULL,
    decided_at      TEXT,
    CHECK ((scope = 'session') = (session_id IS NOT NULL))
);

CREATE INDEX handovers_by_mentorship ON handovers (mentorship_id, status);
