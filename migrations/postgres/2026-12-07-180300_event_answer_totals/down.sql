ALTER TABLE events DROP COLUMN reported_not_going;
ALTER TABLE events DROP COLUMN reported_maybe;
ALTER TABLE events DROP COLUMN reported_going;
