-- case_variants (as sql/mining/case_variants.sql defines it) from the buckets' cases ($case_variants) and the merged
-- variants.
CREATE OR REPLACE TABLE case_variants AS
SELECT
    CAST(c.case_id AS VARCHAR) AS case_id,        -- case (journey) identifier
    v.variant_id                                  -- variants.variant_id: 1 = most frequent variant
FROM read_parquet($case_variants) AS c
JOIN mining_variants AS v USING (codes);
