-- Moderation (Mastodon's admin account actions, account warnings and the
-- admin action log). Suspension and silencing already have their columns
-- on accounts (suspended_at, silenced_at).

-- A moderator marked every medium of the account sensitive.
ALTER TABLE accounts ADD COLUMN sensitized_at TIMESTAMP;
-- A moderator disabled sign-in for this user (their content stays visible).
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;

-- Mastodon's AccountWarning: what was done to an account, and the text
-- the moderator wrote for its owner.
CREATE TABLE account_warnings (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- none | sensitive | disable | silence | suspend
    action TEXT NOT NULL,
    text TEXT NOT NULL,
    report_id BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX account_warnings_by_account ON account_warnings (account_id, id);

-- Every moderation and admin action, newest id last. The actor and target
-- are kept as text as well, so an entry still reads right after either is
-- deleted.
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    -- NULL: done from the server's command line.
    actor_account_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    human_identifier TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
