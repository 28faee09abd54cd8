-- Where in the journey each activity usually happens: 0 = first step, 1 = last step (for drawing steps in process order).
CREATE OR REPLACE TABLE activity_positions AS
SELECT
    a.activity,                                   -- activity name
    CAST(avg(p.position) AS DOUBLE) AS mean_position -- mean relative position in its cases, 0..1
FROM (
    SELECT unnest(activity_ids) AS activity_id,
           unnest(list_transform(range(len(activity_ids)), lambda i: i / greatest(len(activity_ids) - 1, 1))) AS position
    FROM case_traces
) AS p
JOIN activity_stats AS a USING (activity_id)
GROUP BY a.activity
ORDER BY mean_position, a.activity;
