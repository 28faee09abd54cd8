-- Query: journey_assignment with each journey's customer bucket (demand_buckets), for the Parquet partitions a cluster
-- worker makes the per-journey demand tables from: only the columns the macros read.
SELECT
    a.journey_id,
    a.event_no,    -- stitched_events.event_no
    a.event_order, -- the event's place in its journey
    b.bucket
FROM journey_assignment AS a
JOIN demand_buckets AS b USING (journey_id);
