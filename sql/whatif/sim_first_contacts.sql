-- The first call on each matter of every journey (repeats are simulated, not resampled), its time from the journey start,
-- reason, product, cause and whether its product is flagged for its description (failure_demand_products).
SELECT
    CAST(c.journey_id AS VARCHAR)                             AS journey_id,
    CAST(epoch(c.ts) - epoch(j.start_ts) AS DOUBLE)           AS offset_s,
    CAST(c.reason_code AS VARCHAR)                            AS reason_code,
    CAST(c.product_id AS VARCHAR)                             AS product_id,
    CAST(c.cause AS VARCHAR)                                  AS cause,
    coalesce(p.flagged, false)                                AS flagged_product
FROM contact_demand AS c
JOIN journeys AS j USING (journey_id)
LEFT JOIN failure_demand_products AS p ON p.product_id = c.product_id
WHERE c.channel = 'phone' AND NOT c.is_repeat
ORDER BY c.journey_id, c.ts, c.contact_id;
