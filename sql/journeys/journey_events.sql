-- The events of each journey in pm4py's column names, so pm4py (and sql/mining) read it directly.
-- Ties in time are broken deterministically (event_order, computed in journey_assignment.sql).
CREATE OR REPLACE VIEW journey_events AS
SELECT
    a.journey_id   AS "case:concept:name", -- journey id
    e.activity     AS "concept:name",      -- activity (docs/events.md)
    e.ts           AS "time:timestamp",    -- UTC
    a.event_order,                         -- 1-based position in the journey (journey_assignment.sql)
    e.lane,                                -- part of the organisation met
    e.event_id,
    e.channel, e.source,
    a.customer_id, e.order_id, e.product_id, e.session_id, e.call_id,
    e.reason_code, e.outcome, e.ivr_path, e.queue, e.duration_s, e.sales_channel, e.return_reason,
    a.rule         AS journey_rule,        -- why the event is in this journey
    a.stitch_rule                          -- how its customer was found
FROM journey_assignment AS a
JOIN stitched_events AS e USING (event_no);
