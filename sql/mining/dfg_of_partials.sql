-- dfg (as sql/mining/dfg.sql defines it) merged from the buckets' counts of each time between two activities
-- ($dfg_gaps): each count streamed back as that many steps into DuckDB's own aggregates, so frequency, mean, median
-- (interpolated), min, max and sum are exactly those of one process.
CREATE OR REPLACE TABLE dfg AS
WITH arcs AS (
    SELECT
        source_id, target_id,
        count(*) AS frequency,
        avg(gap_us) AS mean_us, median(gap_us) AS median_us,
        min(gap_us) AS min_us, max(gap_us) AS max_us, sum(gap_us) AS sum_us
    FROM read_parquet($dfg_gaps) AS p, range(p.steps)  -- each counted gap as often as it was counted
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
