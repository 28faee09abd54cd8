-- Working table of one cluster worker (temporary, in the worker's own in-memory database): the traces of one bucket,
-- read from its Parquet files ($traces); the partial_* queries read it.
CREATE OR REPLACE TEMP TABLE bucket_traces AS
SELECT
    CAST(case_id AS VARCHAR)    AS case_id,  -- case (journey) identifier
    CAST(codes AS INTEGER[])    AS codes,    -- activity_codes.code per event
    CAST(times_us AS BIGINT[])  AS times_us, -- event times, µs since 1970 UTC
    CAST(lanes AS VARCHAR[])    AS lanes     -- the lane of each event (NULL where unknown)
FROM read_parquet($traces);
