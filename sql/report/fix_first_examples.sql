-- Example journeys behind each flagged target of "What to fix first": the $per_target journeys with the latest calls
-- counted under it, at most $max_events of their events in order, ending a few steps after the first call counted
-- (so it is always shown), the calls counted under the target marked. No ids that name a customer: journeys are
-- numbered in the report.
WITH picked AS (
    SELECT target, journey_id, first_counted,
           row_number() OVER (PARTITION BY target ORDER BY last_call DESC, journey_id) AS example
    FROM (SELECT t.target, t.journey_id, max(t.ts) AS last_call, min(e.event_order) AS first_counted
          FROM contact_targets AS t
          JOIN journey_events AS e ON e.event_id = t.contact_id AND e."case:concept:name" = t.journey_id
          GROUP BY t.target, t.journey_id)
    QUALIFY example <= $per_target
)
SELECT p.target, p.example, j.journey_type, j.events AS journey_events, e.event_order,
       e."concept:name" AS activity, e.channel, e."time:timestamp" AS ts, c.contact_id IS NOT NULL AS counted
FROM picked AS p
JOIN journeys AS j ON j.journey_id = p.journey_id
JOIN journey_events AS e
  ON e."case:concept:name" = p.journey_id
 AND e.event_order BETWEEN greatest(p.first_counted - $max_events + 6, 1) AND greatest(p.first_counted + 5, $max_events)
LEFT JOIN contact_targets AS c ON c.contact_id = e.event_id AND c.target = p.target
ORDER BY p.target, p.example, e.event_order;
