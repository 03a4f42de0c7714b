DROP INDEX statuses_reblog_of_id_account_id;
CREATE INDEX statuses_reblog_of_id_account_id ON statuses (reblog_of_id, account_id);
