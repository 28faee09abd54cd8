-- The same for the journeys' events (an imported log has no `events`).
SELECT count(*), min("time:timestamp"), max("time:timestamp") FROM journey_events;
