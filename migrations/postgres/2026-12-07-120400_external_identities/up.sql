-- Company identities (LDAP entries, OpenID Connect subjects) linked to the
-- local users they sign in as. A user may have several; an identity has
-- exactly one user.
CREATE TABLE external_identities (
    -- The provider's name in the configuration: `ldap`, or the OIDC provider's.
    provider TEXT NOT NULL,
    -- The provider's stable id of the person (entryUUID, objectGUID, `sub`).
    subject TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider, subject)
);

CREATE INDEX external_identities_user_id ON external_identities (user_id);
