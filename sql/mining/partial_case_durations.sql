-- Query: one bucket's rows of case_durations (one per case, as sql/mining/updated_case_durations.sql computes them).
SELECT
    case_id,                                                 -- case (journey) identifier
    make_timestamp(list_min(times_us)) AS start_time,        -- time of the case's first event, UTC
    make_timestamp(list_max(times_us)) AS end_time,          -- time of the case's last event, UTC
    CAST(list_max(times_us) - list_min(times_us) AS DOUBLE) / 1e6 AS duration_seconds, -- end_time - start_time, seconds
    CAST(len(times_us) AS BIGINT) AS events                  -- number of events in the case
FROM bucket_traces;
