-- Events with the customer they belong to across channels, and the stitching rule that decided it.
-- A table, rebuilt with the journeys, so that later steps do not recompute the stitching.
-- Rules, first match wins (docs/journeys.md):
--   web:    'recorded' customer_id on the event; 'same session' a login in the same session;
--           'visitor, attributed back' the next later login of the same visitor_id (browser);
--           'visitor, carried forward' the latest earlier login of that visitor_id.
--   calls:  'recorded' customer_id filled by the agent; 'phone' caller_number matches one customer's phone.
--   orders: 'recorded' (orders always carry a customer).
CREATE OR REPLACE TABLE stitched_events AS
WITH session_customer AS (
    SELECT session_id, arg_min(customer_id, login_ts) AS customer_id FROM visitor_logins GROUP BY session_id
),
web_sessions AS (  -- one row per anonymous session: its visitor and start
    SELECT session_id, any_value(visitor_id) AS visitor_id, min(ts) AS session_start
    FROM events WHERE source = 'web' GROUP BY session_id
),
next_login AS (
    SELECT s.session_id, l.customer_id
    FROM web_sessions AS s ASOF JOIN visitor_logins AS l
      ON l.visitor_id = s.visitor_id AND l.login_ts >= s.session_start
),
previous_login AS (
    SELECT s.session_id, l.customer_id
    FROM web_sessions AS s ASOF JOIN visitor_logins AS l
      ON l.visitor_id = s.visitor_id AND s.session_start >= l.login_ts
),
call_phone AS (
    SELECT c.call_id, k.customer_id
    FROM raw_calls AS c JOIN customer_phone_keys AS k ON k.phone_key = phone_key(c.caller_number)
)
SELECT
    e.*,
    CAST(CASE
        WHEN e.customer_id IS NOT NULL THEN e.customer_id
        WHEN e.source = 'web' THEN COALESCE(sc.customer_id, nl.customer_id, pl.customer_id)
        WHEN e.source = 'calls' THEN cp.customer_id
    END AS VARCHAR) AS stitched_customer_id, -- the customer this event belongs to (NULL: unknown)
    CAST(CASE
        WHEN e.customer_id IS NOT NULL THEN 'recorded'
        WHEN e.source = 'web' AND sc.customer_id IS NOT NULL THEN 'same session'
        WHEN e.source = 'web' AND nl.customer_id IS NOT NULL THEN 'visitor, attributed back'
        WHEN e.source = 'web' AND pl.customer_id IS NOT NULL THEN 'visitor, carried forward'
        WHEN e.source = 'calls' AND cp.customer_id IS NOT NULL THEN 'phone'
        ELSE 'not stitched'
    END AS VARCHAR) AS stitch_rule            -- which rule decided it
FROM events AS e
LEFT JOIN session_customer AS sc ON e.source = 'web' AND sc.session_id = e.session_id
LEFT JOIN next_login AS nl ON e.source = 'web' AND nl.session_id = e.session_id
LEFT JOIN previous_login AS pl ON e.source = 'web' AND pl.session_id = e.session_id
LEFT JOIN call_phone AS cp ON e.source = 'calls' AND cp.call_id = e.call_id;
