ALTER TABLE notifications DROP COLUMN account_warning_id;
