-- Working table of one conformance run (temporary): every proper prefix of the variants in scope, as pm4py's ETConformance precision counts them.
-- Prefixes are lists of the run's activity ids (variants.activity_ids): grouping and joining integer lists is what keeps this cheap.
CREATE OR REPLACE TEMP TABLE precision_prefixes AS
WITH steps AS (
    SELECT activity_ids, frequency, unnest(generate_series(1, len(activity_ids) - 1)) AS i
    FROM conformance_variants
    WHERE len(activity_ids) > 1
)
SELECT
    CAST(activity_ids[1:i] AS INTEGER[])                          AS prefix_ids, -- the first i activities of a variant (activity_stats.activity_id)
    CAST(sum(frequency) AS BIGINT)                                AS journeys,   -- journeys going on after this prefix
    CAST(list_distinct(list(activity_ids[i + 1])) AS INTEGER[])   AS next_ids    -- activities that follow it in the log (ids)
FROM steps
GROUP BY activity_ids[1:i];
