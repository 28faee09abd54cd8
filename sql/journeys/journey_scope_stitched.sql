-- Working table (temporary): every stitched event the affected journeys may hold: the affected customers' events,
-- events naming their orders, and the affected browsers' anonymous web events.
CREATE OR REPLACE TEMP TABLE journey_scope_stitched AS
SELECT * FROM stitched_events
WHERE stitched_customer_id IN (SELECT customer_id FROM journey_affected_customers)
   OR order_id IN (SELECT order_id FROM raw_orders WHERE customer_id IN (SELECT customer_id FROM journey_affected_customers))
   OR (stitched_customer_id IS NULL AND source = 'web'
       AND visitor_id IN (SELECT visitor_id FROM journey_affected_visitors));
