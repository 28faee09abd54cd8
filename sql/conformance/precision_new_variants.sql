-- Working table of one conformance run (temporary): the variants in scope whose prefixes precision_cache lacks for the model.
-- A variant's prefixes are stored together, so it lacks them all when it lacks its longest proper prefix (not cached in precision_matched).
CREATE OR REPLACE TEMP TABLE precision_new_variants AS
SELECT
    v.variant_id,  -- variants.variant_id
    v.activities   -- activities in case order
FROM conformance_variants AS v
SEMI JOIN (SELECT prefix_codes FROM precision_matched WHERE fits IS NULL) AS m
  ON m.prefix_codes = v.codes[1:len(v.codes) - 1]
WHERE len(v.codes) > 1;
