ALTER TABLE accounts DROP COLUMN attribution_domains;
ALTER TABLE accounts DROP COLUMN show_media_replies;
ALTER TABLE accounts DROP COLUMN show_media;
ALTER TABLE accounts DROP COLUMN show_featured;
