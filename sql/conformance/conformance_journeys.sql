-- One row per journey in scope: the conformance of its variant.
CREATE OR REPLACE TABLE conformance_journeys AS
SELECT
    c.journey_id,     -- journey (case) id
    c.variant_id,     -- variants.variant_id
    v.fitness,        -- trace fitness 0..1; NULL when its variant timed out
    v.is_fitting,     -- fitness = 1
    v.cost,           -- deviating moves (alignments) or missing + remaining tokens (token replay)
    v.timed_out       -- its variant hit the alignment time limit
FROM conformance_cases AS c
JOIN variant_conformance AS v USING (variant_id)
ORDER BY c.journey_id;
