-- The boost index only needs boosts. As a full index it matched
-- "reblog_of_id IS NULL", the filter of every public and tag timeline, and
-- the planner then read every original status and sorted them instead of
-- walking the id index backwards (see docs/benchmarks.md).
DROP INDEX statuses_reblog_of_id_account_id;
CREATE INDEX statuses_reblog_of_id_account_id ON statuses (reblog_of_id, account_id) WHERE reblog_of_id IS NOT NULL;
