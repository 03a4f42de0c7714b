-- Reports: an account (a person here, or another site's actor for a
-- report that site forwarded as a `Flag`) asks this site's moderators to
-- look at an account and some of its statuses (Mastodon's Report).
CREATE TABLE reports (
    id BIGINT PRIMARY KEY,
    -- Who filed it.
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- spam | legal | violation | other
    category TEXT NOT NULL,
    comment TEXT NOT NULL,
    -- Sent on to the target's site as a `Flag`.
    forwarded BOOLEAN NOT NULL,
    -- JSON arrays of ids: the statuses named and the rules broken. Kept as
    -- named when filed, even if a status is deleted later.
    status_ids TEXT NOT NULL,
    rule_ids TEXT NOT NULL,
    assigned_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    -- Set while resolved.
    action_taken_at TIMESTAMP,
    action_taken_by_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX reports_target_account_id ON reports (target_account_id);
CREATE INDEX reports_account_id ON reports (account_id);

-- An `admin.report` notification names its report.
ALTER TABLE notifications ADD COLUMN report_id BIGINT REFERENCES reports (id) ON DELETE CASCADE;
