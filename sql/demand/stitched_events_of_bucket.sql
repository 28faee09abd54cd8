-- Working table of one cluster worker (temporary, in its own in-memory database): the events of one customer bucket's
-- journeys, read from their Parquet files ($files), under the name the per-journey demand macros read.
CREATE OR REPLACE TEMP TABLE stitched_events AS
SELECT event_no, event_id, ts, activity, source, channel, event_type, page, product_id, order_id, session_id,
       reason_code, outcome, ivr_path, queue, duration_s, status
FROM read_parquet($files, hive_partitioning = false);
