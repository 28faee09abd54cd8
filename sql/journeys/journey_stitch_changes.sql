-- Working table (temporary): the stitched events the night changes, set against journey_restitched (the same events
-- stitched again from the rows in scope): added, removed, or different in any column. The stored events in scope are
-- found by one semi-join per source (each event has one source), which DuckDB runs as hash probes over the history.
CREATE OR REPLACE TEMP TABLE journey_stitch_changes AS
WITH old AS (
    SELECT s.* FROM stitched_events AS s
    SEMI JOIN (SELECT DISTINCT visitor_id FROM journey_scope_web) AS w ON w.visitor_id = s.visitor_id
    WHERE s.source = 'web'
    UNION ALL
    SELECT s.* FROM stitched_events AS s SEMI JOIN journey_scope_calls AS c ON c.call_id = s.call_id
    WHERE s.source = 'calls'
    UNION ALL
    SELECT s.* FROM stitched_events AS s
    SEMI JOIN (SELECT DISTINCT order_id FROM journey_scope_orders) AS o ON o.order_id = s.order_id
    WHERE s.source = 'orders'
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
