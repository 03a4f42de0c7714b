DROP TABLE campaign_ideas;
DROP TABLE campaigns;
