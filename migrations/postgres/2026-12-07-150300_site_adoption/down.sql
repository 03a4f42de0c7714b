DROP TABLE site_adoption_pulls;
DROP TABLE site_adoption_days;
