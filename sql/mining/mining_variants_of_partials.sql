-- Working table of one mining run on the cluster (temporary), as sql/mining/mining_variants.sql defines it, merged
-- from the buckets' counts of each case duration per variant ($variant_durations): the frequency, the mean (as avg
-- does it: the exact sum over the count) and the median (as median interpolates it: between the values at positions
-- floor((n-1)/2) and ceil((n-1)/2) of the sorted durations).
CREATE OR REPLACE TEMP TABLE mining_variants AS
WITH counts AS (
    SELECT codes, duration_us, sum(cases) AS cases FROM read_parquet($variant_durations) GROUP BY codes, duration_us
),
running AS (
    SELECT
        *,
        sum(cases) OVER (PARTITION BY codes ORDER BY duration_us ROWS UNBOUNDED PRECEDING) AS through,
        sum(cases) OVER (PARTITION BY codes) AS total
    FROM counts
),
per_variant AS (
    SELECT
        codes,
        CAST(any_value(total) AS BIGINT) AS frequency,
        CAST(sum(CAST(duration_us AS HUGEINT) * cases) AS DOUBLE) / any_value(total) / 1e6 AS mean_duration_seconds,
        list_median([min(duration_us) FILTER (WHERE through > (total - 1) // 2),
                     min(duration_us) FILTER (WHERE through > total // 2)]) / 1e6 AS median_duration_seconds
    FROM running
    GROUP BY codes
),
names AS (
    SELECT list(activity ORDER BY code) AS names FROM activity_codes
),
ids AS (  -- activity_stats.activity_id by code (a code no case holds any more has none)
    SELECT list(s.activity_id ORDER BY c.code) AS ids FROM activity_codes AS c LEFT JOIN activity_stats AS s USING (activity)
),
named AS (
    SELECT p.*, list_transform(p.codes, lambda i: n.names[i]) AS activities,
           list_transform(p.codes, lambda i: d.ids[i]) AS activity_ids
    FROM per_variant AS p, names AS n, ids AS d
)
SELECT
    *,
    CAST(row_number() OVER (ORDER BY frequency DESC, array_to_string(activities, ',')) AS BIGINT) AS variant_id
FROM named;
