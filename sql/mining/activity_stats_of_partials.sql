-- activity_stats (as sql/mining/activity_stats.sql defines it) merged from the buckets' partials ($activities,
-- $activity_lanes: Parquet files) by the cluster's coordinator.
CREATE OR REPLACE TABLE activity_stats AS
WITH per_lane AS (
    SELECT code, lane, sum(events) AS lane_events FROM read_parquet($activity_lanes) GROUP BY code, lane
),
top_lane AS (
    -- NULL lanes never win; equal counts are settled by lane name so the result is deterministic
    SELECT code, lane
    FROM per_lane
    WHERE lane IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY code ORDER BY lane_events DESC, lane) = 1
),
per_activity AS (
    SELECT code, sum(events) AS events, sum(cases) AS cases FROM read_parquet($activities) GROUP BY code
)
SELECT
    CAST(row_number() OVER (ORDER BY a.events DESC, c.activity) AS INTEGER) AS activity_id, -- 1 = most frequent; ids are 1..n
    CAST(c.activity AS VARCHAR) AS activity,  -- activity name
    CAST(t.lane AS VARCHAR) AS lane,          -- lane where the activity happens most often (NULL if never set)
    CAST(a.events AS BIGINT) AS events,       -- number of events with this activity
    CAST(a.cases AS BIGINT) AS cases          -- number of cases with at least one such event
FROM per_activity AS a
JOIN activity_codes AS c USING (code)
LEFT JOIN top_lane AS t USING (code)
ORDER BY activity_id;
