-- Quote posts (Mastodon 4.5, FEP-044f). One row per quoting status: the
-- post it quotes (quoted_uri always; quoted_status_id once we hold it), the
-- state of the quoted author's consent, and the QuoteAuthorization that
-- proves it (ours when the quoted post is ours, theirs otherwise).
CREATE TABLE quotes (
    status_id BIGINT PRIMARY KEY REFERENCES statuses(id) ON DELETE CASCADE,
    quoted_status_id BIGINT REFERENCES statuses(id) ON DELETE SET NULL,
    quoted_uri TEXT NOT NULL,
    quoted_account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    -- pending | accepted | rejected | revoked
    state TEXT NOT NULL,
    authorization_uri TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX quotes_of_quoted ON quotes (quoted_status_id, status_id);
CREATE INDEX quotes_by_authorization ON quotes (authorization_uri);

-- Who may quote a status: public | followers | nobody. Local statuses
-- without a row may be quoted by anyone (the default policy); remote ones
-- only by their author (FEP-044f: no canQuote means no consent).
CREATE TABLE quote_policies (
    status_id BIGINT PRIMARY KEY REFERENCES statuses(id) ON DELETE CASCADE,
    policy TEXT NOT NULL
);
