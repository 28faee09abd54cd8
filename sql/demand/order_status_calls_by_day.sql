-- Order-communication failure: where-is-my-order calls per order day against the other days, so a late-shipping window stands out.
CREATE OR REPLACE TABLE order_status_calls_by_day AS
SELECT
    order_day,                                                 -- UTC date the orders were placed
    CAST(orders AS BIGINT)                 AS orders,
    CAST(calls AS BIGINT)                  AS order_status_calls, -- calls about these orders with an order-status reason
    CAST(calls / orders AS DOUBLE)         AS calls_per_order,
    CAST(expected_calls AS DOUBLE)         AS expected_calls,      -- at the rate of the other (unflagged) days
    CAST(calls - expected_calls AS DOUBLE) AS excess_calls,
    CAST(orders_called AS BIGINT)          AS orders_with_calls,   -- tested: orders with at least one such call
    CAST(expected AS DOUBLE)               AS expected_orders_with_calls,
    CAST(days_to_ship AS DOUBLE)           AS days_to_ship,        -- median, placed to shipped
    CAST(days_to_delivery AS DOUBLE)       AS days_to_delivery,    -- median, placed to delivered
    CAST(seconds / 3600.0 AS DOUBLE)       AS agent_hours,         -- handling time of those calls (NULL: none known)
    CAST(p_value AS DOUBLE)                AS p_value,             -- one-sided negative-binomial test of orders_with_calls
    CAST(heterogeneity AS DOUBLE)             AS heterogeneity,   -- how much comparable rows differ beyond chance (0: Poisson)
    CAST(q_value AS DOUBLE)                AS q_value,             -- Benjamini-Hochberg across days
    CAST(q_value <= $alpha AND observed - expected >= $min_excess AND observed >= $min_ratio * expected AS BOOLEAN) AS flagged
FROM order_status_days
ORDER BY order_day;
