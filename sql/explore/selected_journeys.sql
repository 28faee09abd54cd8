-- Working table of one explorer request (temporary): the drilled-down journeys that pass the filters (each NULL: not
-- filtered): journey type, product (product_journeys), an event in channel $channel, started from $from to $to (UTC days).
CREATE OR REPLACE TEMP TABLE selected_journeys AS
SELECT
    CAST(j.journey_id AS VARCHAR)       AS journey_id,
    CAST(j.journey_type AS VARCHAR)     AS journey_type,
    CAST(cv.variant_id AS BIGINT)       AS variant_id,        -- NULL: the journey has no variant (no mining yet)
    j.start_ts,
    j.end_ts,
    CAST(j.duration_seconds AS DOUBLE)  AS duration_seconds,
    CAST(j.events AS BIGINT)            AS events,
    CAST(j.calls AS BIGINT)             AS calls
FROM journeys AS j
JOIN drilled_journeys AS d USING (journey_id)
LEFT JOIN case_variants AS cv ON cv.case_id = j.journey_id
WHERE (CAST($journey_type AS VARCHAR) IS NULL OR j.journey_type = CAST($journey_type AS VARCHAR))
  AND (CAST($product AS VARCHAR) IS NULL OR j.journey_id IN (
        SELECT journey_id FROM product_journeys WHERE product_id = CAST($product AS VARCHAR)))
  AND (CAST($channel AS VARCHAR) IS NULL OR j.journey_id IN (
        SELECT "case:concept:name" FROM journey_events WHERE channel = CAST($channel AS VARCHAR)))
  AND (CAST($from AS DATE) IS NULL OR j.start_ts >= CAST($from AS DATE))
  AND (CAST($to AS DATE) IS NULL OR j.start_ts < CAST($to AS DATE) + INTERVAL 1 DAY);
