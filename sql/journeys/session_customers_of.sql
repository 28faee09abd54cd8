-- Macro: the customer each web session of `web` (a table shaped like raw_web) belongs to, and the rule that decided it
-- (see stitched_events_of.sql). A session's customer depends only on its visitor's rows: the nightly run applies it to
-- every row of the visitors a night touches.
CREATE OR REPLACE MACRO session_customers_of(web) AS TABLE
WITH logins AS (
    SELECT * FROM visitor_logins_of(web)
),
sessions AS (  -- every session: its browser and start
    SELECT session_id, any_value(visitor_id) AS visitor_id, min(ts) AS session_start
    FROM query_table(web) GROUP BY session_id
),
same_session AS (
    SELECT session_id, arg_min(customer_id, login_ts) AS customer_id FROM logins GROUP BY session_id
),
next_login AS (
    SELECT s.session_id, l.customer_id
    FROM sessions AS s ASOF JOIN logins AS l
      ON l.visitor_id = s.visitor_id AND l.login_ts >= s.session_start
),
previous_login AS (
    SELECT s.session_id, l.customer_id
    FROM sessions AS s ASOF JOIN logins AS l
      ON l.visitor_id = s.visitor_id AND s.session_start >= l.login_ts
)
SELECT
    s.session_id,
    COALESCE(ss.customer_id, nl.customer_id, pl.customer_id) AS customer_id, -- NULL: never logged in
    CASE WHEN ss.customer_id IS NOT NULL THEN 'same session'
         WHEN nl.customer_id IS NOT NULL THEN 'visitor, attributed back'
         WHEN pl.customer_id IS NOT NULL THEN 'visitor, carried forward'
    END AS rule                                                               -- stitching rule
FROM sessions AS s
LEFT JOIN same_session AS ss USING (session_id)
LEFT JOIN next_login AS nl USING (session_id)
LEFT JOIN previous_login AS pl USING (session_id);
