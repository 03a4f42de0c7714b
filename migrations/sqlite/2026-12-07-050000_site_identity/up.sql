-- Issue 18: the site a remote account belongs to, as its actor publishes it
-- (JSON of {name, country, region, time_zone, default_language}). NULL for
-- local accounts, whose site comes from the [site] configuration, and for
-- accounts of sites that publish none.
ALTER TABLE accounts ADD COLUMN site TEXT;
