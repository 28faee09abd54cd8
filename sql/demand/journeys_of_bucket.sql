-- Working table of one cluster worker (temporary, in its own in-memory database): the journeys of one customer bucket,
-- read from their Parquet files ($files), under the name the per-journey demand macros read.
CREATE OR REPLACE TEMP TABLE journeys AS
SELECT journey_id, order_id, product_id
FROM read_parquet($files, hive_partitioning = false);
