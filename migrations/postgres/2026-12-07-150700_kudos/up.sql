-- Recognitions: a post with the kudos hashtag thanks each colleague it
-- mentions. One row per (post, colleague); the post's author is the giver.
-- Written when the post is stored (here or on arrival from another site),
-- replaced when it is edited, removed with it.
CREATE TABLE kudos (
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    receiver_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    giver_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- One of `communities.kudos_badges`, named by a second hashtag; NULL for none.
    badge TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (status_id, receiver_id)
);

-- A colleague's recognitions, newest first (their kudos listing).
CREATE INDEX kudos_receiver_id ON kudos (receiver_id, status_id);

-- How many recognitions the account received: the "Kudos" profile field.
ALTER TABLE accounts ADD COLUMN kudos_count INTEGER NOT NULL DEFAULT 0;
