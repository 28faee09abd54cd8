-- Working table of one explorer request (temporary): the journeys with a call counted under the flagged target $target.
CREATE OR REPLACE TEMP TABLE drilled_journeys AS
SELECT DISTINCT CAST(journey_id AS VARCHAR) AS journey_id  -- journeys.journey_id
FROM contact_targets
WHERE target = $target;
