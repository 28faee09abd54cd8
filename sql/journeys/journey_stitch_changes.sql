-- Working table (temporary): the stitched events the night changes, set against journey_restitched (the same events
-- stitched again from the rows in scope): added, removed, or different in any column.
CREATE OR REPLACE TEMP TABLE journey_stitch_changes AS
WITH old AS (
    SELECT * FROM stitched_events
    WHERE (source = 'web' AND visitor_id IN (SELECT visitor_id FROM journey_scope_web))
       OR (source = 'calls' AND call_id IN (SELECT call_id FROM journey_scope_calls))
       OR (source = 'orders' AND order_id IN (SELECT order_id FROM journey_scope_orders))
),
o AS (SELECT * EXCLUDE (event_no) FROM old),
n AS (SELECT * EXCLUDE (event_no) FROM journey_restitched)
SELECT
    coalesce(n.event_id, o.event_id)                 AS event_id,
    old.event_no                                     AS old_event_no,    -- NULL: added
    o.stitched_customer_id                           AS old_customer_id,
    n.stitched_customer_id                           AS new_customer_id,
    coalesce(n.source, o.source)                     AS source,
    coalesce(n.visitor_id, o.visitor_id)             AS visitor_id,
    coalesce(n.order_id, o.order_id)                 AS order_id,
    CASE WHEN o.event_id IS NULL THEN 'added' WHEN n.event_id IS NULL THEN 'removed' ELSE 'changed' END AS change
FROM o
FULL OUTER JOIN n ON n.event_id = o.event_id
LEFT JOIN old ON old.event_id = o.event_id
WHERE o.event_id IS NULL OR n.event_id IS NULL OR o IS DISTINCT FROM n;
