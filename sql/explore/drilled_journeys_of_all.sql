-- Working table of one explorer request (temporary): no drill-down, every journey.
CREATE OR REPLACE TEMP TABLE drilled_journeys AS
SELECT CAST(journey_id AS VARCHAR) AS journey_id  -- journeys.journey_id
FROM journeys;
