-- Groups (FEP-1b12): a group is a local account of type Group; these
-- tables hold what only a group has.

CREATE TABLE groups (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    -- What members agree to, shown as the group's profile note too.
    rules TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Who may remove a group's posts and members: its creator and those added.
CREATE TABLE group_moderators (
    group_id BIGINT NOT NULL REFERENCES groups (account_id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, account_id)
);
