-- Products whose descriptions cause failure demand: pre-purchase information calls and 'not as described' returns against
-- comparable products, with a test that does not flag small-number noise; ranked by excess calls.
CREATE OR REPLACE TABLE failure_demand_products AS
SELECT
    CAST(product_id AS VARCHAR)                   AS product_id,
    CAST(name AS VARCHAR)                         AS name,
    CAST(category AS VARCHAR)                     AS category,
    CAST(views AS BIGINT)                         AS views,        -- web sessions that viewed the product page
    CAST(journeys AS BIGINT)                      AS journeys,     -- journeys about the product: ordered it, else viewed it most
    CAST(orders AS BIGINT)                        AS orders,       -- orders with the product
    CAST(delivered AS BIGINT)                     AS delivered,    -- delivered orders with the product
    CAST(info_calls AS BIGINT)                    AS info_calls,   -- pre-purchase information calls (first calls, product recorded or taken from the journey)
    CAST(returns AS BIGINT)                       AS returns_not_as_described,
    CAST(info_calls / nullif(journeys, 0) AS DOUBLE) AS rate,      -- information calls per journey about the product
    CAST(expected_rate AS DOUBLE)                 AS expected_rate, -- the same rate of comparable products
    CAST(info_calls / nullif(views, 0) AS DOUBLE) AS calls_per_view, -- for reference; views include browsing of siblings
    CAST(info_calls - expected_info_calls AS DOUBLE) AS excess_calls, -- information calls above expectation
    CAST(returns / nullif(delivered, 0) AS DOUBLE) AS return_rate,  -- 'not as described' returns per delivered order
    CAST(expected_return_rate AS DOUBLE)          AS expected_return_rate,
    CAST(observed AS BIGINT)                      AS failures,      -- information calls + 'not as described' returns: what is tested
    CAST(expected AS DOUBLE)                      AS expected_failures,
    CAST(failures / expected AS DOUBLE)           AS rate_ratio,    -- failures / expected_failures
    -- 95% interval of the ratio: Poisson limits of the count (Wilson-Hilferty), over the expectation
    CAST(CASE WHEN observed > 0 THEN observed * (1 - 1 / (9 * observed) - 1.96 / (3 * sqrt(observed))) ^ 3 ELSE 0 END
         / expected AS DOUBLE)                    AS rate_ratio_low,
    CAST((observed + 1) * (1 - 1 / (9 * (observed + 1)) + 1.96 / (3 * sqrt(observed + 1))) ^ 3 / expected AS DOUBLE)
                                                  AS rate_ratio_high,
    CAST(p_value AS DOUBLE)                       AS p_value,       -- one-sided negative-binomial test of failures against expected_failures
    CAST(heterogeneity AS DOUBLE)                 AS heterogeneity, -- how much comparable products differ beyond chance (0: Poisson)
    CAST(q_value AS DOUBLE)                       AS q_value,       -- Benjamini-Hochberg adjusted across products
    CAST(q_value <= $alpha AND observed - expected >= $min_excess AND observed >= $min_ratio * expected AS BOOLEAN)
                                                  AS flagged,
    CAST(reference AS VARCHAR)                    AS reference,     -- category or catalogue: which weighs more in "comparable"
    CAST(category_weight AS DOUBLE)               AS category_weight, -- share of the reference from the category (rest: catalogue)
    CAST(catalogue_rate AS DOUBLE)                AS catalogue_rate, -- information calls per journey over the whole catalogue
    CAST(NOT excluded AS BOOLEAN)                 AS in_reference,  -- false once flagged on a pass: left out of others' reference
    CAST(description_chars AS INTEGER)            AS description_chars, -- text length, HTML tags left out
    CAST(cat_description_chars AS DOUBLE)         AS category_median_chars,
    CAST(has_specifications AS BOOLEAN)           AS has_specifications, -- mentions specifications, dimensions or units
    CAST(left(description, 200) AS VARCHAR)       AS description_excerpt, -- as delivered: may hold HTML, escape when shown
    CAST(top_call_reasons AS VARCHAR)             AS top_call_reasons,   -- failure-demand calls attributed to the product
    CAST(info_call_seconds AS DOUBLE)             AS info_call_seconds   -- mean handling time of its information calls
FROM product_demand
ORDER BY excess_calls DESC, failures DESC, product_id;
