-- One journey, without its customer: type, start, end, duration, events, calls, variant.
SELECT
    CAST(j.journey_id AS VARCHAR) AS journey_id,
    CAST(j.journey_type AS VARCHAR) AS journey_type,
    j.start_ts, j.end_ts,
    CAST(j.duration_seconds AS DOUBLE) AS duration_seconds,
    CAST(j.events AS BIGINT) AS events,
    CAST(j.calls AS BIGINT) AS calls,
    CAST(cv.variant_id AS BIGINT) AS variant_id
FROM journeys AS j
LEFT JOIN case_variants AS cv ON cv.case_id = j.journey_id
WHERE j.journey_id = $journey_id;
