-- Working table (temporary): per product, its exposure (journeys about it, journey_products) and the failures a poor
-- description causes, both counted once per run (product_counts), with their expected counts from comparable products
-- (same category, the product itself and $excluded ones left out; the whole catalogue when the category is too small)
-- and the uncertainty that the reference's size brings.
CREATE OR REPLACE TEMP TABLE product_demand AS
WITH base AS (  -- product_counts.sql: the counts, built once per run; only the reference changes between passes
    SELECT *, list_contains($excluded, product_id) AS excluded FROM product_counts
),
grouped AS (  -- 0, not NULL, when every other product of the category is left out: the prior stands in
    SELECT
        *,
        coalesce(sum(journeys) FILTER (WHERE NOT excluded) OVER cat, 0) - CASE WHEN excluded THEN 0 ELSE journeys END AS cat_journeys, -- comparable: same category, this one and excluded ones left out
        coalesce(sum(info_calls) FILTER (WHERE NOT excluded) OVER cat, 0) - CASE WHEN excluded THEN 0 ELSE info_calls END AS cat_info_calls,
        coalesce(sum(delivered) FILTER (WHERE NOT excluded) OVER cat, 0) - CASE WHEN excluded THEN 0 ELSE delivered END AS cat_delivered,
        coalesce(sum(returns) FILTER (WHERE NOT excluded) OVER cat, 0) - CASE WHEN excluded THEN 0 ELSE returns END AS cat_returns,
        coalesce(sum(journeys) FILTER (WHERE NOT excluded) OVER (), 0) - CASE WHEN excluded THEN 0 ELSE journeys END AS all_journeys,
        coalesce(sum(info_calls) FILTER (WHERE NOT excluded) OVER (), 0) - CASE WHEN excluded THEN 0 ELSE info_calls END AS all_info_calls,
        coalesce(sum(delivered) FILTER (WHERE NOT excluded) OVER (), 0) - CASE WHEN excluded THEN 0 ELSE delivered END AS all_delivered,
        coalesce(sum(returns) FILTER (WHERE NOT excluded) OVER (), 0) - CASE WHEN excluded THEN 0 ELSE returns END AS all_returns,
        median(description_chars) OVER cat AS cat_description_chars
    FROM base
    WINDOW cat AS (PARTITION BY category)
),
rated AS (
    -- The reference: comparable products of the category (this one and the $excluded ones left out), with the
    -- catalogue's rate worth $prior_journeys journeys ($prior_delivered delivered orders) added: an empirical-Bayes
    -- prior whose weight cxmining.demand estimates from how much the categories differ (docs/demand.md). A category
    -- that is small, or no different from the others, then leans on the catalogue; one that differs keeps its own rate.
    SELECT
        *,
        all_info_calls / nullif(all_journeys, 0)                                           AS catalogue_rate,
        all_returns / nullif(all_delivered, 0)                                             AS catalogue_return_rate,
        cat_info_calls + $prior_journeys * coalesce(all_info_calls / nullif(all_journeys, 0), 0) AS ref_info_calls,
        cat_journeys + $prior_journeys                                                     AS ref_journeys,
        cat_returns + $prior_delivered * coalesce(all_returns / nullif(all_delivered, 0), 0) AS ref_returns,
        cat_delivered + $prior_delivered                                                   AS ref_delivered,
        cat_journeys / nullif(cat_journeys + $prior_journeys, 0)                           AS category_weight,
        CASE WHEN cat_journeys >= $prior_journeys THEN 'category' ELSE 'catalogue' END     AS reference
    FROM grouped
),
expected AS (  -- rates of the reference, half a call added so that a reference without calls still expects some
    SELECT
        *,
        (ref_info_calls + 0.5) / nullif(ref_journeys, 0)                    AS expected_rate,
        (ref_returns + 0.5) / nullif(ref_delivered, 0)                      AS expected_return_rate,
        journeys * coalesce((ref_info_calls + 0.5) / nullif(ref_journeys, 0), 0)    AS expected_info_calls,
        delivered * coalesce((ref_returns + 0.5) / nullif(ref_delivered, 0), 0)     AS expected_returns
    FROM rated
)
SELECT
    *,
    product_id                                                                          AS key,
    info_calls + returns                                                                AS observed, -- tested
    nullif(expected_info_calls + expected_returns, 0)                                   AS expected, -- NULL: no exposure, not tested
    -- relative variance of `expected` from the reference's own size (a rate estimated from n events: 1/n); the prior
    -- weighs at most as much as the catalogue's own calls
    (expected_info_calls ^ 2 / (cat_info_calls + least(ref_info_calls - cat_info_calls, all_info_calls) + 0.5)
     + expected_returns ^ 2 / (cat_returns + least(ref_returns - cat_returns, all_returns) + 0.5))
        / nullif((expected_info_calls + expected_returns) ^ 2, 0)                       AS expected_cv2,
    -- the same against the whole catalogue: a product far above it is left out of its category's reference on later
    -- passes, unless such products hold most of the category's journeys (then the category is different, cxmining.demand)
    nullif(journeys * coalesce((all_info_calls + 0.5) / nullif(all_journeys, 0), 0)
           + delivered * coalesce((all_returns + 0.5) / nullif(all_delivered, 0), 0), 0)  AS wider_expected,
    category                                                                            AS reference_group,
    journeys                                                                            AS exposure
FROM expected;
