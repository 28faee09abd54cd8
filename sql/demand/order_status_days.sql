-- Working table (temporary): per order day (UTC), the orders placed and the where-is-my-order calls they drew. Tested: the
-- orders with such a call (repeat calls cluster, orders do not), against the share of all other days ($excluded days left
-- out; cxmining.demand excludes the flagged days and re-runs until the flags settle).
CREATE OR REPLACE TEMP TABLE order_status_days AS
WITH orders AS (
    SELECT
        order_id,
        min(ts) FILTER (WHERE status = 'placed')  AS placed_ts,
        min(ts) FILTER (WHERE status = 'shipped') AS shipped_ts,
        min(ts) FILTER (WHERE status = 'delivered') AS delivered_ts
    FROM stitched_events  -- the events view's rows, kept in a table by the journeys step
    WHERE source = 'orders'
    GROUP BY order_id
    HAVING min(ts) FILTER (WHERE status = 'placed') IS NOT NULL
),
calls AS (
    SELECT j.order_id, count(*) AS calls, count(c.duration_s) AS timed, sum(c.duration_s) AS seconds
    FROM contact_demand AS c
    JOIN journeys AS j USING (journey_id)
    WHERE c.channel = 'phone' AND list_contains($order_status_reasons, c.reason_code) AND j.order_id IS NOT NULL
    GROUP BY j.order_id
),
days AS (
    SELECT
        CAST(o.placed_ts AS DATE)                                             AS order_day,
        count(*)                                                              AS orders,
        coalesce(sum(c.calls), 0)                                             AS calls,
        count(c.order_id)                                                     AS orders_called,
        -- calls without an end time at the mean of the day's others; NULL when none has one
        sum(c.seconds) / nullif(sum(c.timed), 0) * sum(c.calls)               AS seconds,
        median((epoch(o.shipped_ts) - epoch(o.placed_ts)) / 86400.0)          AS days_to_ship,
        median((epoch(o.delivered_ts) - epoch(o.placed_ts)) / 86400.0)        AS days_to_delivery
    FROM orders AS o
    LEFT JOIN calls AS c USING (order_id)
    GROUP BY ALL
)
SELECT
    *,
    CAST(order_day AS VARCHAR)                                                         AS key,
    orders * (sum(calls) FILTER (WHERE NOT excluded) OVER () - CASE WHEN excluded THEN 0 ELSE calls END)
        / nullif(sum(orders) FILTER (WHERE NOT excluded) OVER () - CASE WHEN excluded THEN 0 ELSE orders END, 0) AS expected_calls,
    orders_called                                                                      AS observed,
    orders * (sum(orders_called) FILTER (WHERE NOT excluded) OVER () - CASE WHEN excluded THEN 0 ELSE orders_called END)
        / nullif(sum(orders) FILTER (WHERE NOT excluded) OVER () - CASE WHEN excluded THEN 0 ELSE orders END, 0) AS expected
FROM (SELECT *, list_contains($excluded, CAST(order_day AS VARCHAR)) AS excluded FROM days);
