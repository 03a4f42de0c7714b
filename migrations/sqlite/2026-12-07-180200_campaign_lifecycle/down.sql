ALTER TABLE campaigns DROP COLUMN group_id;
ALTER TABLE campaigns DROP COLUMN description;
ALTER TABLE campaigns DROP COLUMN closed_at;
