-- A peer who covers one session of a mentorship (a single-session hand-over both agreed to):
-- that session's mentor for its reminders, nudges, list and record; NULL for the usual mentor.
ALTER TABLE sessions ADD COLUMN covering_mentor_id INTEGER;

CREATE INDEX sessions_by_covering_mentor ON sessions (covering_mentor_id, starts_at)
    WHERE covering_mentor_id IS NOT NULL;
