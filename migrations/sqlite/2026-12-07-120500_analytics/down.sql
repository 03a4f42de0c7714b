DROP TABLE analytics_rollups;
DROP TABLE analytics_counts;
DROP TABLE analytics_account_days;
