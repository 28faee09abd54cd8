-- Working table (temporary): the customers whose journeys the night's changes touch: the old and new customer of every
-- changed event, the customers of the orders with new rows or named by a changed event, and the customers of events
-- naming those orders (an order new tonight draws them in). Widened by the caller to the customers sharing a web
-- session or an order with them.
CREATE OR REPLACE TEMP TABLE journey_affected_customers AS
SELECT old_customer_id AS customer_id FROM journey_stitch_changes WHERE old_customer_id IS NOT NULL
UNION
SELECT new_customer_id FROM journey_stitch_changes WHERE new_customer_id IS NOT NULL
UNION
SELECT customer_id FROM raw_orders
WHERE order_id IN (SELECT order_id FROM journey_scope_orders UNION SELECT order_id FROM journey_stitch_changes)
UNION
SELECT stitched_customer_id FROM stitched_events
WHERE order_id IN (SELECT order_id FROM journey_scope_orders) AND stitched_customer_id IS NOT NULL;
