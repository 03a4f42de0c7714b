-- A `moderation_warning` notification names the warning it tells its
-- account about (Mastodon's AccountWarning); it goes with the warning.
ALTER TABLE notifications ADD COLUMN account_warning_id BIGINT REFERENCES account_warnings (id) ON DELETE CASCADE;

-- The addresses each user signed in from, as staff see them in
-- Admin::Account `ips`. Personal data: at most 20 per user, none older
-- than a year (docs/moderation.md).
CREATE TABLE sign_in_addresses (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ip TEXT NOT NULL,
    used_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, ip)
);
CREATE INDEX sign_in_addresses_by_age ON sign_in_addresses (used_at);
