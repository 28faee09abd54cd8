-- Query: activity_case_counts updated with what a mining run changed (trace_changes), or counted from every trace ($everything);
-- cxmining.mining.statistics replaces the table with it.
WITH per_trace AS (  -- each changed trace's events of each activity
    SELECT sign, code, count(*) AS events
    FROM (SELECT sign, case_id, unnest(codes) AS code FROM trace_changes($everything))
    GROUP BY sign, case_id, code
),
counts AS (
    SELECT code, events, cases FROM activity_case_counts WHERE NOT $everything
    UNION ALL
    SELECT code, sum(sign * events), sum(sign) FROM per_trace GROUP BY code
)
SELECT CAST(code AS INTEGER) AS code, CAST(sum(events) AS BIGINT) AS events, CAST(sum(cases) AS BIGINT) AS cases
FROM counts
GROUP BY code
HAVING sum(events) > 0;
