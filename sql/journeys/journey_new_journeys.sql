-- Working table (temporary): the rebuilt journeys' rows as they are now, from their events (journeys_of.sql over
-- journey_new_assignment; journey_scope_stitched holds every event they name, as stitched_events does).
CREATE OR REPLACE TEMP TABLE journey_new_journeys AS
FROM journeys_of('journey_new_assignment', 'journey_scope_stitched');
