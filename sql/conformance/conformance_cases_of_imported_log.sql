-- conformance_cases for a store without `journeys` (an imported log): same columns, no product or sales channel.
CREATE OR REPLACE TEMP TABLE conformance_cases AS
SELECT
    CAST(c.case_id AS VARCHAR)          AS journey_id,       -- case id
    CAST(c.variant_id AS BIGINT)        AS variant_id,       -- variants.variant_id
    CAST(d.duration_seconds AS DOUBLE)  AS duration_seconds, -- last minus first event, seconds
    CAST(NULL AS VARCHAR)               AS product_id,       -- unknown in an imported log
    CAST(NULL AS VARCHAR)               AS sales_channel     -- unknown in an imported log
FROM case_variants AS c
JOIN case_durations AS d USING (case_id);
