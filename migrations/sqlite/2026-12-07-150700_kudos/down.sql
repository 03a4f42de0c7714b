ALTER TABLE accounts DROP COLUMN kudos_count;
DROP TABLE kudos;
