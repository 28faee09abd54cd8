-- One row per activity: how often it happens, in how many cases, its usual lane, and the compact id the variants use.
CREATE OR REPLACE TABLE activity_stats AS
WITH top_lane AS (
    -- NULL lanes never win; equal counts are settled by lane name so the result is deterministic
    SELECT code, lane
    FROM activity_lane_counts
    WHERE lane IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY code ORDER BY events DESC, lane) = 1
)
SELECT
    CAST(row_number() OVER (ORDER BY a.events DESC, c.activity) AS INTEGER) AS activity_id, -- 1 = most frequent; ids are 1..n
    CAST(c.activity AS VARCHAR) AS activity,  -- activity name
    CAST(t.lane AS VARCHAR) AS lane,          -- lane where the activity happens most often (NULL if never set)
    CAST(a.events AS BIGINT) AS events,       -- number of events with this activity
    CAST(a.cases AS BIGINT) AS cases          -- number of cases with at least one such event
FROM activity_case_counts AS a
JOIN activity_codes AS c USING (code)
LEFT JOIN top_lane AS t USING (code)
ORDER BY activity_id;
