-- Posts to publish later (Mastodon's scheduled statuses). Each row is also
-- the durable job that publishes it: the worker claims due rows, publishes
-- them and deletes them in one transaction.
-- params: the post as the client sent it (JSON, written by the domain).
CREATE TABLE scheduled_statuses (
    id BIGINT NOT NULL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scheduled_at TIMESTAMP NOT NULL,
    params TEXT NOT NULL,
    application_id BIGINT,
    idempotency_key TEXT,
    created_at TIMESTAMP NOT NULL
);
-- The worker's next due time and claim.
CREATE INDEX scheduled_statuses_scheduled_at ON scheduled_statuses (scheduled_at);
-- An account's list, its limits and its Idempotency-Key.
CREATE INDEX scheduled_statuses_account_id ON scheduled_statuses (account_id, scheduled_at);

-- Uploads reserved for a scheduled status: not attachable elsewhere until it
-- is published (then status_id takes over) or cancelled. Not a foreign key,
-- so the column can be dropped again on SQLite; cleared by the code that
-- removes the scheduled status, and uploads go with their account anyway.
ALTER TABLE media_attachments ADD COLUMN scheduled_status_id BIGINT;
CREATE INDEX media_attachments_scheduled_status_id ON media_attachments (scheduled_status_id);
