-- Query: how many events the `events` view holds, from when to when (UTC); cxmining.store.span keeps the answer in
-- event_span with the raw tables' row counts it was counted at.
SELECT count(*) AS events, min(ts) AS first_ts, max(ts) AS last_ts
FROM events;
