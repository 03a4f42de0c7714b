-- Web Push (RFC 8030, 8291, 8292). The server's VAPID key pair: one row
-- (id = 1), made by whichever process starts first; the others insert
-- nothing and read that row, so every process signs with the same key.
CREATE TABLE vapid_keys (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- PKCS#8 DER of the P-256 private key, base64.
    private_key TEXT NOT NULL,
    -- Uncompressed P-256 point, base64url without padding: what clients
    -- receive as vapid_key / server_key.
    public_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- One row per (notification, subscription) to push: the durable queue, with
-- a lease (locked_until) and backoff (next_attempt_at) like delivery_jobs.
-- A push is worthless after its TTL, so it expires rather than failing.
CREATE TABLE push_deliveries (
    id BIGINT PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    notification_id BIGINT NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    expires_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX push_deliveries_due ON push_deliveries (next_attempt_at);
CREATE INDEX push_deliveries_subscription ON push_deliveries (subscription_id);
CREATE INDEX push_deliveries_notification ON push_deliveries (notification_id);
