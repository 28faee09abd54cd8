-- activity_positions (as sql/mining/activity_positions.sql defines it) merged from the buckets' partials
-- ($activities): the sum of positions over the events. A sum of fractions, so it may differ from the one-process
-- mean in the last digits (either depends on the order DuckDB adds the terms in).
CREATE OR REPLACE TABLE activity_positions AS
SELECT
    c.activity,                                                   -- activity name
    CAST(sum(p.position_sum) / sum(p.events) AS DOUBLE) AS mean_position -- mean relative position in its cases, 0..1
FROM read_parquet($activities) AS p
JOIN activity_codes AS c USING (code)
GROUP BY c.activity
ORDER BY mean_position, c.activity;
