-- Working table of one explorer request (temporary): the journeys following variant $variant.
CREATE OR REPLACE TEMP TABLE drilled_journeys AS
SELECT CAST(case_id AS VARCHAR) AS journey_id  -- journeys.journey_id
FROM case_variants
WHERE variant_id = CAST($variant AS BIGINT);
