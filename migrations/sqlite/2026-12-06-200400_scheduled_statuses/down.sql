DROP INDEX media_attachments_scheduled_status_id;
ALTER TABLE media_attachments DROP COLUMN scheduled_status_id;
DROP TABLE scheduled_statuses;
