-- Query: one bucket's part of the dfg: per pair of directly-following activity codes and time between them, how
-- many steps. Counts of each distinct value merge exactly into frequency, mean, median, min, max and sum.
WITH positions AS (
    SELECT codes, times_us, unnest(range(1, len(codes))) AS i
    FROM bucket_traces
)
SELECT
    codes[i] AS source_id,                                       -- activity_codes.code of the earlier event
    codes[i + 1] AS target_id,                                   -- activity_codes.code of the event right after it
    CAST(times_us[i + 1] - times_us[i] AS BIGINT) AS gap_us,     -- time between them, µs
    CAST(count(*) AS BIGINT) AS steps                            -- steps with that pair and that time
FROM positions
GROUP BY ALL;
