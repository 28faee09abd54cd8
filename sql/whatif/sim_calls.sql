-- Every call in a journey with what the simulation calibrates on: IVR path, queue, outcome, handling time (NULL: the call
-- has no end time, unknown), and whether another call on the same matter followed (and after how long).
SELECT
    CAST(journey_id AS VARCHAR)                     AS journey_id,   -- journeys.journey_id: the bootstrap resamples journeys
    CAST(reason_code AS VARCHAR)                    AS reason_code,
    CAST(coalesce(ivr_path, '(none)') AS VARCHAR)   AS ivr_path,
    CAST(coalesce(queue, '(none)') AS VARCHAR)      AS queue,
    CAST(outcome AS VARCHAR)                        AS outcome,
    CAST(duration_s AS DOUBLE)                      AS duration_s,   -- NULL: unknown, not zero
    is_repeat,
    followed_by_repeat,
    CAST(epoch(lead(ts) OVER matter) - epoch(ts) - coalesce(duration_s, 0) AS DOUBLE) AS gap_s, -- to the next call on the matter
    CAST(ts AS TIMESTAMP)                           AS ts
FROM contact_demand
WHERE channel = 'phone'
WINDOW matter AS (PARTITION BY journey_id, reason_code ORDER BY ts, contact_id)
ORDER BY ts, reason_code, contact_id;
