-- The report's data span: how many events the store holds, from when to when (UTC).
SELECT count(*), min(ts), max(ts) FROM events;
