-- Query: customers not yet affected who share a web session or an order with an affected customer's events (their
-- journeys are built from the same session's or order's rules): the closure of journey_affected_customers.
WITH affected_events AS (
    SELECT session_id, order_id FROM stitched_events
    WHERE stitched_customer_id IN (SELECT customer_id FROM journey_affected_customers)
)
SELECT DISTINCT s.stitched_customer_id AS customer_id
FROM stitched_events AS s
WHERE s.stitched_customer_id IS NOT NULL
  AND s.stitched_customer_id NOT IN (SELECT customer_id FROM journey_affected_customers)
  AND (s.session_id IN (SELECT session_id FROM affected_events WHERE session_id IS NOT NULL))
UNION
SELECT DISTINCT o.customer_id
FROM raw_orders AS o
WHERE o.customer_id NOT IN (SELECT customer_id FROM journey_affected_customers)
  AND o.order_id IN (SELECT order_id FROM raw_orders WHERE customer_id IN (SELECT customer_id FROM journey_affected_customers));
