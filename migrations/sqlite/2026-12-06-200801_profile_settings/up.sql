-- Mastodon 4.6 profile settings (GET/PATCH /api/v1/profile). The tabs a
-- profile shows are the owner's choice; attribution_domains is a JSON array
-- of the sites allowed to credit the account (fediverse:creator).
ALTER TABLE accounts ADD COLUMN show_featured BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE accounts ADD COLUMN show_media BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE accounts ADD COLUMN show_media_replies BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE accounts ADD COLUMN attribution_domains TEXT NOT NULL DEFAULT '[]';
