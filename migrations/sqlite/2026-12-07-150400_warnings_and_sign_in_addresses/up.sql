-- A `moderation_warning` notification names the warning it tells its
-- account about (Mastodon's AccountWarning); it goes with the warning.
ALTER TABLE notifications ADD COLUMN account_warning_id BIGINT REFERENCES account_warnings (id) ON DELETE CASCADE;
