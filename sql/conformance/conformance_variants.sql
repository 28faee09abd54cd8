-- Working table of one conformance run (temporary): the distinct variants in scope, each replayed once and weighted by its journeys.
CREATE OR REPLACE TEMP TABLE conformance_variants AS
WITH counted AS (
    SELECT variant_id, count(*) AS frequency, avg(duration_seconds) AS mean_duration_seconds
    FROM conformance_cases
    GROUP BY variant_id
),
codes AS (  -- activity_codes.code by activity_stats.activity_id (ids are 1..n)
    SELECT list(c.code ORDER BY s.activity_id) AS code_of FROM activity_stats AS s JOIN activity_codes AS c USING (activity)
)
SELECT
    CAST(v.variant_id AS BIGINT)                                            AS variant_id,            -- variants.variant_id
    CAST(v.activities AS VARCHAR[])                                         AS activities,            -- activities in case order
    CAST(list_transform(v.activity_ids, lambda i: k.code_of[i]) AS INTEGER[]) AS codes,               -- the same as activity_codes.code
    CAST(c.frequency AS BIGINT)                                             AS frequency,             -- journeys in scope following it
    CAST(c.mean_duration_seconds AS DOUBLE)                                 AS mean_duration_seconds  -- their mean duration, seconds
FROM counted AS c
JOIN variants AS v USING (variant_id), codes AS k;
