-- Directly-follows graph: one row per pair of activities that follow each other within a case, with the time between them
-- (from the working table dfg_arcs).
CREATE OR REPLACE TABLE dfg AS
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
FROM dfg_arcs AS a
JOIN activity_codes AS s ON s.code = a.source_id
JOIN activity_codes AS t ON t.code = a.target_id
ORDER BY frequency DESC, source, target;
