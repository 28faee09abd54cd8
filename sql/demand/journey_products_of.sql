-- Macro: the products each journey listed in `scope` (a relation with journey_id) is about: every product its order's
-- lines hold, else the product viewed most (first viewed on a tie). They are the exposure of product rates; the primary
-- one (viewed most of them, then first viewed, then the first line's) takes the information calls that record no
-- product id. The table journey_products keeps them from night to night (cxmining.demand).
CREATE OR REPLACE MACRO journey_products_of(scope) AS TABLE
WITH viewed AS (
    SELECT a.journey_id, e.product_id, count(*) AS views, min(a.event_order) AS first_view
    FROM journey_assignment AS a
    JOIN stitched_events AS e USING (event_no)
    WHERE e.source = 'web' AND e.event_type = 'page_view' AND e.product_id IS NOT NULL
      AND a.journey_id IN (SELECT journey_id FROM query_table(scope))
    GROUP BY ALL
),
ordered AS (
    SELECT DISTINCT j.journey_id, o.product_id, j.product_id = o.product_id AS first_line
    FROM journeys AS j
    JOIN raw_orders AS o USING (order_id)
    WHERE j.journey_id IN (SELECT journey_id FROM query_table(scope))
),
most_viewed AS (
    SELECT journey_id, product_id
    FROM viewed
    WHERE journey_id NOT IN (SELECT journey_id FROM ordered)
    QUALIFY row_number() OVER (PARTITION BY journey_id ORDER BY views DESC, first_view, product_id) = 1
),
about AS (
    SELECT journey_id, product_id, 'ordered' AS product_rule, first_line FROM ordered
    UNION ALL
    SELECT journey_id, product_id, 'viewed most', true FROM most_viewed
)
SELECT
    CAST(a.journey_id AS VARCHAR)   AS journey_id,
    CAST(a.product_id AS VARCHAR)   AS product_id,   -- what the journey is about (one row per product)
    CAST(a.product_rule AS VARCHAR) AS product_rule, -- ordered | viewed most
    row_number() OVER (
        PARTITION BY a.journey_id
        ORDER BY coalesce(v.views, 0) DESC, v.first_view NULLS LAST, a.first_line DESC, a.product_id
    ) = 1                           AS is_primary    -- the one calls without a product id are attributed to
FROM about AS a
LEFT JOIN viewed AS v USING (journey_id, product_id);
