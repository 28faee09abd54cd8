-- Working table (temporary): every key that ties the events of a cluster build's journeys together, numbered:
-- customers ('c'), orders ('o'), web sessions ('s') and browsers without a customer ('v'), customers first, so the
-- smallest node of a component holding a customer is a customer. Read from journey_full_stitched and raw_orders.
CREATE OR REPLACE TEMP TABLE journey_key_nodes AS
WITH keys AS (
    SELECT 'c' AS kind, stitched_customer_id AS key FROM journey_full_stitched WHERE stitched_customer_id IS NOT NULL
    UNION SELECT 'v', visitor_id FROM journey_full_stitched
          WHERE stitched_customer_id IS NULL AND source = 'web' AND visitor_id IS NOT NULL
    UNION SELECT 'o', order_id FROM journey_full_stitched WHERE order_id IS NOT NULL
    UNION SELECT 's', session_id FROM journey_full_stitched WHERE session_id IS NOT NULL
    UNION SELECT 'c', customer_id FROM raw_orders
    UNION SELECT 'o', order_id FROM raw_orders
)
SELECT
    CAST(row_number() OVER (ORDER BY kind, key) AS BIGINT) AS node, -- 1.. in the order of kind, then key
    kind,                                                           -- c, o, s or v
    key                                                             -- the customer, order, session or browser id
FROM keys;
