-- Working table (temporary): the order rows the affected journeys are anchored on: every order of the affected
-- customers and every order an event in scope names.
CREATE OR REPLACE TEMP TABLE journey_scope_anchors AS
SELECT * FROM raw_orders
WHERE customer_id IN (SELECT customer_id FROM journey_affected_customers)
   OR order_id IN (SELECT order_id FROM journey_scope_stitched WHERE order_id IS NOT NULL);
