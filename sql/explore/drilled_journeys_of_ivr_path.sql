-- Working table of one explorer request (temporary): the journeys with a call routed through the IVR path $ivr_path.
CREATE OR REPLACE TEMP TABLE drilled_journeys AS
SELECT DISTINCT CAST("case:concept:name" AS VARCHAR) AS journey_id  -- journeys.journey_id
FROM journey_events
WHERE ivr_path = $ivr_path;
