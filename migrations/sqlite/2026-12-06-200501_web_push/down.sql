DROP TABLE push_deliveries;
DROP TABLE vapid_keys;
