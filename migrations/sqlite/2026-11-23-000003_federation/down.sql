DROP INDEX accounts_public_key_id;
ALTER TABLE accounts DROP COLUMN public_key_id;
DROP INDEX delivery_jobs_due;
CREATE INDEX delivery_jobs_due ON delivery_jobs (next_attempt_at);
ALTER TABLE delivery_jobs DROP COLUMN failed_at;
DROP TABLE federation_outbox;
