-- Idle memory. Issue 14.
-- The series that ended (stopped, or their mentorship archived) but are not yet materialised up
-- to their end: the branch of `series_to_extend` for ended series read every series without it.
-- The index holds only those, so it stays small however many series the program has.
CREATE INDEX series_ended_to_extend ON series (materialised_until)
    WHERE ended_at IS NOT NULL AND (materialised_until IS NULL OR materialised_until < ended_at);
