-- Query: the stitched events of the journeys, with their journey's customer bucket (demand_buckets), for the Parquet
-- partitions a cluster worker makes the per-journey demand tables from: only the columns the macros read (no customer,
-- visitor or stitching columns); an event outside every journey is read by none of them.
SELECT
    e.event_no, e.event_id, e.ts, e.activity, e.source, e.channel, e.event_type, e.page, e.product_id, e.order_id,
    e.session_id, e.reason_code, e.outcome, e.ivr_path, e.queue, e.duration_s, e.status,
    b.bucket
FROM stitched_events AS e
JOIN journey_assignment AS a USING (event_no)
JOIN demand_buckets AS b ON b.journey_id = a.journey_id;
