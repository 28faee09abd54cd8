-- Macro: which journey each event of `stitched` (rows of stitched_events) belongs to (at most one), and the rule that
-- put it there, with the orders of `orders` (rows of raw_orders) as anchors. Every event of a journey and every order
-- its customer placed must be among them (the whole history, or the customers a night touches: cxmining.journeys).
-- Parameters: lookback_days (research counted towards a later order), quiet_days (how long
-- after an order's last event contacts still belong to it; also the gap that ends a journey
-- without an order). Rules in docs/journeys.md; the first that applies wins.
CREATE OR REPLACE MACRO journey_assignment_of(stitched, orders, lookback_days, quiet_days) AS TABLE
WITH se AS (
    SELECT event_no, event_id, ts, source, status, stitched_customer_id AS customer_id, order_id, product_id, session_id,
           visitor_id, event_type, reason_code, stitch_rule,
           (source = 'calls' AND reason_code IN ('order_status', 'delivery_problem', 'return_request', 'complaint', 'payment'))
           OR event_type IN ('order_tracking', 'help_view', 'contact_view') AS is_after_sales
    FROM query_table(stitched)
),
orders AS (  -- one anchor per order: who, when placed, and when its own events end
    SELECT o.order_id, any_value(o.customer_id) AS customer_id,
           COALESCE(min(o.ts) FILTER (WHERE o.status = 'placed'), min(o.ts)) AS placed_ts
    FROM query_table(orders) AS o GROUP BY o.order_id
),
order_lines AS (SELECT DISTINCT o.order_id, o.product_id, a.customer_id, a.placed_ts
                FROM query_table(orders) AS o JOIN orders AS a USING (order_id)),
direct AS (  -- 1. events that name a known order
    SELECT se.event_no, 'order:' || se.order_id AS journey_id, 'names the order' AS rule
    FROM se JOIN orders USING (order_id)
),
order_end AS (  -- the latest event that names each order
    SELECT d.journey_id, max(se.ts) AS last_ts FROM direct AS d JOIN se USING (event_no) GROUP BY d.journey_id
),
open_events AS (SELECT se.* FROM se ANTI JOIN direct USING (event_no) WHERE se.customer_id IS NOT NULL),
product_match AS (  -- research on a product: the customer's next order of that product within the look-back
    SELECT e.event_no, e.session_id, e.ts, l.order_id, l.placed_ts
    FROM open_events AS e ASOF JOIN order_lines AS l
      ON l.customer_id = e.customer_id AND l.product_id = e.product_id AND l.placed_ts >= e.ts
    WHERE l.placed_ts - e.ts <= to_days(CAST(lookback_days AS INTEGER)) AND NOT e.is_after_sales
),
purchase_session AS (  -- a web session in which an order was bought
    SELECT se.session_id, arg_min(se.order_id, se.ts) AS order_id
    FROM se JOIN direct USING (event_no) WHERE se.event_type = 'purchase' GROUP BY se.session_id
),
session_order AS (  -- 2. a web session belongs to the order it bought, or to the nearest order of a product it researched
    SELECT session_id, order_id FROM purchase_session
    UNION ALL
    SELECT session_id, arg_min(order_id, placed_ts) FROM product_match
    WHERE session_id IS NOT NULL AND session_id NOT IN (SELECT session_id FROM purchase_session)
    GROUP BY session_id
),
by_session AS (
    SELECT e.event_no, 'order:' || s.order_id AS journey_id, 'same web session' AS rule
    FROM open_events AS e JOIN session_order AS s USING (session_id)
),
calls_open AS (SELECT e.* FROM open_events AS e WHERE e.source = 'calls'),
by_call_product AS (  -- 3. a research call about a product the customer then orders
    SELECT p.event_no, 'order:' || p.order_id AS journey_id, 'researched the product' AS rule
    FROM product_match AS p JOIN calls_open USING (event_no)
),
call_any_order AS (  -- 4. a sales or information call without a product, then an order within the look-back
    SELECT e.event_no, 'order:' || a.order_id AS journey_id, 'called before ordering' AS rule
    FROM calls_open AS e ASOF JOIN orders AS a ON a.customer_id = e.customer_id AND a.placed_ts >= e.ts
    WHERE e.reason_code IN ('product_info', 'new_order') AND e.product_id IS NULL
      AND a.placed_ts - e.ts <= to_days(CAST(lookback_days AS INTEGER))
),
after_sales AS (  -- 5. a contact after an order, before its quiet period ends
    SELECT e.event_no, 'order:' || a.order_id AS journey_id, 'contact after the order' AS rule
    FROM open_events AS e ASOF JOIN orders AS a ON a.customer_id = e.customer_id AND e.ts >= a.placed_ts
    JOIN order_end AS oe ON oe.journey_id = 'order:' || a.order_id
    WHERE e.is_after_sales AND e.ts <= greatest(oe.last_ts, a.placed_ts) + to_days(CAST(quiet_days AS INTEGER))
),
ranked AS (
    SELECT *, 1 AS priority FROM direct
    UNION ALL SELECT *, 2 FROM by_session
    UNION ALL SELECT *, 3 FROM by_call_product
    UNION ALL SELECT *, 4 FROM call_any_order
    UNION ALL SELECT *, 5 FROM after_sales
),
to_orders AS (SELECT event_no, arg_min(journey_id, priority) AS journey_id, arg_min(rule, priority) AS rule
              FROM ranked GROUP BY event_no),
rest AS (  -- 6. everything else: journeys without an order, per customer (or anonymous browser), split at quiet gaps
    SELECT se.event_no, se.event_id, se.ts,
           CASE WHEN se.customer_id IS NOT NULL THEN 'customer:' || se.customer_id ELSE 'visitor:' || se.visitor_id END AS who
    FROM se ANTI JOIN to_orders USING (event_no)
    WHERE se.customer_id IS NOT NULL OR (se.source = 'web' AND se.visitor_id IS NOT NULL)
),
episodes AS (
    SELECT event_no, who, sum(CASE WHEN gap IS NULL OR gap > to_days(CAST(quiet_days AS INTEGER)) THEN 1 ELSE 0 END)
               OVER (PARTITION BY who ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS episode
    FROM (SELECT *, ts - lag(ts) OVER (PARTITION BY who ORDER BY ts, event_id) AS gap FROM rest)
),
assigned AS (
    SELECT event_no, journey_id, rule FROM to_orders
    UNION ALL
    SELECT event_no, who || ':' || episode,
           'no order: ' || CASE WHEN who LIKE 'customer:%' THEN 'customer' ELSE 'anonymous visitor' END
    FROM episodes
)
SELECT a.event_no,                                   -- stitched_events.event_no
       se.event_id,                                    -- events.event_id
       CAST(a.journey_id AS VARCHAR) AS journey_id,   -- 'order:<order_id>', 'customer:<id>:<n>' or 'visitor:<id>:<n>'
       CAST(a.rule AS VARCHAR)       AS rule,         -- why the event is in this journey
       se.customer_id                AS customer_id,  -- stitched customer (NULL for anonymous visitors)
       se.stitch_rule                AS stitch_rule,  -- how the customer was found (stitched_events_of.sql)
       row_number() OVER (
           PARTITION BY a.journey_id
           ORDER BY se.ts,
                    CASE se.source WHEN 'web' THEN 1 WHEN 'calls' THEN 2 ELSE 3 END,
                    list_position(['placed', 'paid', 'shipped', 'delivered', 'cancelled', 'return_requested',
                                   'returned', 'refunded', 'exchanged'], se.status),
                    se.event_id
       )                             AS event_order   -- 1-based position in the journey; ties: web, calls, orders,
                                                      -- order statuses in lifecycle order, then event_id
FROM assigned AS a
JOIN se USING (event_no);
