-- Query: activity_lane_counts updated with what a mining run changed (trace_changes), or counted from every trace ($everything);
-- cxmining.mining.statistics replaces the table with it.
WITH per_trace AS (  -- each changed trace's events of each activity in each lane
    SELECT sign, code, lane, count(*) AS events
    FROM (SELECT sign, case_id, unnest(codes) AS code, unnest(lanes) AS lane FROM trace_changes($everything))
    GROUP BY sign, case_id, code, lane
),
counts AS (
    SELECT code, lane, events, cases FROM activity_lane_counts WHERE NOT $everything
    UNION ALL
    SELECT code, lane, sum(sign * events), sum(sign) FROM per_trace GROUP BY code, lane
)
SELECT CAST(code AS INTEGER) AS code, CAST(lane AS VARCHAR) AS lane, CAST(sum(events) AS BIGINT) AS events,
       CAST(sum(cases) AS BIGINT) AS cases
FROM counts
GROUP BY code, lane
HAVING sum(events) > 0;
