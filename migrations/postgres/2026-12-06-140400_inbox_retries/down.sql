DROP INDEX inbox_activities_sender_queue;
DROP INDEX inbox_activities_waiting;
CREATE INDEX inbox_activities_pending ON inbox_activities (received_at)
    WHERE processed_at IS NULL;
ALTER TABLE inbox_activities DROP COLUMN failed_at;
ALTER TABLE inbox_activities DROP COLUMN locked_until;
ALTER TABLE inbox_activities DROP COLUMN next_attempt_at;
ALTER TABLE inbox_activities DROP COLUMN actor_host;
