-- Query: case_traces with each case's bucket for an imported log (no journeys, no customers): a stable hash (MD5) of
-- the case id, modulo $buckets.
SELECT
    case_id,                                                        -- case identifier
    codes,                                                          -- activity_codes.code per event
    times_us,                                                       -- event times, µs since 1970 UTC
    lanes,                                                          -- the lane of each event
    CAST(md5_number_upper(case_id) % $buckets AS INTEGER) AS bucket -- 0 .. $buckets - 1
FROM case_traces;
