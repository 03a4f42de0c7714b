ALTER TABLE notifications DROP COLUMN report_id;
DROP TABLE reports;
