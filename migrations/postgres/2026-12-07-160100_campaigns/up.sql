-- Idea campaigns: staff post ideas with the campaign's hashtag before its
-- deadline; favourites of an idea are its votes; moderators move each idea
-- through its states. Which posts are ideas is decided where posts are
-- stored (`tertulia_domain::campaigns`).
CREATE TABLE campaigns (
    id BIGINT PRIMARY KEY,
    -- Lower-case, without '#', as stored tags are.
    tag TEXT NOT NULL,
    question TEXT NOT NULL,
    -- Posts written (or arriving dated) from this moment on are not ideas.
    deadline TIMESTAMP NOT NULL,
    -- NULL: opened from the command line, or by an account since deleted.
    created_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);

-- The campaigns a new post with a hashtag joins.
CREATE INDEX campaigns_tag ON campaigns (tag, deadline);

CREATE TABLE campaign_ideas (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    -- new | under_review | accepted | done | declined
    state TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (campaign_id, status_id)
);
