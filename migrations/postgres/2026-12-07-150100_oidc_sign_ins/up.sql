-- OpenID Connect sign-ins under way: between sending a person to the
-- company's provider and their return. Kept in the database, not in one
-- process's memory, so the return may reach any `tertulia serve` process.
CREATE TABLE oidc_sign_ins (
    -- The random `state` sent to the provider; the return must bring it back.
    state TEXT PRIMARY KEY NOT NULL,
    -- The app's sign-in request (the query of /oauth/authorize), resumed
    -- after the provider answers.
    app_request TEXT NOT NULL,
    -- PKCE (RFC 7636) verifier and ID-token nonce of this sign-in.
    pkce_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE INDEX oidc_sign_ins_expires_at ON oidc_sign_ins (expires_at);
