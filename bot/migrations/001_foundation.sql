-- Foundation: people's preferences and per-server configuration.
CREATE TABLE user_prefs (
    user_id     INTEGER PRIMARY KEY,
    timezone    TEXT,
    locale      TEXT,
    updated_at  TEXT NOT NULL
);

CREATE TABLE guild_config (
    guild_id          INTEGER PRIMARY KEY,
    default_timezone  TEXT,
    locale            TEXT,
    updated_at        TEXT NOT NULL
);
