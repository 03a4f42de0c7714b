-- Adoption analytics (docs/analytics.md): daily roll-ups that the admin
-- measures, dimensions, retention and adoption tables read, so no request
-- scans statuses or favourites. Days are 'YYYY-MM-DD' in UTC.

-- One row per local account and day it was active: written when a token of
-- its is first used that day (at most once per token and day), and by the
-- roll-up for sign-ins and for the engaged (posted, replied, boosted or
-- favourited) accounts, which count as active too.
CREATE TABLE analytics_account_days (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    engaged BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (account_id, day)
);
CREATE INDEX analytics_account_days_day ON analytics_account_days (day, account_id);

-- The roll-up's counters per day: `metric` names what is counted, `subject`
-- what it is counted for (a tag id, a domain, a language; '' for the whole
-- site) and `detail` a second key where one is needed (the account or
-- domain behind a tag's use, so distinct counts over several days stay exact).
CREATE TABLE analytics_counts (
    metric TEXT NOT NULL,
    subject TEXT NOT NULL,
    day TEXT NOT NULL,
    detail TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (metric, subject, day, detail)
);
CREATE INDEX analytics_counts_day ON analytics_counts (day);

-- Days the roll-up has counted; a day is counted again until it is over.
CREATE TABLE analytics_rollups (
    day TEXT NOT NULL PRIMARY KEY,
    complete BOOLEAN NOT NULL,
    rolled_up_at TIMESTAMP NOT NULL
);
