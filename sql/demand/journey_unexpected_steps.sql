-- Working table (temporary): activities of contacts (contact_context) in conformance-checked journeys that the designed
-- process does not have (model_diff): the steps contact_features asks about, not every such step of every journey.
CREATE OR REPLACE TEMP TABLE journey_unexpected_steps AS
SELECT DISTINCT
    CAST(j.journey_id AS VARCHAR) AS journey_id, -- journey checked against a designed model
    CAST(d.source AS VARCHAR)     AS activity    -- activity found in reality only
FROM contact_context AS c
JOIN conformance_journeys AS j ON j.journey_id = c.journey_id
JOIN model_diff AS d ON d.source = c.activity
WHERE d.kind = 'activity' AND d.in_reality AND NOT d.in_design;
