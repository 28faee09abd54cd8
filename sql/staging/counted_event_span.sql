-- Query: how many events the `events` view holds, from when to when (UTC), and the row counts of the raw tables it
-- reads, which say whether a kept event_span still holds (cxmining.store.span).
SELECT
    (SELECT count(*) FROM raw_web)    AS web_rows,
    (SELECT count(*) FROM raw_calls)  AS call_rows,
    (SELECT count(*) FROM raw_orders) AS order_rows,
    count(*)                          AS events,
    min(ts)                           AS first_ts,
    max(ts)                           AS last_ts
FROM events;
