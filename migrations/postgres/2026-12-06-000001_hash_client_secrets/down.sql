-- A hash cannot be turned back into the secret: after going back, apps
-- registered before must register again (their stored secrets stay hashes).
ALTER TABLE oauth_applications RENAME COLUMN client_secret_hash TO client_secret;
