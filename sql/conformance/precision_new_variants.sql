-- Working table of one conformance run (temporary): the variants in scope whose prefixes precision_cache lacks for the model ($model_hash).
-- A variant's prefixes are stored together, so it lacks them all when it lacks its longest proper prefix.
CREATE OR REPLACE TEMP TABLE precision_new_variants AS
SELECT
    v.variant_id,  -- variants.variant_id
    v.activities   -- activities in case order
FROM conformance_variants AS v
WHERE len(v.codes) > 1
  AND NOT EXISTS (SELECT 1 FROM precision_cache AS c
                  WHERE c.model_hash = $model_hash AND c.codes = v.codes[1:len(v.codes) - 1]);
