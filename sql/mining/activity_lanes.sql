-- One row per activity and lane: where each step meets the customer (a step such as 'Order placed' can be delivered by several lanes).
CREATE OR REPLACE TABLE activity_lanes AS
SELECT
    CAST(c.activity AS VARCHAR)  AS activity, -- activity name
    CAST(n.lane AS VARCHAR)      AS lane,     -- part of the organisation (NULL if the log has none)
    CAST(n.events AS BIGINT)     AS events,   -- events of this activity in this lane
    CAST(n.cases AS BIGINT)      AS cases     -- cases with at least one of them
FROM activity_lane_counts AS n
JOIN activity_codes AS c USING (code)
ORDER BY activity, events DESC, lane;
