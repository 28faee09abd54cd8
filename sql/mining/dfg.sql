-- Directly-follows graph: one row per pair of activities that follow each other within a case, with the time between them.
CREATE OR REPLACE TABLE dfg AS
WITH positions AS (
    SELECT codes, times_us, unnest(range(1, len(codes))) AS i
    FROM case_traces
),
steps AS (
    SELECT codes[i] AS source_id, codes[i + 1] AS target_id, times_us[i + 1] - times_us[i] AS gap_us
    FROM positions
),
arcs AS (
    SELECT
        source_id, target_id,
        count(*) AS frequency,
        avg(gap_us) AS mean_us, median(gap_us) AS median_us,
        min(gap_us) AS min_us, max(gap_us) AS max_us, sum(gap_us) AS sum_us
    FROM steps
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
