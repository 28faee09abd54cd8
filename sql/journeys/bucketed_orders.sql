-- Query: the order lines a cluster build's journeys are anchored on (raw_orders, the columns the journey rules read),
-- each in the bucket of its order's component (as bucketed_stitched_events.sql), modulo $buckets.
SELECT
    o.order_id, o.customer_id, o.product_id, o.status, o.ts,
    CAST(md5_number_upper(k.key) % $buckets AS INTEGER) AS bucket -- 0 .. $buckets - 1
FROM raw_orders AS o
JOIN journey_key_nodes AS n ON n.kind = 'o' AND n.key = o.order_id
JOIN journey_components AS c ON c.node = n.node
JOIN journey_key_nodes AS k ON k.node = c.root;
