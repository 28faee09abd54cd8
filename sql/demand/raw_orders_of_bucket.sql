-- Working table of one cluster worker (temporary, in its own in-memory database): the order lines of one customer
-- bucket's journeys, read from their Parquet files ($files), under the name the per-journey demand macros read.
CREATE OR REPLACE TEMP TABLE raw_orders AS
SELECT order_id, product_id
FROM read_parquet($files, hive_partitioning = false);
