-- Working table of one comparison (temporary): the segments each journey counts in: '(all)', and its value of $segment.
-- category is that of the journey's first ordered product, else of the first product it touched; a segment the mapping
-- declared (customer_segments) is the journey's customer's value, '(unknown)' when the customer has none.
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
        CASE CAST($segment AS VARCHAR)
            WHEN 'sales_channel' THEN j.sales_channel
            WHEN 'journey_type' THEN j.journey_type
            WHEN 'category' THEN p.category
            ELSE s.value  -- a segment of the mapping: the customer's value (customer_segments)
        END AS delivered
    FROM journeys AS j
    LEFT JOIN first_product AS f USING (journey_id)
    LEFT JOIN raw_products AS p ON p.product_id = coalesce(j.product_id, f.product_id)
    LEFT JOIN customer_segments AS s ON s.customer_id = j.customer_id AND s.segment = CAST($segment AS VARCHAR)
)
SELECT
    journey_id,                              -- journeys.journey_id
    CAST('(all)' AS VARCHAR) AS segment      -- every journey counts in the whole
FROM journeys
UNION ALL
SELECT
    journey_id,
    CAST(CASE                                -- its segment value; '(none)' or '(unknown)' when it has none
        WHEN delivered IS NULL AND CAST($segment AS VARCHAR) IN ('sales_channel', 'journey_type', 'category') THEN '(none)'
        WHEN delivered IS NULL THEN '(unknown)'
        -- a delivered value spelled like one of these labels is quoted, never counted with them
        WHEN delivered IN ('(all)', '(none)', '(unknown)') THEN '"' || delivered || '"'
        ELSE delivered
    END AS VARCHAR)
FROM valued
WHERE CAST($segment AS VARCHAR) IS NOT NULL;
