-- Working table (temporary): per order day (UTC), the orders placed, the where-is-my-order calls they drew, the orders with
-- such a call and the days to shipping and delivery: counted once per run; every pass of the order-day test
-- (order_status_days.sql) reads it, only the reference changes between passes.
CREATE OR REPLACE TEMP TABLE order_day_counts AS
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
)
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
GROUP BY ALL;
