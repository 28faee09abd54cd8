-- One row per activity: how often it happens, in how many cases, its usual lane, and the compact id the traces use.
CREATE OR REPLACE TABLE activity_stats AS
WITH per_lane AS (
    SELECT "concept:name" AS activity, lane, count(*) AS lane_events
    FROM mining_events
    WHERE "concept:name" IS NOT NULL
    GROUP BY "concept:name", lane
),
top_lane AS (
    -- NULL lanes never win; equal counts are settled by lane name so the result is deterministic
    SELECT activity, lane
    FROM per_lane
    WHERE lane IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY activity ORDER BY lane_events DESC, lane) = 1
),
per_activity AS (
    SELECT
        "concept:name" AS activity,
        count(*) AS events,
        count(DISTINCT "case:concept:name") AS cases
    FROM mining_events
    WHERE "concept:name" IS NOT NULL
    GROUP BY "concept:name"
)
SELECT
    CAST(row_number() OVER (ORDER BY a.events DESC, a.activity) AS INTEGER) AS activity_id, -- 1 = most frequent; ids are 1..n
    CAST(a.activity AS VARCHAR) AS activity,  -- activity name
    CAST(t.lane AS VARCHAR) AS lane,          -- lane where the activity happens most often (NULL if never set)
    CAST(a.events AS BIGINT) AS events,       -- number of events with this activity
    CAST(a.cases AS BIGINT) AS cases          -- number of cases with at least one such event
FROM per_activity AS a
LEFT JOIN top_lane AS t USING (activity)
ORDER BY activity_id;
