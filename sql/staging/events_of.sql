-- Macro: the events of the given web, calls and orders tables (tables shaped like raw_web, raw_calls, raw_orders):
-- one row per customer-visible event, in UTC, with a readable activity and lane. The `events` view is this macro over the
-- raw tables; the nightly run applies it to the rows a night touches (cxmining.journeys).
-- Orders are orders: one event per order and lifecycle status (placed, paid, shipped, delivered, cancelled), at the time
-- the first line reached it, with the lines as attributes; returns are one event per order, status and time (the lines
-- returned together). A call's activity follows call_reason_template when the calls carry the organisation's own reason
-- codes ({reason} replaced by the code), activity_vocabulary otherwise. Personal data (caller_number, notes, phone, e-mail) is deliberately left out.
CREATE OR REPLACE MACRO events_of(web, calls, orders) AS TABLE
WITH web AS (
    SELECT
        'web:' || w.event_id AS event_id,
        w.ts,
        CASE WHEN w.event_type = 'page_view' AND w.product_id IS NOT NULL THEN 'product_view'
             ELSE w.event_type END AS code,
        'web' AS source,
        'web' AS channel,
        w.customer_id, w.order_id, w.product_id, w.session_id,
        CAST(NULL AS VARCHAR) AS call_id,
        w.visitor_id, w.event_type, w.page,
        CAST(NULL AS VARCHAR) AS ivr_path, CAST(NULL AS VARCHAR) AS queue,
        CAST(NULL AS VARCHAR) AS agent_team, CAST(NULL AS VARCHAR) AS reason_code,
        CAST(NULL AS VARCHAR) AS outcome, CAST(NULL AS DOUBLE) AS duration_s,
        CAST(NULL AS VARCHAR) AS status, CAST(NULL AS VARCHAR) AS sales_channel,
        CAST(NULL AS BIGINT) AS quantity, CAST(NULL AS VARCHAR) AS return_reason,
        CAST(NULL AS VARCHAR[]) AS product_ids, CAST(NULL AS BIGINT) AS line_count
    FROM query_table(web) AS w
),
calls AS (
    SELECT
        'call:' || c.call_id, c.started_at, c.reason_code, 'calls', 'phone',
        c.customer_id, c.order_id, c.product_id, NULL, c.call_id,
        NULL, NULL, NULL,
        c.ivr_path, c.queue, c.agent_team, c.reason_code, c.outcome,
        epoch(c.ended_at) - epoch(c.started_at),
        NULL, NULL, NULL, NULL, NULL, NULL
    FROM query_table(calls) AS c
),
order_steps AS (  -- orders as orders: one step per order and status; a return per order, status and time
    SELECT
        o.order_id, o.status,
        CASE WHEN o.status IN ('return_requested', 'returned', 'refunded', 'exchanged') THEN o.ts END AS return_ts,
        min(o.ts)                                                   AS ts,          -- when the first line reached it
        min(o.customer_id)                                          AS customer_id,
        arg_min(o.product_id, (o.ts, o.product_id))                 AS product_id,  -- the first line's product
        list_sort(list_distinct(list(o.product_id)))                AS product_ids, -- every line's product
        CAST(count(DISTINCT o.product_id) AS BIGINT)                AS line_count,
        CAST(CASE WHEN count(o.quantity) = count(*) THEN sum(o.quantity) END AS BIGINT) AS quantity, -- NULL: a line's is unknown
        arg_min(o.sales_channel, (o.ts, o.product_id))              AS sales_channel,
        min(o.return_reason)                                        AS return_reason
    FROM query_table(orders) AS o
    GROUP BY o.order_id, o.status, return_ts
),
orders AS (
    SELECT
        'order:' || o.order_id || '/' || o.status
            || coalesce('/' || strftime(o.return_ts, '%Y-%m-%dT%H:%M:%S'), ''),
        o.ts, o.status, 'orders', 'order',
        o.customer_id, o.order_id, o.product_id, NULL, NULL,
        NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL,
        o.status, o.sales_channel, o.quantity, o.return_reason, o.product_ids, o.line_count
    FROM order_steps AS o
),
unioned AS (
    SELECT * FROM web
    UNION ALL SELECT * FROM calls
    UNION ALL SELECT * FROM orders
)
SELECT
    u.event_id,                                                   -- unique: '<source prefix>:<source key>'
    CAST(u.ts AS TIMESTAMP) AS ts,                                -- UTC
    COALESCE(replace(t.activity, '{reason}', u.code), v.activity,
             u.source || ': ' || u.code) AS activity,             -- readable name, docs/events.md
    u.channel,                                                    -- web | phone | order
    COALESCE(v.lane, CASE WHEN t.activity IS NOT NULL THEN 'Contact centre' END, CASE u.sales_channel
        WHEN 'web' THEN 'Website' WHEN 'phone' THEN 'Contact centre' WHEN 'store' THEN 'Store'
        ELSE 'Sales' END) AS lane,                                -- part of the organisation met
    u.customer_id,                                                -- as recorded in the source (not stitched)
    u.order_id, u.product_id, u.session_id, u.call_id,
    u.source,                                                     -- landing source: web, calls, orders
    u.visitor_id, u.event_type, u.page,                           -- web attributes
    u.ivr_path, u.queue, u.agent_team, u.reason_code, u.outcome,  -- call attributes
    CAST(u.duration_s AS DOUBLE) AS duration_s,                   -- call handling time in seconds
    u.status, u.sales_channel,                                    -- order attributes: one event per order and status
    u.quantity,                                                   -- items over the order's lines (NULL: a line's is unknown)
    u.return_reason,
    u.product_ids,                                                -- the products of the lines (sorted); product_id is the first line's
    u.line_count                                                  -- how many lines (products) reached this status
FROM unioned AS u
LEFT JOIN (SELECT min(activity) AS activity FROM call_reason_template) AS t ON u.source = 'calls'
LEFT JOIN activity_vocabulary AS v ON v.source = u.source AND v.code = u.code AND t.activity IS NULL;
