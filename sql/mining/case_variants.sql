-- One row per case: the variant (ordered activity sequence) it follows.
CREATE OR REPLACE TABLE case_variants AS
SELECT
    t.case_id,                                    -- case (journey) identifier
    v.variant_id                                  -- variants.variant_id: 1 = most frequent variant
FROM case_traces AS t
JOIN mining_variants AS v USING (codes);
