-- When a moderator last approved or rejected the hashtag as a trend
-- (`trendable` then says which); NULL: never reviewed.
ALTER TABLE tags ADD COLUMN reviewed_at TIMESTAMP;
