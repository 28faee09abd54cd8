-- Working table of one conformance run (temporary): the distinct variants in scope, each replayed once and weighted by its journeys.
CREATE OR REPLACE TEMP TABLE conformance_variants AS
SELECT
    CAST(v.variant_id AS BIGINT)             AS variant_id,            -- variants.variant_id
    CAST(v.activities AS VARCHAR[])          AS activities,            -- activities in case order
    CAST(count(*) AS BIGINT)                 AS frequency,             -- journeys in scope following it
    CAST(avg(c.duration_seconds) AS DOUBLE)  AS mean_duration_seconds  -- their mean duration, seconds
FROM conformance_cases AS c
JOIN variants AS v USING (variant_id)
GROUP BY v.variant_id, v.activities;
