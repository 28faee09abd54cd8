-- Working table of one cluster worker (temporary, in its own in-memory database): the journey assignment of one
-- customer bucket's events, read from their Parquet files ($files), under the name the per-journey demand macros read.
CREATE OR REPLACE TEMP TABLE journey_assignment AS
SELECT journey_id, event_no, event_order
FROM read_parquet($files, hive_partitioning = false);
