-- One row per activity and lane: where each step meets the customer (a step such as 'Order placed' can be delivered by several lanes).
CREATE OR REPLACE TABLE activity_lanes AS
SELECT
    CAST("concept:name" AS VARCHAR)             AS activity, -- activity name
    CAST(lane AS VARCHAR)                        AS lane,     -- part of the organisation (NULL if the log has none)
    CAST(count(*) AS BIGINT)                     AS events,   -- events of this activity in this lane
    CAST(count(DISTINCT "case:concept:name") AS BIGINT) AS cases -- cases with at least one of them
FROM mining_events
WHERE "concept:name" IS NOT NULL
GROUP BY ALL
ORDER BY activity, events DESC, lane;
