-- Working table (temporary): the affected journeys' events, assigned again by the journey rules over the events and
-- orders in scope (journey_assignment_of.sql); only the journeys the affected customers and browsers own are kept.
-- Parameters: $lookback_days, $quiet_days.
CREATE OR REPLACE TEMP TABLE journey_new_assignment AS
SELECT *
FROM journey_assignment_of('journey_scope_stitched', 'journey_scope_anchors', $lookback_days, $quiet_days)
WHERE journey_owned(journey_id);
