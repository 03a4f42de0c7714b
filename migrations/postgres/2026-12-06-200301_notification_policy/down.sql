ALTER TABLE notifications DROP COLUMN filtered;
DROP TABLE notification_requests;
DROP TABLE notification_policies;
