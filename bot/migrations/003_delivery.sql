-- Delivery: the DM channel of each person the bot writes to, so a DM costs one request.
CREATE TABLE dm_channels (
    user_id     INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
