-- Events: a status with a name, a time span and a place or link. Times are
-- UTC; `timezone` is the IANA zone the organiser gave, used to show local
-- times in the status text. Remote events keep the data their site sent.
CREATE TABLE events (
    status_id BIGINT PRIMARY KEY REFERENCES statuses(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    timezone TEXT,
    location TEXT,
    url TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX events_by_end ON events (ends_at);

-- One answer per person and event: going | maybe | not_going. Answers from
-- other sites are kept on the event's own site, where they are counted.
CREATE TABLE event_attendances (
    status_id BIGINT NOT NULL REFERENCES events(status_id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    answer TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (status_id, account_id)
);
CREATE INDEX event_attendances_by_account ON event_attendances (account_id);
