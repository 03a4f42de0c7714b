-- HQ's company-wide adoption table (docs/analytics.md): the aggregate
-- counts this site pulled from each site it follows. Only counts, never
-- people: each site keeps its personal data in its own reports.

-- Each site's figures per day ('YYYY-MM-DD', UTC), as that site published them.
CREATE TABLE site_adoption_days (
    domain TEXT NOT NULL,
    day TEXT NOT NULL,
    active BIGINT NOT NULL,
    engaged BIGINT NOT NULL,
    new_users BIGINT NOT NULL,
    statuses BIGINT NOT NULL,
    interactions BIGINT NOT NULL,
    PRIMARY KEY (domain, day)
);

-- The last pull of each site: when it was tried, when it last worked, the
-- figures over ranges that published day ended (JSON: distinct counts over
-- several days cannot be summed from the days), and why the last try
-- failed (NULL when it worked).
CREATE TABLE site_adoption_pulls (
    domain TEXT NOT NULL PRIMARY KEY,
    attempted_at TIMESTAMP NOT NULL,
    pulled_at TIMESTAMP,
    summary TEXT,
    error TEXT
);
