-- ActivityPub relays this site subscribes to (LitePub or Mastodon's relay
-- protocol). The site actor follows each; once accepted, public posts go
-- to its inbox and what it forwards is checked against each post's origin.
CREATE TABLE relays (
    id BIGINT PRIMARY KEY,
    -- Where our Follow, public posts and their edits and deletions go.
    inbox_url TEXT NOT NULL UNIQUE,
    -- The relay's actor: given for LitePub; for a Mastodon relay, learned
    -- from the signer of its Accept.
    actor_uri TEXT,
    -- litepub | mastodon
    protocol TEXT NOT NULL,
    -- pending | accepted | rejected
    state TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX relays_actor_uri ON relays (actor_uri);
