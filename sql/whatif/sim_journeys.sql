-- Journeys the simulation resamples: when they start (day of the period, second of the day), their customer and order,
-- and the product they are about (journey_products: the one its information calls without a product id go to).
SELECT
    CAST(j.journey_id AS VARCHAR)                                    AS journey_id,
    CAST(j.customer_id AS VARCHAR)                                   AS customer_id,  -- stitched customer (NULL: anonymous)
    CAST(date_diff('day', CAST($first_day AS DATE), CAST(j.start_ts AS DATE)) AS INTEGER) AS day,
    CAST(epoch(j.start_ts) - epoch(date_trunc('day', j.start_ts)) AS DOUBLE) AS second_of_day, -- UTC
    j.order_id IS NOT NULL                                           AS has_order,
    CAST(p.product_id AS VARCHAR)                                    AS product_id    -- NULL: about no product
FROM journeys AS j
LEFT JOIN journey_products AS p ON p.journey_id = j.journey_id AND p.is_primary
ORDER BY j.journey_id;
