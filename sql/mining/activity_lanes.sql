-- One row per activity and lane: where each step meets the customer (a step such as 'Order placed' can be delivered by several lanes).
CREATE OR REPLACE TABLE activity_lanes AS
WITH events AS (
    SELECT case_id, unnest(codes) AS code, unnest(lanes) AS lane FROM case_traces
)
SELECT
    CAST(c.activity AS VARCHAR)                  AS activity, -- activity name
    CAST(e.lane AS VARCHAR)                      AS lane,     -- part of the organisation (NULL if the log has none)
    CAST(count(*) AS BIGINT)                     AS events,   -- events of this activity in this lane
    CAST(count(DISTINCT e.case_id) AS BIGINT)    AS cases     -- cases with at least one of them
FROM events AS e
JOIN activity_codes AS c USING (code)
GROUP BY c.activity, e.lane
ORDER BY activity, events DESC, lane;
