-- Changes to announce to other sites. A domain service writes the row in the
-- same transaction as the change itself, so a crash can never commit a post
-- and forget to federate it. The federation worker turns each row into
-- delivery jobs (one per inbox) and deletes it, again in one transaction.
CREATE TABLE federation_outbox (
    id BIGINT NOT NULL PRIMARY KEY,
    -- What happened, e.g. "status_created"; payload holds its ids as JSON.
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);

-- A delivery that failed for good (4xx other than 408/429, or too old) is
-- kept for the admin to inspect instead of vanishing.
ALTER TABLE delivery_jobs ADD COLUMN failed_at TIMESTAMP;
DROP INDEX delivery_jobs_due;
CREATE INDEX delivery_jobs_due ON delivery_jobs (next_attempt_at) WHERE failed_at IS NULL;

-- The keyId remote servers sign with: Mastodon uses "<actor>#main-key",
-- GoToSocial "<actor>/main-key", so the actor cannot be derived from it.
ALTER TABLE accounts ADD COLUMN public_key_id TEXT;
CREATE UNIQUE INDEX accounts_public_key_id ON accounts (public_key_id);
