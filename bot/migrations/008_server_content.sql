-- Server content: a server's own feedback templates and prep checklists, and the built-in
-- ones it hides. Instants are ISO UTC text written by bot.clock.iso.

-- One row per template or checklist a server's moderators wrote. `key` is the template id
-- (never a built-in template's id) or, for a checklist, the session kind it replaces.
-- `source` is the TOML text as checked by bot.content (one `[key]` table), shown again in edit.
CREATE TABLE server_content (
    guild_id    INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('template', 'checklist')),
    key         TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 32),
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    source      TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 4000),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  INTEGER,
    PRIMARY KEY (guild_id, kind, key)
);

-- A built-in template or checklist a server chose not to offer.
CREATE TABLE hidden_built_ins (
    guild_id   INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('template', 'checklist')),
    key        TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 32),
    hidden_at  TEXT NOT NULL,
    hidden_by  INTEGER,
    PRIMARY KEY (guild_id, kind, key)
);
