-- Working table of one comparison (temporary): the durations whose medians are compared, one row per journey or call and segment.
CREATE OR REPLACE TEMP TABLE compare_durations AS
SELECT
    CAST('journeys' AS VARCHAR) AS unit,               -- what is measured
    CAST('journey duration' AS VARCHAR) AS measure,    -- first to last event within the follow-up days
    segment,                                           -- '(all)' or a value of the segment
    period,                                            -- 'before' or 'after'
    duration_seconds AS seconds                        -- the duration, seconds
FROM compare_journeys
WHERE measured
UNION ALL
SELECT 'calls', 'call handling time', segment, period, duration_s
FROM compare_calls
WHERE duration_s IS NOT NULL;
