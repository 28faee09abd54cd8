-- Working table (temporary): per product, the web sessions that viewed its page (a view outside a session counts once):
-- counted once per run with the other counts of the product test (product_counts.sql).
CREATE OR REPLACE TEMP TABLE product_views AS
SELECT product_id, count(DISTINCT coalesce(session_id, event_id)) AS views
FROM stitched_events  -- the events view's rows, kept in a table by the journeys step
WHERE source = 'web' AND event_type = 'page_view' AND product_id IS NOT NULL
GROUP BY product_id;
