-- dfg (as sql/mining/dfg.sql defines it) merged from the buckets' counts of each time between two activities
-- ($dfg_gaps): frequency, mean (the exact sum over the count, as avg does it), median (interpolated between the
-- values at positions floor((n-1)/2) and ceil((n-1)/2), as median does it), min, max and sum.
CREATE OR REPLACE TABLE dfg AS
WITH counts AS (
    SELECT source_id, target_id, gap_us, sum(steps) AS steps
    FROM read_parquet($dfg_gaps)
    GROUP BY source_id, target_id, gap_us
),
running AS (
    SELECT
        *,
        sum(steps) OVER (PARTITION BY source_id, target_id ORDER BY gap_us ROWS UNBOUNDED PRECEDING) AS through,
        sum(steps) OVER (PARTITION BY source_id, target_id) AS total
    FROM counts
),
arcs AS (
    SELECT
        source_id, target_id,
        any_value(total) AS frequency,
        CAST(sum(CAST(gap_us AS HUGEINT) * steps) AS DOUBLE) / any_value(total) AS mean_us,
        list_median([min(gap_us) FILTER (WHERE through > (total - 1) // 2),
                     min(gap_us) FILTER (WHERE through > total // 2)]) AS median_us,
        min(gap_us) AS min_us, max(gap_us) AS max_us, sum(CAST(gap_us AS HUGEINT) * steps) AS sum_us
    FROM running
    GROUP BY source_id, target_id
)
SELECT
    CAST(s.activity AS VARCHAR) AS source,                 -- activity of the earlier event
    CAST(t.activity AS VARCHAR) AS target,                 -- activity of the event right after it in the same case
    CAST(a.frequency AS BIGINT) AS frequency,              -- times target directly follows source
    -- times are kept in whole microseconds until here, so they are exact to the microsecond
    CAST(a.mean_us AS DOUBLE) / 1e6 AS mean_seconds,       -- mean time from source event to target event, seconds
    CAST(a.median_us AS DOUBLE) / 1e6 AS median_seconds,   -- median of the same (interpolated), seconds
    CAST(a.min_us AS DOUBLE) / 1e6 AS min_seconds,         -- shortest, seconds
    CAST(a.max_us AS DOUBLE) / 1e6 AS max_seconds,         -- longest, seconds
    CAST(a.sum_us AS DOUBLE) / 1e6 AS sum_seconds          -- total, seconds
FROM arcs AS a
JOIN activity_codes AS s ON s.code = a.source_id
JOIN activity_codes AS t ON t.code = a.target_id
ORDER BY frequency DESC, source, target;
