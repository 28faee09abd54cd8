-- Query: the order lines (order and product, nothing else of raw_orders) of each bucket's journeys (demand_buckets),
-- once per bucket, for the Parquet partitions a cluster worker makes the per-journey demand tables from; the lines of
-- an order two journeys name go to each one's bucket. journey_products_of.sql reads them as distinct lines.
SELECT DISTINCT
    o.order_id,
    o.product_id,
    b.bucket
FROM journeys AS j
JOIN demand_buckets AS b USING (journey_id)
JOIN raw_orders AS o ON o.order_id = j.order_id;
