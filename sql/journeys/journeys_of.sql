-- Macro: one row per customer journey of `assignment` (rows of journey_assignment, every event of each journey), with
-- its events from `stitched` (stitched_events): an order with what led to it and followed it, or a journey without an order.
CREATE OR REPLACE MACRO journeys_of(assignment, stitched) AS TABLE
SELECT
    a.journey_id,                                                               -- journey_assignment.journey_id
    CAST(CASE WHEN a.journey_id LIKE 'order:%' THEN 'order' ELSE 'no order' END AS VARCHAR) AS journey_type,
    max(a.customer_id)                                                AS customer_id,   -- stitched customer, if known
    max(e.order_id) FILTER (WHERE a.journey_id = 'order:' || e.order_id) AS order_id,
    arg_min(e.product_id, e.ts) FILTER (WHERE e.source = 'orders')    AS product_id,    -- first ordered product
    arg_min(e.sales_channel, e.ts) FILTER (WHERE e.status = 'placed') AS sales_channel, -- web, phone, store
    min(e.ts)                                                         AS start_ts,      -- UTC
    max(e.ts)                                                         AS end_ts,        -- UTC
    epoch(max(e.ts)) - epoch(min(e.ts))                               AS duration_seconds,
    count(*)                                                          AS events,
    count(*) FILTER (WHERE e.source = 'calls')                        AS calls,
    count(*) FILTER (WHERE e.source = 'web')                          AS web_events,
    count(DISTINCT e.channel)                                         AS channels
FROM query_table(assignment) AS a
JOIN query_table(stitched) AS e USING (event_no)
GROUP BY a.journey_id;
