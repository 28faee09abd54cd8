-- Working table (temporary): the product each journey is about: the product ordered, else the product viewed most (first
-- viewed on a tie). Information calls without a product id are attributed to it, and it is the exposure of product rates.
CREATE OR REPLACE TEMP TABLE journey_products AS
WITH viewed AS (
    SELECT a.journey_id, e.product_id, count(*) AS views, min(a.event_order) AS first_view
    FROM journey_assignment AS a
    JOIN stitched_events AS e USING (event_no)
    WHERE e.source = 'web' AND e.event_type = 'page_view' AND e.product_id IS NOT NULL
    GROUP BY ALL
),
most_viewed AS (
    SELECT journey_id, product_id
    FROM viewed
    QUALIFY row_number() OVER (PARTITION BY journey_id ORDER BY views DESC, first_view, product_id) = 1
)
SELECT
    CAST(j.journey_id AS VARCHAR)                                              AS journey_id,
    CAST(coalesce(j.product_id, m.product_id) AS VARCHAR)                      AS product_id, -- what the journey is about
    CAST(CASE WHEN j.product_id IS NOT NULL THEN 'ordered' ELSE 'viewed most' END AS VARCHAR) AS product_rule
FROM journeys AS j
LEFT JOIN most_viewed AS m USING (journey_id)
WHERE coalesce(j.product_id, m.product_id) IS NOT NULL;
