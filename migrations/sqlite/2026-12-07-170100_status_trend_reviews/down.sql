DROP TABLE status_trend_reviews;
