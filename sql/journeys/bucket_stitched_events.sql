-- Working table of a worker's in-memory DuckDB: one bucket's stitched events, read from its Parquet files ($events,
-- a glob), as bucketed_stitched_events.sql wrote them.
CREATE OR REPLACE TEMP TABLE bucket_stitched_events AS
SELECT * EXCLUDE (bucket) FROM read_parquet($events, hive_partitioning = true);
