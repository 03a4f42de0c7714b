-- Campaigns can be closed early, reopened and edited, and a group's
-- moderators can open one for their group.
-- Closed early by an admin or the group's moderators; NULL while open.
-- A campaign ends at closed_at if set, else at its deadline: votes and
-- ideas count only up to then (`tertulia_db::campaigns`).
ALTER TABLE campaigns ADD COLUMN closed_at TIMESTAMP;
ALTER TABLE campaigns ADD COLUMN description TEXT NOT NULL DEFAULT '';
-- The group whose posts are the ideas; NULL: a campaign of the whole site.
ALTER TABLE campaigns ADD COLUMN group_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE;
