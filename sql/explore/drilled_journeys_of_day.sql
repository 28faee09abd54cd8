-- Working table of one explorer request (temporary): the journeys of orders placed on $day (UTC) that drew a
-- where-is-my-order call (a phone contact with one of $order_status_reasons): what order_status_calls_by_day counts.
CREATE OR REPLACE TEMP TABLE drilled_journeys AS
WITH placed AS (
    SELECT order_id
    FROM stitched_events
    WHERE source = 'orders'
    GROUP BY order_id
    HAVING CAST(min(ts) FILTER (WHERE status = 'placed') AS DATE) = CAST($day AS DATE)
)
SELECT DISTINCT CAST(j.journey_id AS VARCHAR) AS journey_id  -- journeys.journey_id
FROM journeys AS j
JOIN placed AS p USING (order_id)
JOIN contact_demand AS c ON c.journey_id = j.journey_id
WHERE c.channel = 'phone' AND list_contains($order_status_reasons, c.reason_code);
