-- Working table of one conformance run (temporary): every proper prefix of the variants in scope, as pm4py's ETConformance precision counts them.
CREATE OR REPLACE TEMP TABLE precision_prefixes AS
WITH steps AS (
    SELECT activities, frequency, unnest(generate_series(1, len(activities) - 1)) AS i
    FROM conformance_variants
    WHERE len(activities) > 1
)
SELECT
    CAST(activities[1:i] AS VARCHAR[])                                 AS prefix,          -- the first i activities of a variant
    CAST(sum(frequency) AS BIGINT)                                     AS journeys,        -- journeys going on after this prefix
    CAST(list_sort(list_distinct(list(activities[i + 1]))) AS VARCHAR[]) AS next_activities -- activities that follow it in the log
FROM steps
GROUP BY activities[1:i];
