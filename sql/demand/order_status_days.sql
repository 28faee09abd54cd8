-- Working table (temporary): per order day (UTC), the orders placed and the where-is-my-order calls they drew. Tested: the
-- orders with such a call (repeat calls cluster, orders do not), against the share of all other days ($excluded days left
-- out; cxmining.demand excludes the flagged days and re-runs until the flags settle).
CREATE OR REPLACE TEMP TABLE order_status_days AS
SELECT
    *,
    CAST(order_day AS VARCHAR)                                                         AS key,
    orders * (sum(calls) FILTER (WHERE NOT excluded) OVER () - CASE WHEN excluded THEN 0 ELSE calls END)
        / nullif(sum(orders) FILTER (WHERE NOT excluded) OVER () - CASE WHEN excluded THEN 0 ELSE orders END, 0) AS expected_calls,
    orders_called                                                                      AS observed,
    orders * (sum(orders_called) FILTER (WHERE NOT excluded) OVER () - CASE WHEN excluded THEN 0 ELSE orders_called END)
        / nullif(sum(orders) FILTER (WHERE NOT excluded) OVER () - CASE WHEN excluded THEN 0 ELSE orders END, 0) AS expected
FROM (SELECT *, list_contains($excluded, CAST(order_day AS VARCHAR)) AS excluded FROM order_day_counts);  -- order_day_counts.sql: counted once per run
