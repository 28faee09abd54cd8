-- Working table (temporary): activities of conformance-checked journeys that the designed process does not have (model_diff).
CREATE OR REPLACE TEMP TABLE journey_unexpected_steps AS
SELECT DISTINCT
    CAST(j.journey_id AS VARCHAR) AS journey_id, -- journey checked against a designed model
    CAST(d.source AS VARCHAR)     AS activity    -- activity found in reality only
FROM conformance_journeys AS j
CROSS JOIN model_diff AS d
WHERE d.kind = 'activity' AND d.in_reality AND NOT d.in_design;
