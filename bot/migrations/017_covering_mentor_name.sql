-- The name a covering peer goes by (their display name when they accepted the hand-over), so a
-- student's calendar feed can name who holds a covered session; erased with the peer.
ALTER TABLE handovers ADD COLUMN peer_name TEXT;
ALTER TABLE sessions ADD COLUMN covering_mentor_name TEXT;
