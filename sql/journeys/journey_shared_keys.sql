-- Working table (temporary): the web sessions and orders more than one customer has events or rows in, with each of
-- those customers: the only keys through which journey_shared_customers.sql can widen the affected customers. Found
-- once per night (few keys are shared), so that each round of the closure reads this table, not the whole history.
CREATE OR REPLACE TEMP TABLE journey_shared_keys AS
WITH shared_sessions AS (
    SELECT session_id FROM stitched_events WHERE session_id IS NOT NULL AND stitched_customer_id IS NOT NULL
    GROUP BY session_id HAVING min(stitched_customer_id) <> max(stitched_customer_id)
),
shared_orders AS (
    SELECT order_id FROM raw_orders WHERE order_id IS NOT NULL AND customer_id IS NOT NULL
    GROUP BY order_id HAVING min(customer_id) <> max(customer_id)
)
SELECT DISTINCT 'session' AS kind, s.session_id AS key, s.stitched_customer_id AS customer_id
FROM stitched_events AS s SEMI JOIN shared_sessions USING (session_id)
WHERE s.stitched_customer_id IS NOT NULL
UNION ALL
SELECT DISTINCT 'order', o.order_id, o.customer_id
FROM raw_orders AS o SEMI JOIN shared_orders USING (order_id)
WHERE o.customer_id IS NOT NULL;
