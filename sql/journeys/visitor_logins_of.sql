-- Macro: the web sessions of `web` (a table shaped like raw_web) in which a visitor logged in, with the customer they
-- logged in as.
CREATE OR REPLACE MACRO visitor_logins_of(web) AS TABLE
SELECT
    visitor_id,
    session_id,
    min(ts)                  AS login_ts,    -- first identified event of the session (UTC)
    arg_min(customer_id, ts) AS customer_id  -- customer of that first identified event
FROM query_table(web)
WHERE customer_id IS NOT NULL
GROUP BY visitor_id, session_id;
