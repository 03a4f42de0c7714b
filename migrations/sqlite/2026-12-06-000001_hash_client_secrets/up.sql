-- Client secrets are kept as SHA-256 hashes (hex), like access tokens: a
-- leaked database no longer lets anyone act as a registered app. The secret
-- itself is shown once, when the app registers. SQLite has no SHA-256 of
-- its own: `sha256_hex` is registered by Tertulia on the connection that
-- runs migrations (crates/db/src/migrations.rs).
ALTER TABLE oauth_applications RENAME COLUMN client_secret TO client_secret_hash;
UPDATE oauth_applications SET client_secret_hash = sha256_hex(client_secret_hash);
