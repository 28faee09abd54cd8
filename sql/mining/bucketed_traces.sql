-- Query: case_traces with each case's bucket, for the Parquet partitions the cluster's workers read: a stable hash
-- (MD5) of the journey's customer, else of the case id (journeys without a customer), modulo $buckets.
SELECT
    t.case_id,                                                      -- case (journey) identifier
    t.codes,                                                        -- activity_codes.code per event
    t.times_us,                                                     -- event times, µs since 1970 UTC
    t.lanes,                                                        -- the lane of each event
    CAST(md5_number_upper(coalesce(j.customer_id, t.case_id)) % $buckets AS INTEGER) AS bucket -- 0 .. $buckets - 1
FROM case_traces AS t
LEFT JOIN journeys AS j ON j.journey_id = t.case_id;
