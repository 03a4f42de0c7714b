DROP TABLE audit_log;
DROP TABLE account_warnings;
ALTER TABLE users DROP COLUMN disabled;
ALTER TABLE accounts DROP COLUMN sensitized_at;
