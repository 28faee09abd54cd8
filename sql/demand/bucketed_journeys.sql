-- Query: the journeys with their customer bucket (demand_buckets), for the Parquet partitions a cluster worker makes
-- the per-journey demand tables from: the columns the macros read (journey_products_of.sql, every macro's scope).
SELECT
    j.journey_id,
    j.order_id,   -- joined to the order's lines
    j.product_id, -- the order's first line
    b.bucket
FROM journeys AS j
JOIN demand_buckets AS b USING (journey_id);
