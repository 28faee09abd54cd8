-- Working table (temporary): per product of the catalogue, its exposure (journeys about it, orders, deliveries), its
-- information calls and 'not as described' returns, and its description's features: built once per run; every pass
-- of the product test (product_demand.sql) and the category prior read it, only their reference changes.
CREATE OR REPLACE TEMP TABLE product_counts AS
WITH views AS (  -- product_views.sql
    SELECT product_id, views FROM product_views
),
interest AS (  -- a journey is about one product: the one its information calls are attributed to
    SELECT product_id, count(*) AS journeys FROM journey_products WHERE is_primary GROUP BY product_id
),
lines AS (  -- every line of an order counts for its product
    SELECT
        product_id,
        count(DISTINCT order_id) FILTER (WHERE status = 'placed')                                   AS orders,
        count(DISTINCT order_id) FILTER (WHERE status = 'delivered')                                AS delivered,
        count(DISTINCT order_id) FILTER (WHERE list_contains($description_return_reasons, return_reason)) AS returns
    FROM raw_orders
    GROUP BY product_id
),
calls AS (
    SELECT
        product_id,
        count(*) FILTER (WHERE list_contains($product_info_reasons, reason_code)
                           AND order_stage IN ('no order', 'before order') AND NOT is_repeat) AS info_calls,
        avg(duration_s) FILTER (WHERE list_contains($product_info_reasons, reason_code))       AS info_call_seconds
    FROM contact_demand
    WHERE channel = 'phone' AND product_id IS NOT NULL
    GROUP BY product_id
),
reasons AS (
    SELECT product_id, string_agg(reason_code || ' ' || n, ', ' ORDER BY n DESC, reason_code) AS top_call_reasons
    FROM (
        SELECT product_id, reason_code, count(*) AS n,
               row_number() OVER (PARTITION BY product_id ORDER BY count(*) DESC, reason_code) AS k
        FROM contact_demand
        WHERE channel = 'phone' AND product_id IS NOT NULL AND demand = 'failure'
        GROUP BY product_id, reason_code
    )
    WHERE k <= 3
    GROUP BY product_id
),
catalogue AS (
    SELECT product_id FROM raw_products
    UNION SELECT product_id FROM views
    UNION SELECT product_id FROM lines
)
SELECT
    c.product_id, p.name, p.category, p.description,
    coalesce(v.views, 0) AS views, coalesce(i.journeys, 0) AS journeys, coalesce(l.orders, 0) AS orders, coalesce(l.delivered, 0) AS delivered,
    coalesce(k.info_calls, 0) AS info_calls, coalesce(l.returns, 0) AS returns, k.info_call_seconds,
    r.top_call_reasons,
    length(trim(regexp_replace(coalesce(p.description, ''), '<[^>]*>', ' ', 'g'))) AS description_chars,
    regexp_matches(coalesce(p.description, ''),
        '(?i)specification|dimension|weight|\d+(\.\d+)?\s?(cm|mm|kg|g|w|mah|gb|tb|inch|")(\W|$)') AS has_specifications
FROM catalogue AS c
LEFT JOIN raw_products AS p USING (product_id)
LEFT JOIN views AS v USING (product_id)
LEFT JOIN interest AS i USING (product_id)
LEFT JOIN lines AS l USING (product_id)
LEFT JOIN calls AS k USING (product_id)
LEFT JOIN reasons AS r USING (product_id);
