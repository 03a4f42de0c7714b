-- Client secrets are kept as SHA-256 hashes (hex), like access tokens: a
-- leaked database no longer lets anyone act as a registered app. The secret
-- itself is shown once, when the app registers.
ALTER TABLE oauth_applications RENAME COLUMN client_secret TO client_secret_hash;
UPDATE oauth_applications
SET client_secret_hash = encode(sha256(convert_to(client_secret_hash, 'UTF8')), 'hex');
