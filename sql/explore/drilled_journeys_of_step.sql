-- Working table of one explorer request (temporary): the journeys with at least one event of activity $step.
CREATE OR REPLACE TEMP TABLE drilled_journeys AS
SELECT DISTINCT CAST("case:concept:name" AS VARCHAR) AS journey_id  -- journeys.journey_id
FROM journey_events
WHERE "concept:name" = $step;
