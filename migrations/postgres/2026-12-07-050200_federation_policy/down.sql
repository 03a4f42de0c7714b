DROP TABLE federation_policy_version;
DROP TABLE federation_domain_allows;
DROP TABLE federation_domain_blocks;
