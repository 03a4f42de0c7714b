-- Admin blocks on who may sign up or sign in (Mastodon's email domain,
-- canonical email and IP blocks).

-- E-mail domains refused at sign-up, subdomains included.
CREATE TABLE email_domain_blocks (
    id BIGINT NOT NULL PRIMARY KEY,
    -- Lower-case host, without a trailing dot.
    domain TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- Addresses refused at sign-up, kept only as the SHA-256 hex of their
-- canonical form (see crates/domain/src/sign_up_blocks.rs).
CREATE TABLE canonical_email_blocks (
    id BIGINT NOT NULL PRIMARY KEY,
    canonical_email_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- Address ranges held back at sign-up or sign-in.
CREATE TABLE ip_blocks (
    id BIGINT NOT NULL PRIMARY KEY,
    -- CIDR with the host bits cleared, such as 192.0.2.0/24.
    ip TEXT NOT NULL,
    -- sign_up_requires_approval | sign_up_block | no_access
    severity TEXT NOT NULL,
    comment TEXT NOT NULL,
    -- NULL: never expires.
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
