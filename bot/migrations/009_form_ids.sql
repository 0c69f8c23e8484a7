-- The form a note was typed in (the id of the interaction that opened it), so that the same
-- form submitted twice (a retry after a timeout, a double click) stores one note.
ALTER TABLE notes ADD COLUMN form_id INTEGER;

CREATE UNIQUE INDEX notes_by_form ON notes (author_id, form_id) WHERE form_id IS NOT NULL;
