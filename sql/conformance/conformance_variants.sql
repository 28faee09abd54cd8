-- Working table of one conformance run (temporary): the distinct variants in scope, each replayed once and weighted by its journeys.
CREATE OR REPLACE TEMP TABLE conformance_variants AS
WITH counted AS (
    SELECT variant_id, count(*) AS frequency, avg(duration_seconds) AS mean_duration_seconds
    FROM conformance_cases
    GROUP BY variant_id
)
SELECT
    CAST(v.variant_id AS BIGINT)               AS variant_id,            -- variants.variant_id
    CAST(v.activities AS VARCHAR[])            AS activities,            -- activities in case order
    CAST(v.activity_ids AS INTEGER[])          AS activity_ids,          -- the same as activity_stats.activity_id (variants.activity_ids)
    CAST(c.frequency AS BIGINT)                AS frequency,             -- journeys in scope following it
    CAST(c.mean_duration_seconds AS DOUBLE)    AS mean_duration_seconds  -- their mean duration, seconds
FROM counted AS c
JOIN variants AS v USING (variant_id);
