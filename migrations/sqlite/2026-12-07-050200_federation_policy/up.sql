-- The site's federation policy, managed live by admins (Mastodon's admin
-- DomainBlock and DomainAllow). Not to be confused with
-- account_domain_blocks, where one user mutes a domain for themselves.

-- Instance-level blocks. A block covers the domain and its subdomains.
CREATE TABLE federation_domain_blocks (
    id BIGINT NOT NULL PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    -- noop | silence | suspend
    severity TEXT NOT NULL,
    reject_media BOOLEAN NOT NULL,
    reject_reports BOOLEAN NOT NULL,
    private_comment TEXT,
    public_comment TEXT,
    obfuscate BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Domains admitted in allowlist mode (exact host names).
CREATE TABLE federation_domain_allows (
    id BIGINT NOT NULL PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- One row, bumped in the transaction of every change above: each running
-- process compares it with the version it holds and reloads when it moved.
CREATE TABLE federation_policy_version (
    id INTEGER NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO federation_policy_version (id, version) VALUES (1, 0);
