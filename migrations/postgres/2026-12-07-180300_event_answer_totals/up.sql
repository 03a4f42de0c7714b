-- The answer totals the organiser's site reports for an event of another
-- site (in the `Update` of its `Event`): that site alone counts every
-- answer. NULL for this site's events, counted from event_attendances.
ALTER TABLE events ADD COLUMN reported_going BIGINT;
ALTER TABLE events ADD COLUMN reported_maybe BIGINT;
ALTER TABLE events ADD COLUMN reported_not_going BIGINT;
