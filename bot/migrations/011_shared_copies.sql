-- What a student sees of a shared note: the copy the DM showed, kept apart from the note.
-- A note shared before this change: a plain note keeps its text as the copy; a note written
-- from a template (it may hold private fields) shows nothing to the student until shared again.
ALTER TABLE notes ADD COLUMN shared_title TEXT;

ALTER TABLE notes ADD COLUMN shared_body TEXT;

ALTER TABLE notes ADD COLUMN shared_digest TEXT;

UPDATE notes SET shared_title = title, shared_body = body
WHERE shared_at IS NOT NULL AND template IS NULL;
