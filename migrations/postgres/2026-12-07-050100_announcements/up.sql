-- Announcements admins show to every member of the site (Mastodon's
-- announcements). A company-wide one written at HQ is also sent to the
-- sites that follow HQ; there it is stored with the origin's domain and the
-- URI HQ gave it, so edits, unpublishing and deletion can find it again.
-- text: plain text as the admin wrote it (rendered to HTML on the way out).
-- scheduled_at: when the periodic job publishes it (NULL: not scheduled).
CREATE TABLE announcements (
    id BIGINT PRIMARY KEY,
    text TEXT NOT NULL,
    starts_at TIMESTAMP,
    ends_at TIMESTAMP,
    all_day BOOLEAN NOT NULL DEFAULT FALSE,
    published BOOLEAN NOT NULL DEFAULT FALSE,
    published_at TIMESTAMP,
    scheduled_at TIMESTAMP,
    company_wide BOOLEAN NOT NULL DEFAULT FALSE,
    origin_domain TEXT,
    remote_uri TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The publishing job's due ones.
CREATE INDEX announcements_scheduled_at ON announcements (scheduled_at);

-- Who closed which announcement in their client.
CREATE TABLE announcement_dismissals (
    announcement_id BIGINT NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (announcement_id, account_id)
);

-- Emoji reactions: one row per account and emoji (a unicode emoji).
CREATE TABLE announcement_reactions (
    announcement_id BIGINT NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (announcement_id, account_id, name)
);
