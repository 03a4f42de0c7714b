ALTER TABLE tags DROP COLUMN reviewed_at;
