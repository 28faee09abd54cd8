-- Journeys the simulation resamples: when they start (day of the period, second of the day), their customer and order.
SELECT
    CAST(journey_id AS VARCHAR)                                      AS journey_id,
    CAST(customer_id AS VARCHAR)                                     AS customer_id,  -- stitched customer (NULL: anonymous)
    CAST(date_diff('day', CAST($first_day AS DATE), CAST(start_ts AS DATE)) AS INTEGER) AS day,
    CAST(epoch(start_ts) - epoch(date_trunc('day', start_ts)) AS DOUBLE) AS second_of_day, -- UTC
    order_id IS NOT NULL                                             AS has_order
FROM journeys
ORDER BY journey_id;
