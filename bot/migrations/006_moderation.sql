-- Moderation: what a server's moderators choose in /setup. NULL means "not chosen".
ALTER TABLE guild_config ADD COLUMN log_channel_id INTEGER;
ALTER TABLE guild_config ADD COLUMN mentor_role_id INTEGER;
ALTER TABLE guild_config ADD COLUMN student_role_id INTEGER;
ALTER TABLE guild_config ADD COLUMN lead_role_id INTEGER;
-- Default lead times for the server: student reminders as text ("48h, 1h"), mentor nudge in hours.
ALTER TABLE guild_config ADD COLUMN student_leads TEXT;
ALTER TABLE guild_config ADD COLUMN review_lead_hours INTEGER
    CHECK (review_lead_hours BETWEEN 1 AND 168);
ALTER TABLE guild_config ADD COLUMN updated_by INTEGER;
