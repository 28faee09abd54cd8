-- The journeys' events to export (cxmining export), one row per event under pm4py's names, with their journey's
-- columns as case attributes; only the journeys of $journey_type unless it is NULL. A temporary table of the export's
-- own read-only connection; no personal data (journey_events and journeys carry none).
CREATE OR REPLACE TEMP TABLE export_events AS
SELECT
    e."case:concept:name",                                -- journey id
    e."concept:name",                                     -- activity
    e."time:timestamp",                                   -- UTC
    e.event_order,                                        -- 1-based position in the journey: the order of the trace
    e.lane,                                               -- part of the organisation met
    e.channel,                                            -- web, phone, ...
    e.event_id,
    e.customer_id, e.order_id, e.product_id,              -- the objects the event touches (OCEL); the stitched customer
    e.session_id, e.call_id,
    j.journey_type                AS "case:journey_type",  -- order, no order
    j.customer_id                 AS "case:customer_id",   -- stitched customer, NULL when not known
    j.order_id                    AS "case:order_id",      -- the journey's order, NULL without one
    j.sales_channel               AS "case:sales_channel"  -- where the order was placed
FROM journey_events AS e
JOIN journeys AS j ON j.journey_id = e."case:concept:name"
WHERE CAST($journey_type AS VARCHAR) IS NULL OR j.journey_type = CAST($journey_type AS VARCHAR);
