-- The directly-follows graph of the selected journeys: paths between activities (NULL source: journey start; NULL
-- target: journey end), with frequency and the mean and median time between the two events.
WITH steps AS (
    SELECT
        e."concept:name" AS activity,
        e."time:timestamp" AS ts,
        lag(e."concept:name") OVER w AS previous_activity,
        lag(e."time:timestamp") OVER w AS previous_ts,
        lead(e."concept:name") OVER w IS NULL AS is_last
    FROM journey_events AS e
    JOIN selected_journeys AS s ON s.journey_id = e."case:concept:name"
    WINDOW w AS (PARTITION BY e."case:concept:name" ORDER BY e.event_order)
),
paths AS (
    SELECT previous_activity AS source, activity AS target, epoch(ts) - epoch(previous_ts) AS seconds FROM steps
    UNION ALL
    SELECT activity, NULL, NULL FROM steps WHERE is_last
)
SELECT
    CAST(source AS VARCHAR)          AS source,         -- NULL: the journey starts here
    CAST(target AS VARCHAR)          AS target,         -- NULL: the journey ends here
    CAST(count(*) AS BIGINT)         AS frequency,
    CAST(avg(seconds) AS DOUBLE)     AS mean_seconds,   -- NULL on start and end paths
    CAST(median(seconds) AS DOUBLE)  AS median_seconds
FROM paths
GROUP BY ALL
ORDER BY frequency DESC, source NULLS FIRST, target NULLS LAST;
