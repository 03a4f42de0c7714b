DROP TABLE event_attendances;
DROP TABLE events;
