-- Working table of one conformance run (temporary): the journeys in scope, with variant, duration and where they were sold.
-- Landing stores: `journeys` gives product and sales channel, and $journey_type (NULL = all) narrows the scope.
CREATE OR REPLACE TEMP TABLE conformance_cases AS
SELECT
    CAST(c.case_id AS VARCHAR)          AS journey_id,       -- journey (case) id
    CAST(c.variant_id AS BIGINT)        AS variant_id,       -- variants.variant_id
    CAST(d.duration_seconds AS DOUBLE)  AS duration_seconds, -- last minus first event, seconds
    CAST(j.product_id AS VARCHAR)       AS product_id,       -- first ordered product (NULL without an order)
    CAST(j.sales_channel AS VARCHAR)    AS sales_channel     -- web, phone, store (NULL without an order)
FROM case_variants AS c
JOIN case_durations AS d USING (case_id)
JOIN journeys AS j ON j.journey_id = c.case_id
WHERE CAST($journey_type AS VARCHAR) IS NULL OR j.journey_type = CAST($journey_type AS VARCHAR);
