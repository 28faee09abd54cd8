-- Working table of one mining run (temporary): each case as two lists in event order, activity ids and event times.
-- Lists of small integers group, join and unnest far faster than lists of names, and the case is read once.
CREATE OR REPLACE TEMP TABLE case_traces AS
SELECT
    CAST(e."case:concept:name" AS VARCHAR) AS case_id,                             -- case (journey) identifier
    -- event_order breaks ties in time, so the sequence never depends on timestamps alone
    CAST(list(a.activity_id ORDER BY e.event_order) AS INTEGER[]) AS activity_ids, -- activity_stats.activity_id per event
    CAST(list(epoch_us(e."time:timestamp") ORDER BY e.event_order) AS BIGINT[]) AS times_us -- event times, µs since 1970 UTC
FROM mining_events AS e
JOIN activity_stats AS a ON a.activity = e."concept:name"
GROUP BY e."case:concept:name";
