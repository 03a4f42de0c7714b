DROP TABLE sign_in_addresses;
ALTER TABLE notifications DROP COLUMN account_warning_id;
