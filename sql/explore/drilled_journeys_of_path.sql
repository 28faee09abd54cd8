-- Working table of one explorer request (temporary): the journeys in which activity $path_to directly follows $path_from.
CREATE OR REPLACE TEMP TABLE drilled_journeys AS
WITH steps AS (
    SELECT
        "case:concept:name" AS journey_id,
        "concept:name" AS activity,
        lead("concept:name") OVER (PARTITION BY "case:concept:name" ORDER BY event_order) AS next_activity
    FROM journey_events
)
SELECT DISTINCT CAST(journey_id AS VARCHAR) AS journey_id  -- journeys.journey_id
FROM steps
WHERE activity = $path_from AND next_activity = $path_to;
