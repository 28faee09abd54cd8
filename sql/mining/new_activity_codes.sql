-- Query: the activities of mining_events without a code yet, with the next codes (in name order), for activity_codes.
SELECT activity, CAST((SELECT coalesce(max(code), 0) FROM activity_codes) + row_number() OVER (ORDER BY activity) AS INTEGER)
FROM (SELECT DISTINCT "concept:name" AS activity FROM mining_events)
WHERE activity NOT IN (SELECT activity FROM activity_codes);
