-- Working table of one mining run on the cluster (temporary), as sql/mining/mining_variants.sql defines it, merged
-- from the buckets' counts of each case duration per variant ($variant_durations): each count streamed back as that
-- many cases into DuckDB's own aggregates, so the frequency, mean and median are exactly those of one process.
CREATE OR REPLACE TEMP TABLE mining_variants AS
WITH per_variant AS (
    SELECT
        codes,
        count(*) AS frequency,
        avg(duration_us) / 1e6 AS mean_duration_seconds,
        median(duration_us) / 1e6 AS median_duration_seconds
    FROM read_parquet($variant_durations) AS p, range(p.cases)  -- each counted duration as often as it was counted
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
