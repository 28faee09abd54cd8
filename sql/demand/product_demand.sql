-- Working table (temporary): per product, its exposure (journeys about it, journey_products), the failures a poor description causes and their expected counts
-- from comparable products (same category, the product itself left out; the whole catalogue when the category is too small).
CREATE OR REPLACE TEMP TABLE product_demand AS
WITH views AS (
    SELECT product_id, count(DISTINCT coalesce(session_id, event_id)) AS views
    FROM events
    WHERE source = 'web' AND event_type = 'page_view' AND product_id IS NOT NULL
    GROUP BY product_id
),
interest AS (
    SELECT product_id, count(*) AS journeys FROM journey_products GROUP BY product_id
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
),
base AS (
    SELECT
        c.product_id, p.name, p.category, p.description,
        coalesce(v.views, 0) AS views, coalesce(i.journeys, 0) AS journeys, coalesce(l.orders, 0) AS orders, coalesce(l.delivered, 0) AS delivered,
        coalesce(k.info_calls, 0) AS info_calls, coalesce(l.returns, 0) AS returns, k.info_call_seconds,
        r.top_call_reasons,
        list_contains($excluded, c.product_id) AS excluded,
        length(trim(regexp_replace(coalesce(p.description, ''), '<[^>]*>', ' ', 'g'))) AS description_chars,
        regexp_matches(coalesce(p.description, ''),
            '(?i)specification|dimension|weight|\d+(\.\d+)?\s?(cm|mm|kg|g|w|mah|gb|tb|inch|")(\W|$)') AS has_specifications
    FROM catalogue AS c
    LEFT JOIN raw_products AS p USING (product_id)
    LEFT JOIN views AS v USING (product_id)
    LEFT JOIN interest AS i USING (product_id)
    LEFT JOIN lines AS l USING (product_id)
    LEFT JOIN calls AS k USING (product_id)
    LEFT JOIN reasons AS r USING (product_id)
),
grouped AS (
    SELECT
        *,
        sum(journeys) FILTER (WHERE NOT excluded) OVER cat - CASE WHEN excluded THEN 0 ELSE journeys END AS cat_journeys, -- comparable: same category, this one and excluded ones left out
        sum(info_calls) FILTER (WHERE NOT excluded) OVER cat - CASE WHEN excluded THEN 0 ELSE info_calls END AS cat_info_calls,
        sum(delivered) FILTER (WHERE NOT excluded) OVER cat - CASE WHEN excluded THEN 0 ELSE delivered END AS cat_delivered,
        sum(returns) FILTER (WHERE NOT excluded) OVER cat - CASE WHEN excluded THEN 0 ELSE returns END AS cat_returns,
        sum(journeys) FILTER (WHERE NOT excluded) OVER () - CASE WHEN excluded THEN 0 ELSE journeys END AS all_journeys,
        sum(info_calls) FILTER (WHERE NOT excluded) OVER () - CASE WHEN excluded THEN 0 ELSE info_calls END AS all_info_calls,
        sum(delivered) FILTER (WHERE NOT excluded) OVER () - CASE WHEN excluded THEN 0 ELSE delivered END AS all_delivered,
        sum(returns) FILTER (WHERE NOT excluded) OVER () - CASE WHEN excluded THEN 0 ELSE returns END AS all_returns,
        median(description_chars) OVER cat AS cat_description_chars
    FROM base
    WINDOW cat AS (PARTITION BY category)
),
rated AS (
    SELECT
        *,
        CASE WHEN cat_journeys >= $min_reference THEN cat_info_calls / cat_journeys
             ELSE all_info_calls / nullif(all_journeys, 0) END                    AS expected_rate,
        CASE WHEN cat_delivered >= $min_reference THEN cat_returns / cat_delivered
             ELSE all_returns / nullif(all_delivered, 0) END                      AS expected_return_rate,
        CASE WHEN cat_journeys >= $min_reference THEN 'category' ELSE 'catalogue' END AS reference
    FROM grouped
)
SELECT
    *,
    product_id                                                                          AS key,
    journeys * coalesce(expected_rate, 0)                                                  AS expected_info_calls,
    delivered * coalesce(expected_return_rate, 0)                                       AS expected_returns,
    info_calls + returns                                                                AS observed, -- tested
    journeys * coalesce(expected_rate, 0) + delivered * coalesce(expected_return_rate, 0) AS expected
FROM rated;
