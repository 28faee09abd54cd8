-- Working table of a worker's in-memory DuckDB: one bucket's order lines, read from its Parquet files ($orders, a
-- glob), as bucketed_orders.sql wrote them.
CREATE OR REPLACE TEMP TABLE bucket_orders AS
SELECT * EXCLUDE (bucket) FROM read_parquet($orders, hive_partitioning = true);
