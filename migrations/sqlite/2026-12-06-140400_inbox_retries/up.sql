-- Received activities are retried with backoff (next_attempt_at) instead of
-- at once, claimed per sender with a lease (locked_until) so that several
-- senders are applied in parallel while one sender's activities stay in
-- order, and left aside for good (failed_at) after the last attempt.
-- actor_host is the signer's host, so one remote site can be kept to a share
-- of the workers.
ALTER TABLE inbox_activities ADD COLUMN actor_host TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox_activities ADD COLUMN next_attempt_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
ALTER TABLE inbox_activities ADD COLUMN locked_until TIMESTAMP;
ALTER TABLE inbox_activities ADD COLUMN failed_at TIMESTAMP;

-- The host is what follows "://" up to the next "/" (urls::host_of keeps the
-- port and lowercases, as here).
UPDATE inbox_activities SET actor_host = lower(substr(actor_uri, instr(actor_uri, '://') + 3));
UPDATE inbox_activities SET actor_host = substr(actor_host, 1, instr(actor_host, '/') - 1)
    WHERE instr(actor_host, '/') > 0;
UPDATE inbox_activities SET next_attempt_at = received_at;
-- The previous worker gave up after 5 attempts.
UPDATE inbox_activities SET failed_at = received_at WHERE processed_at IS NULL AND attempts >= 5;

-- Replaced: the worker reads activities still waiting (neither applied nor
-- given up), oldest first, and each sender's own queue.
DROP INDEX inbox_activities_pending;
CREATE INDEX inbox_activities_waiting ON inbox_activities (received_at, id)
    WHERE processed_at IS NULL AND failed_at IS NULL;
CREATE INDEX inbox_activities_sender_queue ON inbox_activities (actor_uri, received_at, id)
    WHERE processed_at IS NULL AND failed_at IS NULL;
