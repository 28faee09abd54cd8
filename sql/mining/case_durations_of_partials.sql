-- case_durations (as sql/mining/case_durations.sql defines it): the buckets' rows ($case_durations) together.
CREATE OR REPLACE TABLE case_durations AS
SELECT
    CAST(case_id AS VARCHAR)            AS case_id,          -- case (journey) identifier
    CAST(start_time AS TIMESTAMP)       AS start_time,       -- time of the case's first event, UTC
    CAST(end_time AS TIMESTAMP)         AS end_time,         -- time of the case's last event, UTC
    CAST(duration_seconds AS DOUBLE)    AS duration_seconds, -- end_time - start_time, seconds
    CAST(events AS BIGINT)              AS events            -- number of events in the case
FROM read_parquet($case_durations);
