-- Departures: servers that removed the bot. Their data is purged once the grace period
-- is over, unless the bot is added back first (the row is then deleted).
CREATE TABLE guild_departures (
    guild_id     INTEGER PRIMARY KEY,
    departed_at  TEXT NOT NULL,
    purge_after  TEXT NOT NULL,
    CHECK (departed_at <= purge_after)
);

CREATE INDEX guild_departures_due ON guild_departures (purge_after);
