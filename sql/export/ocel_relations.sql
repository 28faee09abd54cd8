-- OCEL 2.0 event-to-object relations of the exported events: each event with every object it touches. Object ids are
-- prefixed with their type ('order:O1', 'journey:order:O1') so they are unique across types; the qualifier is the type.
CREATE OR REPLACE TEMP TABLE ocel_relations AS
WITH touched AS (
    SELECT event_id, 'customer' AS object_type, customer_id AS source_id FROM export_events
    UNION ALL
    SELECT event_id, 'order', order_id FROM export_events
    UNION ALL
    -- every line's product of an order event, else the event's own product
    SELECT e.event_id, 'product', unnest(coalesce(s.product_ids, [e.product_id]))
    FROM export_events AS e LEFT JOIN stitched_events AS s USING (event_id)
    UNION ALL
    SELECT event_id, 'call', call_id FROM export_events
    UNION ALL
    SELECT event_id, 'session', session_id FROM export_events
    UNION ALL
    SELECT event_id, 'journey', "case:concept:name" FROM export_events
)
SELECT DISTINCT
    CAST(event_id AS VARCHAR)                       AS event_id,
    CAST(object_type || ':' || source_id AS VARCHAR) AS object_id,   -- unique across types
    CAST(object_type AS VARCHAR)                    AS object_type,  -- customer, order, product, call, session, journey
    CAST(source_id AS VARCHAR)                      AS source_id,    -- the id in the store
    CAST(object_type AS VARCHAR)                    AS qualifier     -- how the event relates to it
FROM touched
WHERE source_id IS NOT NULL;
