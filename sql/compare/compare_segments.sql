-- Working table of one comparison (temporary): the segments each journey counts in: '(all)', and its value of $segment.
-- category is that of the journey's first ordered product, else of the first product it touched.
CREATE OR REPLACE TEMP TABLE compare_segments AS
WITH first_product AS (
    SELECT "case:concept:name" AS journey_id, arg_min(product_id, event_order) AS product_id
    FROM journey_events
    WHERE product_id IS NOT NULL AND CAST($segment AS VARCHAR) = 'category'
    GROUP BY 1
),
valued AS (
    SELECT
        j.journey_id,
        coalesce(CASE CAST($segment AS VARCHAR)
            WHEN 'sales_channel' THEN j.sales_channel
            WHEN 'journey_type' THEN j.journey_type
            WHEN 'category' THEN p.category
        END, '(none)') AS value
    FROM journeys AS j
    LEFT JOIN first_product AS f USING (journey_id)
    LEFT JOIN raw_products AS p ON p.product_id = coalesce(j.product_id, f.product_id)
)
SELECT
    journey_id,                              -- journeys.journey_id
    CAST('(all)' AS VARCHAR) AS segment      -- every journey counts in the whole
FROM journeys
UNION ALL
SELECT
    journey_id,
    CAST(value AS VARCHAR)                   -- its segment value; '(none)' when it has none
FROM valued
WHERE CAST($segment AS VARCHAR) IS NOT NULL;
