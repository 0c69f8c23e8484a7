-- Speed. Issue 14.
-- 1. The note index carries each note's author as a token of its own column, so that a
--    mentor's search reads that mentor's postings only; words are stemmed (porter, English)
--    with accents still folded; prefixes of 2 to 6 letters are indexed (`proj*`, as you type).
-- 2. Per-person lookups get the indexes they lacked.

DROP TRIGGER notes_fts_after_insert;
DROP TRIGGER notes_fts_after_delete;
DROP TRIGGER notes_fts_after_update;
DROP TABLE notes_fts;

CREATE VIRTUAL TABLE notes_fts USING fts5 (
    author_id,
    title,
    body,
    content = 'notes',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3 4 5 6'
);

INSERT INTO notes_fts (notes_fts) VALUES ('rebuild');

CREATE TRIGGER notes_fts_after_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, author_id, title, body)
        VALUES (new.id, new.author_id, new.title, new.body);
END;

CREATE TRIGGER notes_fts_after_delete AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, author_id, title, body)
        VALUES ('delete', old.id, old.author_id, old.title, old.body);
END;

CREATE TRIGGER notes_fts_after_update AFTER UPDATE OF author_id, title, body ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, author_id, title, body)
        VALUES ('delete', old.id, old.author_id, old.title, old.body);
    INSERT INTO notes_fts (rowid, author_id, title, body)
        VALUES (new.id, new.author_id, new.title, new.body);
END;

CREATE INDEX mentorships_of_student ON mentorships (student_id);

CREATE INDEX notes_by_author ON notes (author_id, created_at);

CREATE INDEX progress_by_author ON progress_entries (author_id);

CREATE INDEX presentation_plans_by_author ON presentation_plans (created_by);

CREATE INDEX prep_ticks_by_person ON prep_ticks (ticked_by);
