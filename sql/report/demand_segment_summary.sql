-- Per declared segment: its values among the contacting customers, the customers whose value is unknown, and how many
-- comparisons were tested and flagged.
SELECT
    segment,
    count(DISTINCT value)                  AS values_known,
    max(units) FILTER (WHERE measure = 'failure demand') AS largest_value_customers,
    sum(units) FILTER (WHERE measure = 'failure demand') AS known_customers,
    max(unknown_customers)                 AS unknown_customers,
    count(q_value)                         AS tested,
    count(*) FILTER (WHERE flagged)        AS flagged
FROM failure_demand_segments
GROUP BY segment
ORDER BY segment;
