DROP TABLE ip_blocks;
DROP TABLE canonical_email_blocks;
DROP TABLE email_domain_blocks;
