-- Working table of one explorer request (temporary): the journeys with a contact of failure- or value-demand cause $cause.
CREATE OR REPLACE TEMP TABLE drilled_journeys AS
SELECT DISTINCT CAST(journey_id AS VARCHAR) AS journey_id  -- journeys.journey_id
FROM contact_demand
WHERE cause = $cause;
