-- Where in the journey each activity usually happens: 0 = first step, 1 = last step (for drawing steps in process order).
CREATE OR REPLACE TABLE activity_positions AS
SELECT
    c.activity,                                   -- activity name
    CAST(avg(p.position) AS DOUBLE) AS mean_position -- mean relative position in its cases, 0..1
FROM (
    SELECT unnest(codes) AS code,
           unnest(list_transform(range(len(codes)), lambda i: i / greatest(len(codes) - 1, 1))) AS position
    FROM case_traces
) AS p
JOIN activity_codes AS c USING (code)
GROUP BY c.activity
ORDER BY mean_position, c.activity;
