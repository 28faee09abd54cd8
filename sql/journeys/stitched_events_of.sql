-- Macro: events with the customer they belong to across channels, and the stitching rule that decided it, from
-- `events` (rows of the events view), `sessions` (session_customers_of of their web rows) and `calls`
-- (call_customers_of of their calls); event numbers from `first_event_no` + 1 on. The table stitched_events holds its
-- rows, so that later steps do not recompute the stitching.
-- Rules, first match wins (docs/journeys.md):
--   web:    'recorded' customer_id on the event; 'same session' a login in the same session;
--           'visitor, attributed back' the next later login of the same visitor_id (browser);
--           'visitor, carried forward' the latest earlier login of that visitor_id.
--   calls:  'recorded' customer_id filled by the agent; 'phone' caller_number matches one customer's phone.
--   orders: 'recorded' (orders always carry a customer).
CREATE OR REPLACE MACRO stitched_events_of(events, sessions, calls, first_event_no) AS TABLE
SELECT
    e.*,
    CAST(first_event_no + row_number() OVER () AS BIGINT) AS event_no, -- compact key for joins (not stable across full rebuilds)
    CAST(CASE
        WHEN e.customer_id IS NOT NULL THEN e.customer_id
        WHEN e.source = 'web' THEN sc.customer_id
        WHEN e.source = 'calls' THEN cp.customer_id
    END AS VARCHAR) AS stitched_customer_id,            -- the customer this event belongs to (NULL: unknown)
    CAST(CASE
        WHEN e.customer_id IS NOT NULL THEN 'recorded'
        WHEN e.source = 'web' AND sc.customer_id IS NOT NULL THEN sc.rule
        WHEN e.source = 'calls' AND cp.customer_id IS NOT NULL THEN 'phone'
        ELSE 'not stitched'
    END AS VARCHAR) AS stitch_rule                      -- which rule decided it
FROM query_table(events) AS e
LEFT JOIN query_table(sessions) AS sc ON sc.session_id = e.session_id
LEFT JOIN query_table(calls) AS cp ON cp.call_id = e.call_id;
