-- A moderator's decision on a status as a trend: `trendable` says whether
-- it may trend. No row: never reviewed.
CREATE TABLE status_trend_reviews (
    status_id BIGINT PRIMARY KEY REFERENCES statuses(id) ON DELETE CASCADE,
    trendable BOOLEAN NOT NULL,
    reviewed_at TIMESTAMP NOT NULL
);
