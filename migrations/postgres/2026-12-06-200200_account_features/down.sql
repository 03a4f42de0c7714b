DROP TABLE suggestion_dismissals;
DROP TABLE account_domain_blocks;
DROP TABLE featured_tags;
DROP TABLE account_pins;
DROP TABLE account_notes;
