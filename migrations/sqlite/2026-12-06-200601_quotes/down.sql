DROP TABLE quote_policies;
DROP TABLE quotes;
