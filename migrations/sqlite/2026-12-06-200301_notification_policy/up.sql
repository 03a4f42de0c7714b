-- Notification filtering (Mastodon 4.3): each user's policy, the requests
-- that gather filtered notifications per sender, and the flag that keeps a
-- filtered notification out of the lists until its request is accepted.
-- No row in notification_policies means the defaults.
CREATE TABLE notification_policies (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    for_not_following TEXT NOT NULL,
    for_not_followers TEXT NOT NULL,
    for_new_accounts TEXT NOT NULL,
    for_private_mentions TEXT NOT NULL,
    for_limited_accounts TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One per recipient and sender. An accepted request stays, with no
-- notifications, so that sender is never filtered again.
CREATE TABLE notification_requests (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    from_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    last_status_id BIGINT REFERENCES statuses(id) ON DELETE SET NULL,
    notifications_count BIGINT NOT NULL,
    accepted BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX notification_requests_account_id_from ON notification_requests (account_id, from_account_id);
CREATE INDEX notification_requests_from_account_id ON notification_requests (from_account_id);
ALTER TABLE notifications ADD COLUMN filtered BOOLEAN NOT NULL DEFAULT FALSE;
