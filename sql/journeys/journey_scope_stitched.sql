-- Working table (temporary): every stitched event the affected journeys may hold: the affected customers' events,
-- events naming their orders, and the affected browsers' anonymous web events. The events are picked by their numbers
-- over narrow columns first, then read whole (far faster than one filter of three subqueries over the whole rows).
CREATE OR REPLACE TEMP TABLE journey_scope_stitched AS
WITH picked AS (
    SELECT s.event_no FROM stitched_events AS s
    SEMI JOIN journey_affected_customers AS c ON c.customer_id = s.stitched_customer_id
    UNION
    SELECT s.event_no FROM stitched_events AS s SEMI JOIN journey_affected_orders AS o ON o.order_id = s.order_id
    UNION
    SELECT s.event_no FROM stitched_events AS s SEMI JOIN journey_affected_visitors AS v ON v.visitor_id = s.visitor_id
    WHERE s.stitched_customer_id IS NULL AND s.source = 'web'
)
SELECT s.* FROM stitched_events AS s SEMI JOIN picked USING (event_no);
