-- One row per case (journey): when it starts and ends, and how many events it has.
CREATE OR REPLACE TABLE case_durations AS
SELECT
    case_id,                                                 -- case (journey) identifier
    make_timestamp(list_min(times_us)) AS start_time,        -- time of the case's first event, UTC
    make_timestamp(list_max(times_us)) AS end_time,          -- time of the case's last event, UTC
    -- whole microseconds first, so the seconds are exact to the microsecond
    CAST(list_max(times_us) - list_min(times_us) AS DOUBLE) / 1e6 AS duration_seconds, -- end_time - start_time, seconds
    CAST(len(times_us) AS BIGINT) AS events                  -- number of events in the case
FROM case_traces;
